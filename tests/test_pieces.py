"""Reading inputs in pieces (as the Dask engine's workers do) gives exactly what reading them
whole gives: the same documents, names, warnings and errors, in the same order."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import container_bytes

from newscorpus.pieces import plan, read_pieces
from newscorpus.readers import Inputs, ReadMeter

JSON_LINES = (
    b'{"id": "a", "text": "first"}\n',
    b'{"id": "b", "text": "second", "date": "2020-01-02"}\r\n',
    b'{"id": "a", "text": "again"}\n',
    b'{"name": "n", "text": "\\u00e9t\\u00e9"}\n',
    b'{"text": "no name"}\n',
    b'{"id": 3, "text": "a number for a name"}\n',
    b"\n",
    b"   \n",
    b"not json\n",
    b"[1, 2]\n",
    b'{"id": "c"}\n',
    b'{"id": "d", "text": "bad \xff byte"}\n',
    b"\xef\xbb\xbf",
    b'{"id": "e", "text": "no line end"}',
)


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    return b"".join(draw(st.lists(st.sampled_from(JSON_LINES), max_size=25)))


def _outcome(documents) -> tuple:
    """Everything a reader of the documents sees: each document, each warning, the error."""
    got, error = [], None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for d in documents:
                got.append((d.name, d.text, dict(d.fields)))
        except ValueError as exc:
            error = (type(exc).__name__, str(exc), getattr(exc, "line", None))
    return got, [(type(w.message).__name__, str(w.message)) for w in caught], error


def _same_both_ways(inputs: Inputs, piece_bytes: int) -> None:
    whole = _outcome(inputs.documents())
    pieces = plan(inputs, piece_bytes)
    assert _outcome(read_pieces(inputs, pieces)) == whole


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(container_bytes(), jsonl_bytes()),
    piece_bytes=st.integers(1, 120),
    lenient=st.booleans(),
)
def test_a_file_read_in_pieces_reads_as_a_whole(tmp_path, data, piece_bytes, lenient):
    suffix = ".jsonl" if data.startswith(b"{") or b'"text"' in data else ".corpus"
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    _same_both_ways(Inputs([path], lenient=lenient), piece_bytes)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=container_bytes(),
    second=jsonl_bytes(),
    files=st.lists(st.sampled_from(["a", "b", "c", "input.jsonl"]), unique=True, max_size=3),
    piece_bytes=st.integers(1, 80),
    lenient=st.booleans(),
)
def test_several_inputs_read_in_pieces_read_as_a_whole(
    tmp_path_factory, first, second, files, piece_bytes, lenient
):
    root = tmp_path_factory.mktemp("inputs")
    (root / "one.corpus").write_bytes(first)
    (root / "two.jsonl").write_bytes(second)
    folder = root / "folder"
    folder.mkdir()
    for name in files:
        (folder / f"{name}.txt").write_text(f"text of {name}\n")
    paths = [root / "one.corpus", root / "two.jsonl", folder]
    _same_both_ways(Inputs(paths, lenient=lenient), piece_bytes)


def test_the_first_error_is_the_whole_reads_with_its_line(tmp_path):
    lines = [f'{{"id": "{i}", "text": "article {i}"}}\n' for i in range(200)]
    lines[150] = "not json\n"
    lines[170] = '{"id": "3", "text": "a repeated name"}\n'
    path = tmp_path / "big.jsonl"
    path.write_text("".join(lines))
    pieces = plan(Inputs([path]), piece_bytes=500)
    assert len(pieces) > 10
    with pytest.raises(ValueError) as caught:
        list(read_pieces(Inputs([path]), pieces))
    assert caught.value.line == 151
    assert str(caught.value).startswith(f"{path}, line 151: invalid JSON")


def test_a_repeated_name_in_a_later_piece_is_refused_with_the_first_line(tmp_path):
    path = tmp_path / "c.corpus"
    path.write_text("".join(f"<<<FILE {i % 40}>>>\nline\n\n" for i in range(60)))
    pieces = plan(Inputs([path]), piece_bytes=64)
    assert len(pieces) > 5
    with pytest.raises(ValueError, match=r"line 121: duplicate name '0'.*first on line 1"):
        list(read_pieces(Inputs([path]), pieces))


def test_pieces_start_at_records_and_cover_the_file(tmp_path):
    path = tmp_path / "c.corpus"
    text = "".join(f"<<<FILE {i}>>>\n" + "body line\n" * (i % 7) + "\n" for i in range(100))
    path.write_text(text)
    pieces = plan(Inputs([path]), piece_bytes=50)
    assert pieces[0].start == 0 and pieces[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))
    for p in pieces:
        assert text[p.start :].startswith("<<<FILE ")
        assert p.line == text[: p.start].count("\n") + 1


def test_the_meter_follows_the_pieces(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(f'{{"id": {i}, "text": "t"}}\n' for i in range(100)))
    meter = ReadMeter()
    inputs = Inputs([path])
    positions = [meter.done for _ in read_pieces(inputs, plan(inputs, 200), meter)]
    assert meter.total == os.path.getsize(path) == meter.done
    assert positions == sorted(positions) and positions[0] < meter.total


def test_a_bad_input_is_refused_when_it_is_reached(tmp_path):
    good = tmp_path / "a.jsonl"
    good.write_text('{"id": "x", "text": "t"}\n')
    inputs = Inputs([good, tmp_path / "missing.jsonl", Path(tmp_path / "also-missing")])
    assert _outcome(read_pieces(inputs, plan(inputs, 10))) == _outcome(inputs.documents())
    assert _outcome(inputs.documents())[0] == [("x", "t", {})]
