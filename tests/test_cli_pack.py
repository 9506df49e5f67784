"""``newscorpus pack`` and ``unpack``: exact output, exit codes, and nothing written where it
should not be. The acceptance cases run the real command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from subprocess_cli import run as run_module

from newscorpus.cli import main
from newscorpus.container import dumps

SEEDS = Path(__file__).parents[1] / "seeds"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_module(*args, cwd=cwd, module="newscorpus.cli")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` with its bytes (None for folders and links)."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        plain = path.is_file() and not path.is_symlink()
        found[path.relative_to(root).as_posix()] = path.read_bytes() if plain else None
    return found


def assert_one_error(result: subprocess.CompletedProcess[str], start: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"newscorpus: error: {start}")
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: "))


# --- acceptance ----------------------------------------------------------------------------------


def test_pack_then_unpack_gives_back_the_seeds_byte_for_byte(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    packed = run("pack", *map(str, seeds), "-o", "s.corpus", cwd=tmp_path)
    size = (tmp_path / "s.corpus").stat().st_size
    assert (packed.returncode, packed.stdout) == (0, "")
    assert packed.stderr == f"packed 5 articles ({size:,} bytes) into s.corpus\n"

    unpacked = run("unpack", "s.corpus", "-o", "out", cwd=tmp_path)
    total = sum(seed.stat().st_size for seed in seeds)
    assert (unpacked.returncode, unpacked.stdout) == (0, "")
    assert unpacked.stderr == f"unpacked 5 articles ({total:,} bytes) into out\n"
    assert tree(tmp_path / "out") == {seed.name: seed.read_bytes() for seed in seeds}


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"<<<FILE ok.txt>>>\nfine\n<<<FILE broken\n", 3, "malformed header"),
        (b"<<<FILE ok.txt>>>\nfine\n<<<FILE b.txt>>>\nbad \xff\n", 4, "invalid UTF-8"),
        (b"<<<FILE ok.txt>>>\nfine\n<<<FILE ../../x>>>\nevil\n", 3, "unsafe name '../../x'"),
    ],
)
def test_a_bad_container_writes_nothing(tmp_path, content, line, message):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / "bad.corpus").write_bytes(content)
    before = tree(tmp_path)
    result = run("unpack", "bad.corpus", "-o", "out", cwd=work)
    assert_one_error(result, f"bad.corpus, line {line}")
    assert message in result.stderr.splitlines()[0]
    assert tree(tmp_path) == before


def test_the_unsafe_name_message(tmp_path):
    (tmp_path / "s.corpus").write_bytes(dumps([("../../x", "evil")]).encode())
    result = run("unpack", "s.corpus", "-o", "out", cwd=tmp_path)
    assert result.stderr == (
        "newscorpus: error: s.corpus, line 1: unsafe name '../../x': "
        "'..' components are not allowed\n"
    )
    assert result.returncode == 2


def test_invalid_utf8_names_line_and_byte(tmp_path):
    (tmp_path / "u.corpus").write_bytes(b"<<<FILE a>>>\nok\nbad \xff\n")
    result = run("unpack", "u.corpus", "-o", "out", cwd=tmp_path)
    assert result.stderr.splitlines() == [
        "newscorpus: error: u.corpus, line 3, byte 20: invalid UTF-8: byte 0xFF (invalid start "
        "byte), expected UTF-8 text",
        "hint: --lenient skips or repairs bad input and reports each problem as a warning",
    ]
    lenient = run("unpack", "u.corpus", "-o", "out", "--lenient", cwd=tmp_path)
    assert lenient.returncode == 0
    assert lenient.stderr.splitlines() == [
        "newscorpus: warning: u.corpus, line 3, byte 20: invalid UTF-8: byte 0xFF (invalid "
        "start byte), expected UTF-8 text; decoded with U+FFFD",
        "unpacked 1 article (10 bytes) into out",
    ]
    assert (tmp_path / "out" / "a").read_bytes() == "ok\nbad \ufffd".encode()


def test_version(tmp_path):
    version = run("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (
        0,
        f"newscorpus {metadata.version('newscorpus')}\n",
    )


@pytest.mark.parametrize("args", [[], ["pack"], ["frobnicate"], ["unpack", "x.corpus"]])
def test_usage_errors_exit_2(capsys, args):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error:" in captured.err


def test_python_dash_m_newscorpus(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "newscorpus", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("newscorpus ")


# --- unpack safety, in process -------------------------------------------------------------------


def unpack_names(tmp_path: Path, names: list[str], *extra: str) -> int:
    (tmp_path / "s.corpus").write_text(dumps([(name, name) for name in names]), newline="")
    return main(["unpack", str(tmp_path / "s.corpus"), "-o", str(tmp_path / "out"), *extra])


@pytest.mark.parametrize(
    ("names", "line", "reason"),
    [
        (["/abs"], 1, "absolute paths are not allowed"),
        (["C:x"], 1, "a drive letter ('C:') is not allowed"),
        (["\\\\server\\share"], 1, "backslashes are not allowed"),
        (["ok", "a\\b"], 3, "backslashes are not allowed"),
        (["a/./b"], 1, "'.' components are not allowed"),
        (["a/.."], 1, "'..' components are not allowed"),
        (["a//b"], 1, "empty path components"),
        (["a/"], 1, "empty path components"),
        (["x" * 256], 1, "longer than 255 bytes"),
        (["a", "a/b"], 3, "needs 'a' as a folder, but it is an article (line 1)"),
        (["a/b", "a"], 3, "is a file here, but 'a/b' (line 1) needs it as a folder"),
    ],
)
def test_unsafe_or_colliding_names_are_refused_before_writing(
    tmp_path, capsys, names, line, reason
):
    assert unpack_names(tmp_path, names) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newscorpus: error: {tmp_path / 's.corpus'}, line {line}: ")
    assert reason in err
    assert not (tmp_path / "out").exists()


def test_existing_files_need_force(tmp_path, capsys):
    (tmp_path / "out" / "d").mkdir(parents=True)
    (tmp_path / "out" / "d" / "b").write_text("old")
    assert unpack_names(tmp_path, ["a", "d/b"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"newscorpus: error: {tmp_path / 's.corpus'}, line 3: {tmp_path / 'out' / 'd' / 'b'} "
        "already exists",
        "hint: --force overwrites existing files",
    ]
    assert tree(tmp_path / "out") == {"d": None, "d/b": b"old"}
    assert unpack_names(tmp_path, ["a", "d/b"], "--force") == 0
    assert tree(tmp_path / "out") == {"a": b"a", "d": None, "d/b": b"d/b"}


def test_links_in_the_output_folder_never_lead_outside(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target").write_text("keep")
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out" / "link")
    os.symlink(outside / "target", tmp_path / "out" / "file")

    assert unpack_names(tmp_path, ["link/x"], "--force") == 2
    assert "leads outside the output folder" in capsys.readouterr().err
    assert unpack_names(tmp_path, ["file"]) == 2
    assert "already exists" in capsys.readouterr().err

    assert unpack_names(tmp_path, ["file"], "--force") == 0
    assert tree(outside) == {"target": b"keep"}
    assert not (tmp_path / "out" / "file").is_symlink()
    assert (tmp_path / "out" / "file").read_bytes() == b"file"


def test_an_output_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "out").write_text("")
    assert unpack_names(tmp_path, ["a"]) == 2
    assert "the output exists and is not a folder" in capsys.readouterr().err


def test_lenient_warnings_are_printed_once(tmp_path, capsys):
    (tmp_path / "s.corpus").write_bytes(b"<<<FILE a>>>\n<<<FILE a>>>\n")
    assert (
        main(["unpack", str(tmp_path / "s.corpus"), "-o", str(tmp_path / "out"), "--lenient"]) == 0
    )
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("newscorpus: warning: ") and "renamed 'a (2)'" in err[0]
    assert tree(tmp_path / "out") == {"a": b"", "a (2)": b""}


# --- pack ----------------------------------------------------------------------------------------


def test_pack_folders_and_files_in_the_order_given(tmp_path, capsys):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "z.txt").write_bytes(b"z\r\n")
    (tmp_path / "in" / "sub" / "a.txt").write_bytes(b"<<<FILE a>>>")
    (tmp_path / "loose.md").write_bytes(b"no final newline")
    out = tmp_path / "s.corpus"
    assert main(["pack", str(tmp_path / "loose.md"), str(tmp_path / "in"), "-o", str(out)]) == 0
    assert out.read_bytes() == (
        b"<<<FILE loose.md>>>\nno final newline\n"
        b"<<<FILE sub/a.txt>>>\n><<<FILE a>>>\n"
        b"<<<FILE z.txt>>>\nz\r\n\n"
    )


def test_pack_refuses_a_name_seen_twice(tmp_path, capsys):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(folder)
    args = [
        "pack",
        str(tmp_path / "one" / "a.txt"),
        str(tmp_path / "two"),
        "-o",
        str(tmp_path / "s.corpus"),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"newscorpus: error: duplicate name 'a.txt': in {tmp_path / 'two' / 'a.txt'} and in "
        f"{tmp_path / 'one' / 'a.txt'}"
    )
    assert sorted(os.listdir(tmp_path)) == ["one", "two"]


def test_a_failed_pack_leaves_no_file(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("good")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "s.corpus"
    assert (
        main(["pack", str(tmp_path / "good.txt"), str(tmp_path / "bad.txt"), "-o", str(out)]) == 2
    )
    assert f"{tmp_path / 'bad.txt'}, line 1, byte 0: binary file" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["bad.txt", "good.txt"]

    assert main(["pack", str(tmp_path), "-o", str(out), "--lenient"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("newscorpus: warning: ") and "binary file" in err[0]
    assert err[1].startswith("packed 1 article (")
    assert out.read_bytes() == b"<<<FILE good.txt>>>\ngood\n"


def test_system_errors_exit_1(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "out.corpus").mkdir()
    assert main(["pack", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out.corpus")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newscorpus: error: ") and "Is a directory" in err
    assert len(err.splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "out.corpus"]


def test_a_text_before_the_first_header_and_an_absolute_name(tmp_path, capsys):
    (tmp_path / "p.corpus").write_bytes(b"preamble\n<<<FILE ok.txt>>>\n")
    assert main(["unpack", str(tmp_path / "p.corpus"), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith(
        f"newscorpus: error: {tmp_path / 'p.corpus'}, line 1: expected a header line "
        "`<<<FILE name>>>`, found 'preamble'\n"
    )
    assert unpack_names(tmp_path, ["ok.txt", "/tmp/x"]) == 2
    assert "line 3: unsafe name '/tmp/x': absolute paths" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["p.corpus", "s.corpus"]


def test_missing_inputs(tmp_path, capsys):
    assert main(["pack", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "s.corpus")]) == 2
    assert (
        capsys.readouterr().err
        == f"newscorpus: error: {tmp_path / 'nope.txt'}: no such file or folder\n"
    )
    assert main(["unpack", str(tmp_path / "nope.corpus"), "-o", str(tmp_path / "out")]) == 2
    assert (
        capsys.readouterr().err == f"newscorpus: error: {tmp_path / 'nope.corpus'}: no such file\n"
    )
