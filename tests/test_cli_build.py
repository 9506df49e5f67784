"""``newscorpus build`` and ``export`` in a subprocess: the README's main job, the export
contract, and one-line errors that leave existing stores alone."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from subprocess_cli import run

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"


def assert_one_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code
    assert "Traceback" not in result.stderr + result.stdout
    first = result.stderr.splitlines()[0]
    assert first.startswith("newscorpus: error: ")
    return first


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("build")
    result = run("build", str(SEEDS), "-o", "s.db", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "5 articles" in result.stdout
    assert "5 shared blocks; 0 articles are copies of another" in result.stdout
    return cwd / "s.db"


def test_build_prints_a_summary_a_person_reads(store):
    result = run("build", str(SEEDS), "-o", "again.db", cwd=store.parent)
    assert result.stderr == ""  # no progress line when stderr is not a terminal
    lines = result.stdout.splitlines()
    assert any(line.startswith("blocks, most carried first") for line in lines)
    assert sum("4 articles" in line for line in lines) == 5
    assert any(
        line.strip().startswith("002_00a0fac8a431ad56.txt") and "█" not in line for line in lines
    )


def test_export_jsonl_follows_the_contract(store):
    result = run("export", str(store), cwd=store.parent)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert [r["name"] for r in records] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for r in records:
        assert list(r) == ["name", "text", "clean_text", "meta", "duplicate_of", "segments"]
        assert r["text"] == (SEEDS / r["name"]).read_bytes().decode("utf-8")
        assert list(r["meta"]) == ["date", "place", "source", "author", "title", "tags"]
        assert r["duplicate_of"] is None
        pos = 0
        for seg in r["segments"]:
            assert list(seg) == ["start", "end", "kind", "block"]
            assert seg["start"] == pos < seg["end"]
            assert (seg["kind"] == "shared") == (seg["block"] is not None)
            pos = seg["end"]
        assert pos == len(r["text"])
    shared = {s["block"] for r in records for s in r["segments"] if s["kind"] == "shared"}
    assert len(shared) == 5


def test_export_text_is_the_clean_stories(store, tmp_path):
    result = run(
        "export", str(store), "--format", "text", "-o", str(tmp_path / "clean.txt"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"exported 5 articles to {tmp_path / 'clean.txt'}"
    stories = (tmp_path / "clean.txt").read_text(encoding="utf-8").split("\f\n")
    assert len(stories) == 5
    assert not any("Following over a month of military action" in s for s in stories)
    assert stories[2].startswith("France does not recognize the self-proclaimed")


def test_build_of_a_malformed_container_keeps_the_existing_store(store, tmp_path):
    before = store.read_bytes()
    bad = tmp_path / "bad.corpus"
    bad.write_text("<<<FILE a.txt>>>\nfine\n<<<FILE >>>\nno name\n", encoding="utf-8")
    first = assert_one_error(run("build", str(bad), "-o", str(store), cwd=tmp_path))
    assert "bad.corpus, line 3" in first
    assert store.read_bytes() == before


def test_build_of_invalid_utf8_names_the_file_line_and_byte(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.txt").write_bytes(b"good line\nbad \xff byte\n")
    first = assert_one_error(run("build", str(folder), "-o", "s.db", cwd=tmp_path))
    assert "x.txt, line 2, byte 14" in first
    assert not (tmp_path / "s.db").exists()


def test_an_enormous_article_is_refused_by_name_and_the_store_kept(store, tmp_path):
    before = store.read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fine.txt").write_text("A short article.\n", encoding="utf-8")
    (folder / "huge.txt").write_text("word " * 2_000_001, encoding="utf-8")  # 10,000,005 chars
    first = assert_one_error(run("build", str(folder), "-o", str(store), cwd=tmp_path))
    assert "'huge.txt' has 10,000,005 characters, more than a build takes (10,000,000" in first
    assert store.read_bytes() == before
    first = assert_one_error(run("add", str(store), str(folder), cwd=tmp_path))
    assert "'huge.txt' has 10,000,005 characters" in first
    assert store.read_bytes() == before


def test_build_of_a_missing_input(tmp_path):
    first = assert_one_error(run("build", "nowhere/", "-o", "s.db", cwd=tmp_path))
    assert "nowhere" in first


def test_export_of_a_file_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.db").write_text("hello\n" * 50)
    first = assert_one_error(run("export", "notes.db", cwd=tmp_path))
    assert "notes.db: not a newscorpus store" in first


def test_workers_do_not_change_the_result(tmp_path):
    docs = tmp_path / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as out:
        for i in range(600):  # enough for several batches
            out.write(
                json.dumps(
                    {
                        "id": f"n{i}",
                        "text": f"Story {i} about item {i * 7}. "
                        "A shared sentence that every article carries at the end.",
                    }
                )
                + "\n"
            )
    one = run("build", str(docs), "-o", "one.db", "--workers", "1", "--quiet", cwd=tmp_path)
    two = run("build", str(docs), "-o", "two.db", "--workers", "2", "--quiet", cwd=tmp_path)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout == one.stderr == two.stderr == ""
    a = run("export", "one.db", cwd=tmp_path).stdout
    b = run("export", "two.db", cwd=tmp_path).stdout
    assert a == b and a.count("\n") == 600


def test_build_refuses_an_output_folder_that_does_not_exist(tmp_path):
    first = assert_one_error(run("build", str(SEEDS), "-o", "no/such/dir/s.db", cwd=tmp_path))
    assert "is not a folder" in first


def test_build_never_overwrites_a_file_that_is_not_a_store(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my precious notes\n", encoding="utf-8")
    first = assert_one_error(run("build", str(SEEDS), "-o", "notes.txt", cwd=tmp_path))
    assert "notes.txt: not a newscorpus store" in first
    assert notes.read_text(encoding="utf-8") == "my precious notes\n"


def test_build_of_no_articles_makes_an_empty_store(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("build", "empty", "-o", "e.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 articles" in result.stdout
    assert run("export", "e.db", cwd=tmp_path).stdout == ""
