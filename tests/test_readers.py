"""Readers: folders, text files, JSON lines (gzipped or not), containers, chained inputs."""

from __future__ import annotations

import gzip
import json
import os
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import TEXT_CHARACTERS

from newscorpus.container import dumps
from newscorpus.document import Document
from newscorpus.errors import InputError, InputWarning
from newscorpus.readers import ReadMeter, detect_format, iter_documents, iter_inputs

CORPORA = Path(__file__).parents[2] / "shared" / "corpora"


def read(path, **options) -> list[Document]:
    return list(iter_documents(path, **options))


def read_lenient(path, **options) -> tuple[list[Document], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(iter_documents(path, lenient=True, **options))
    assert all(issubclass(w.category, InputWarning) for w in caught)
    return docs, [str(w.message) for w in caught]


def error(path, **options) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path, **options)
    return caught.value


def write_jsonl(path: Path, records, *, compress: bool = False) -> Path:
    data = "".join(json.dumps(r) + "\n" if not isinstance(r, str) else r for r in records)
    path.write_bytes(gzip.compress(data.encode()) if compress else data.encode())
    return path


# --- format detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.corpus", b"", "container"),
        ("a.jsonl", b"", "jsonl"),
        ("a.NDJSON", b"", "jsonl"),
        ("a.json.gz", b"", "jsonl"),
        ("a.txt", b"", "text"),
        ("a.data", gzip.compress(b'{"text": ""}\n'), "jsonl"),
        ("a.data", b"<<<FILE x>>>\n", "container"),
        ("a.data", b"\xef\xbb\xbf<<<FILE x>>>\n", "container"),
        ("a.data", b'  {"text": ""}\n', "jsonl"),
    ],
)
def test_detect_format(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content)
    assert detect_format(tmp_path / name) == expected


def test_detect_format_of_a_folder_and_of_the_unknown(tmp_path):
    assert detect_format(tmp_path) == "folder"
    (tmp_path / "notes.md").write_text("# Notes\n")
    with pytest.raises(InputError, match="cannot tell the format: expected a folder") as caught:
        detect_format(tmp_path / "notes.md")
    assert caught.value.path == str(tmp_path / "notes.md")
    with pytest.raises(InputError, match="no such file or folder"):
        detect_format(tmp_path / "missing")


def test_unknown_format_name(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        read(tmp_path, format="xml")


# --- text files and folders ----------------------------------------------------------------------


def test_a_text_file_is_one_document_read_byte_exact(tmp_path):
    data = "\ufeffTitle\r\n\r\nBody\u00a0text\rmore\n\n".encode()
    (tmp_path / "story.txt").write_bytes(data)
    assert read(tmp_path / "story.txt") == [Document("story.txt", data.decode())]


def test_a_folder_is_every_txt_below_it_sorted_by_relative_path(tmp_path):
    for name, text in {
        "b.txt": "B",
        "a/z.txt": "AZ",
        "a/b/c.txt": "ABC",
        "A.txt": "",
        "x.md": "no",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    docs = read(tmp_path)
    assert [(d.name, d.text) for d in docs] == [
        ("A.txt", ""),
        ("a/b/c.txt", "ABC"),
        ("a/z.txt", "AZ"),
        ("b.txt", "B"),
    ]
    assert read(tmp_path, format="text") == docs


@given(st.text(TEXT_CHARACTERS))
def test_folder_text_is_exactly_as_stored(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("f")
    (folder / "t.txt").write_bytes(text.encode())
    assert read(folder) == [Document("t.txt", text)]


def test_symbolic_links_never_lead_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "real.txt").write_text("real")
    os.symlink(outside / "secret.txt", root / "leak.txt")
    os.symlink(root / "sub" / "real.txt", root / "alias.txt")
    os.symlink(outside, root / "linked")
    os.symlink(root / "nowhere.txt", root / "broken.txt")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = read(root)
    assert [(d.name, d.text) for d in docs] == [("alias.txt", "real"), ("sub/real.txt", "real")]
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 3
    assert any("leak.txt: symbolic link leading outside" in m for m in messages)
    assert any("linked: symbolic link to a folder not followed" in m for m in messages)
    assert any("broken.txt: not a regular file" in m for m in messages)


def test_invalid_utf8_in_a_text_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"fine\nbad \xe9 byte\n")
    found = error(tmp_path)
    assert (found.path, found.line, found.offset) == (str(tmp_path / "a.txt"), 2, 9)
    assert str(found).endswith(
        "line 2, byte 9: invalid UTF-8: byte 0xE9 (invalid continuation byte), expected UTF-8 text"
    )
    docs, messages = read_lenient(tmp_path)
    assert docs == [Document("a.txt", "fine\nbad \ufffd byte\n")]
    assert "decoded with U+FFFD" in messages[0]


def test_a_nul_byte_makes_a_binary_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"ok\n\x00\x01")
    (tmp_path / "b.txt").write_bytes(b"text")
    found = error(tmp_path)
    assert "binary file" in str(found)
    assert (found.line, found.offset) == (2, 3)
    docs, messages = read_lenient(tmp_path)
    assert docs == [Document("b.txt", "text")]
    assert "skipped" in messages[0]


