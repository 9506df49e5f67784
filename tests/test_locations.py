"""Inputs at URLs that fsspec reads (here its in-memory filesystem and file://) read as the same
files on disk do, whole or in pieces."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import pytest
from subprocess_cli import run

from newscorpus import InputError, Inputs, build
from newscorpus.pieces import plan, read_pieces

fsspec = pytest.importorskip("fsspec")

FILES = {
    "a.jsonl": b'{"id": "j1", "text": "First.", "date": "2020-01-02"}\n'
    b'{"id": "j2", "text": "Two."}\nnot json\n',
    "c.corpus": b"<<<FILE c1>>>\nOne \xff.\n\n<<<FILE c2>>>\nTwo.\n",
    "folder/x.txt": b"Text x.\n",
    "folder/sub/y.txt": b"Text y.\n",
    "folder/ignored.md": b"not read\n",
}


def _outcome(documents) -> tuple:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [(d.name, d.text, dict(d.fields)) for d in documents]
    return got, [str(w.message).split(": ", 1)[-1] for w in caught]


@pytest.fixture
def places(tmp_path):
    """The same files on disk and in fsspec's memory filesystem."""
    memory = fsspec.filesystem("memory")
    root = f"/newscorpus-{uuid.uuid4().hex}"
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
        memory.pipe(f"{root}/{name}", data)
    yield tmp_path, f"memory://{root}"
    memory.rm(root, recursive=True)


@pytest.mark.parametrize("piece_bytes", [None, 16])
def test_urls_read_as_the_files_on_disk(places, piece_bytes):
    disk, url = places
    names = ["a.jsonl", "c.corpus", "folder"]
    local = Inputs([disk / n for n in names], lenient=True)
    remote = Inputs([f"{url}/{n}" for n in names], lenient=True)
    if piece_bytes is None:
        got, expected = _outcome(remote.documents()), _outcome(local.documents())
    else:
        got = _outcome(read_pieces(remote, plan(remote, piece_bytes)))
        expected = _outcome(read_pieces(local, plan(local, piece_bytes)))
    assert got[0] == expected[0]
    assert [d[0] for d in got[0]] == ["j1", "j2", "c1", "c2", "sub/y.txt", "x.txt"]
    # The same warnings, each naming the URL where the files on disk name their path.
    assert [w.replace(url, str(disk)) for w in got[1]] == expected[1]
    assert len(got[1]) == 2


def test_a_missing_url_is_refused_naming_it(places):
    _, url = places
    with pytest.raises(InputError, match=r"memory://.*/nothing.jsonl: no such file or folder"):
        list(Inputs([f"{url}/nothing.jsonl"]).documents())


def test_a_url_no_backend_reads_is_refused(tmp_path):
    with pytest.raises(InputError, match="nope://x/a.jsonl: cannot read this URL"):
        list(Inputs(["nope://x/a.jsonl"]).documents())


def test_a_store_built_from_file_urls_is_the_store_built_from_paths(tmp_path):
    source = Path(__file__).resolve().parents[1] / "seeds"
    a = build(Inputs([source]), tmp_path / "paths.db")
    b = build(Inputs([source.as_uri()]), tmp_path / "urls.db")
    assert [x.name for x in a.articles()] == [x.name for x in b.articles()]
    assert [(k.id, k.text) for k in a.blocks()] == [(k.id, k.text) for k in b.blocks()]
    assert len(b.blocks()) == 5


def test_cli_builds_from_a_url_and_refuses_a_missing_one(tmp_path):
    seeds = (Path(__file__).resolve().parents[1] / "seeds").as_uri()
    built = run("build", seeds, "-o", "s.db", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "5 articles" in built.stdout
    missing = run("build", seeds + "/nothing.jsonl", "-o", "t.db", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith(f"newscorpus: error: {seeds}/nothing.jsonl: no such file")
    assert "Traceback" not in missing.stderr