# --- JSON lines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_jsonl_names_texts_and_fields(tmp_path, compress):
    path = write_jsonl(
        tmp_path / "news.jsonl",
        [
            {"id": 7, "title": "T", "text": "a", "tags": ["x"]},
            "\n",
            "   \n",
            {"name": "n", "text": "b"},
            {"id": None, "text": "c", "date": "2021"},
        ],
        compress=compress,
    )
    docs = read(path)
    assert [(d.name, d.text, dict(d.fields)) for d in docs] == [
        ("7", "a", {"title": "T", "tags": ["x"]}),
        ("n", "b", {}),
        ("news:5", "c", {"id": None, "date": "2021"}),
    ]


def test_gzip_is_detected_by_its_bytes_not_its_name(tmp_path):
    path = write_jsonl(tmp_path / "plain-looking.jsonl", [{"id": "a", "text": "x"}], compress=True)
    assert read(path) == [Document("a", "x")]
    plain = write_jsonl(tmp_path / "x.jsonl.gz", [{"id": "b", "text": "y"}])
    assert read(plain) == [Document("b", "y")]


def test_jsonl_name_and_text_fields(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": 1, "url": "u1", "body": "x"}])
    docs = read(path, name_field="url", text_field="body")
    assert [(d.name, d.text, dict(d.fields)) for d in docs] == [("u1", "x", {"id": 1})]
    found = error(path, name_field="slug", text_field="body")
    assert str(found).startswith(f"{path}, line 1: expected the name field 'slug', it is missing")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "a"}',
            "expected the text field 'text' to be a string, it is missing (keys: 'id')",
        ),
        ('{"id": "a", "text": 5}', "expected the text field 'text' to be a string, found a number"),
        ('{"id": "a", "text": null}', "found null"),
        (
            '{"id": "a", "text": "x"',
            "invalid JSON: Expecting ',' delimiter at character 24 of the line",
        ),
        ('["a"]', "expected a JSON object, found an array"),
        ('"a"', "expected a JSON object, found a string"),
        ("[" * 100_000, "invalid JSON"),
    ],
)
def test_bad_jsonl_lines_name_file_and_line(tmp_path, line, message):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "ok", "text": ""}, line + "\n"])
    found = error(path)
    assert (found.path, found.line) == (str(path), 2)
    assert message in str(found)
    docs, messages = read_lenient(path)
    assert [d.name for d in docs] == ["ok"]
    assert messages[0].startswith(f"{path}, line 2: ") and messages[0].endswith("line skipped")


def test_invalid_utf8_in_jsonl(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n')
    assert "invalid UTF-8: byte 0xE9" in str(error(path))


def test_duplicate_names_in_jsonl(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "1"}, {"id": "x", "text": "2"}])
    found = error(path)
    assert (
        found.line == 2 and "duplicate name 'x'" in str(found) and "first on line 1" in str(found)
    )
    docs, messages = read_lenient(path)
    assert [d.name for d in docs] == ["x", "x (2)"]
    assert "renamed 'x (2)'" in messages[0]


def test_truncated_gzip_is_an_input_error(tmp_path):
    data = gzip.compress(b"".join(b'{"id": %d, "text": "some text"}\n' % i for i in range(2000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    found = error(path)
    assert "corrupt gzip data" in str(found)
    docs, messages = read_lenient(path)
    assert 0 < len(docs) < 2000
    assert "the rest of the file skipped" in messages[0]
    path.write_bytes(data[:2] + b"garbage" * 10)
    assert "corrupt gzip data" in str(error(path))


def test_jsonl_is_read_lazily(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": ""}, "not json\n"])
    stream = iter_documents(path)
    assert next(stream).name == "a"
    with pytest.raises(InputError):
        next(stream)


# --- containers and several inputs ---------------------------------------------------------------


def test_a_container_input(tmp_path):
    path = tmp_path / "s.corpus"
    path.write_text(dumps([("a", "x"), ("b", "y")]))
    assert read(path) == [Document("a", "x"), Document("b", "y")]


def test_iter_inputs_keeps_names_unique_across_inputs(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.txt").write_text("1")
    (tmp_path / "two" / "a.txt").write_text("2")
    (tmp_path / "two" / "b.txt").write_text("3")
    paths = [tmp_path / "one", tmp_path / "two"]
    with pytest.raises(InputError) as caught:
        list(iter_inputs(paths))
    assert str(caught.value) == (
        f"duplicate name 'a.txt': in {tmp_path / 'two' / 'a.txt'} and in "
        f"{tmp_path / 'one' / 'a.txt'}"
    )
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        docs = list(iter_inputs(paths, lenient=True))
    assert [(d.name, d.text) for d in docs] == [("a.txt", "1"), ("a.txt (2)", "2"), ("b.txt", "3")]


def test_missing_input(tmp_path):
    assert "no such file or folder" in str(error(tmp_path / "nope.jsonl"))
    assert "no such file or folder" in str(error(tmp_path / "nope", format="jsonl"))
    with pytest.raises(InputError, match="found a folder"):
        read(tmp_path, format="jsonl")


# --- the real corpora ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("reuters21578", 19_043),
        ("article_comparisons", 2_267),
        ("bbc_news", 2_225),
        ("fakenewscorpus_sample", 250),
    ],
)
def test_the_real_corpora_load_as_they_are(name, count):
    path = CORPORA / f"{name}.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    docs = iter_documents(path)
    first = next(docs)
    assert first.text and "text" not in first.fields and "id" not in first.fields
    assert 1 + sum(1 for _ in docs) == count


def test_the_meter_follows_the_bytes_read_across_inputs(tmp_path):
    lines = "".join(
        json.dumps({"id": f"j{i}", "text": f"story {i} " * 50}) + "\n" for i in range(40)
    )
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    (tmp_path / "b.corpus").write_text(dumps([Document(f"c{i}", "text " * 30) for i in range(5)]))
    folder = tmp_path / "txt"
    folder.mkdir()
    for i in range(3):
        (folder / f"t{i}.txt").write_text("words " * 20)
    (folder / "skip.csv").write_text("not read")
    inputs = [tmp_path / "a.jsonl.gz", tmp_path / "b.corpus", folder]
    meter = ReadMeter()
    seen = []
    for _ in iter_inputs(inputs, meter=meter):
        seen.append(meter.done)
    sizes = [os.path.getsize(p) for p in inputs[:2]] + [3 * len("words " * 20)]
    assert meter.total == sum(sizes)
    assert len(seen) == 48 and seen == sorted(seen)
    assert 0 < seen[0] <= sizes[0] and seen[-1] == meter.total
