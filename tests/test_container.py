"""The <<<FILE name>>> container: round trips, exact bytes, strict errors, lenient repairs."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import article_names, articles, container_bytes, texts

from newscorpus.container import (
    ContainerEntry,
    dumps,
    escape,
    iter_container,
    iter_entries,
    name_problem,
    parse,
    path_problem,
    write,
    write_container,
)
from newscorpus.document import Document
from newscorpus.errors import ContainerError, ContainerWarning


def pairs(docs: list[Document]) -> list[tuple[str, str]]:
    return [(doc.name, doc.text) for doc in docs]


def lenient(data: bytes | str) -> tuple[list[tuple[str, str]], list[ContainerWarning]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = parse(data, path="t.corpus", lenient=True)
    found = [w.message for w in caught]
    assert all(isinstance(message, ContainerWarning) for message in found)
    return pairs(docs), found  # type: ignore[return-value]


def strict_error(data: bytes | str) -> ContainerError:
    with pytest.raises(ContainerError) as caught:
        parse(data, path="t.corpus")
    return caught.value


# --- properties ----------------------------------------------------------------------------------


@given(articles())
def test_round_trip(docs):
    """parse(dumps(x)) == x and dumps(parse(s)) == s, by every way of reading and writing."""
    written = dumps(docs)
    data = written.encode("utf-8")
    assert pairs(parse(written)) == docs
    assert dumps(parse(written)) == written

    entries = list(iter_entries(io.BytesIO(data)))
    assert [entry.document for entry in entries] == parse(data)
    lines = data.split(b"\n")
    for entry in entries:
        assert lines[entry.line - 1] == f"<<<FILE {entry.document.name}>>>".encode()
        assert data[entry.offset :].startswith(b"<<<FILE ")

    binary, text = io.BytesIO(), io.StringIO(newline="")
    assert write(docs, binary) == write(docs, text) == len(docs)
    assert binary.getvalue() == text.getvalue().encode("utf-8") == data


@given(articles())
def test_a_crlf_converted_container_reads_as_crlf_texts(docs):
    docs = [(name, text.replace("\r", "")) for name, text in docs]
    converted = dumps(docs).replace("\n", "\r\n")
    assert pairs(parse(converted)) == [(name, text.replace("\n", "\r\n")) for name, text in docs]


@given(texts())
def test_escaping_is_undone_line_by_line(text):
    escaped = escape(text)
    assert not any(line.startswith("<<<FILE") for line in escaped.split("\n"))
    assert pairs(parse(f"<<<FILE a>>>\n{escaped}\n")) == [("a", text)]


@given(container_bytes())
def test_strict_reading_gives_documents_or_a_container_error(data):
    try:
        docs = parse(data, path="t.corpus")
    except ContainerError as error:
        assert error.path == "t.corpus"
        assert error.line is not None and error.line >= 1
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse(data, lenient=True) == docs


@given(container_bytes())
def test_lenient_reading_never_raises_and_is_always_writable(data):
    docs, _ = lenient(data)
    names = [name for name, _ in docs]
    assert len(set(names)) == len(names)
    assert all(name_problem(name) is None for name in names)
    assert pairs(parse(dumps(docs))) == docs


@given(st.lists(article_names(), min_size=1, max_size=4))
def test_names_come_back_exactly(names):
    docs = [(name, "") for name in dict.fromkeys(names)]
    assert pairs(parse(dumps(docs))) == docs


# --- exact bytes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("x", "<<<FILE a>>>\nx\n"),
        ("", "<<<FILE a>>>\n\n"),
        ("x\n", "<<<FILE a>>>\nx\n\n"),
        ("x\r", "<<<FILE a>>>\nx\r\n"),
        ("x\r\n", "<<<FILE a>>>\nx\r\n\n"),
        ("<<<FILE b>>>", "<<<FILE a>>>\n><<<FILE b>>>\n"),
        (">><<<FILE", "<<<FILE a>>>\n>>><<<FILE\n"),
        (">> quoted", "<<<FILE a>>>\n>> quoted\n"),
        ("a\r<<<FILE b>>>", "<<<FILE a>>>\na\r<<<FILE b>>>\n"),
        ("a\u2028<<<FILE b>>>", "<<<FILE a>>>\na\u2028<<<FILE b>>>\n"),
        ("\ufeffx", "<<<FILE a>>>\n\ufeffx\n"),
    ],
)
def test_writer_output_is_exact(text, written):
    assert dumps([("a", text)]) == written
    assert pairs(parse(written)) == [("a", text)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),
        (b"\xef\xbb\xbf", []),
        (b"\xef\xbb\xbf<<<FILE a>>>\nx\n", [("a", "x")]),
        (b"<<<FILE a>>>", [("a", "")]),
        (b"<<<FILE a>>>\nno final newline", [("a", "no final newline")]),
        (b"<<<FILE a>>>\nx\n<<<FILE b>>>\ny", [("a", "x"), ("b", "y")]),
        (b"<<<FILE a>>>>>>\n", [("a>>>", "")]),
        (b"<<<FILE a>>\n", None),
        (b"<<<FILE a>>>>\n", [("a>", "")]),
        (b"<<<FILE  spaced >>>\n", [(" spaced ", "")]),
        (b"<<<FILE a>>>\r\nx\r\n\r\n<<<FILE b>>>\r\ny\r\n", [("a", "x\r\n"), ("b", "y")]),
        (b"<<<FILE a>>>\r\nx\n", [("a", "x\n")]),
        (b"<<<FILE a>>>\r", [("a", "")]),
        (b"<<<FILE a>>>\n\xef\xbb\xbf\n", [("a", "\ufeff")]),
    ],
)
def test_reader_on_hand_written_files(data, expected):
    if expected is None:
        strict_error(data)
    else:
        assert pairs(parse(data)) == expected


def test_a_str_container_is_read_as_its_utf8_bytes():
    assert parse("<<<FILE caf\u00e9>>>\n\u65b0\u805e\n") == [Document("caf\u00e9", "\u65b0\u805e")]


# --- strict errors -------------------------------------------------------------------------------


def test_text_before_the_first_header():
    error = strict_error(b"Some text\n<<<FILE a>>>\n")
    assert (error.path, error.line) == ("t.corpus", 1)
    assert str(error) == (
        "t.corpus, line 1: expected a header line `<<<FILE name>>>`, found 'Some text'"
    )


def test_a_blank_line_after_a_bom_is_text_before_the_first_header():
    assert strict_error(b"\xef\xbb\xbf\n<<<FILE a>>>\n").line == 1


def test_long_found_text_is_cut_short():
    error = strict_error(b"x" * 500 + b"\n")
    assert "'" + "x" * 40 + "...'" in str(error)
    assert len(str(error)) < 150


@pytest.mark.parametrize("line", [b"<<<FILE", b"<<<FILEx>>>", b"<<<FILE a>>> b", b"<<<FILE a>>"])
def test_malformed_header(line):
    error = strict_error(b"<<<FILE ok>>>\ntext\n" + line + b"\n")
    assert error.line == 3
    assert "malformed header" in str(error)
    assert repr(line.decode()) in str(error)


def test_empty_name():
    error = strict_error(b"<<<FILE a>>>\n<<<FILE >>>\n")
    assert error.line == 2
    assert "empty name" in str(error)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        (b"a\tb", "U+0009"),
        (b"a\xc2\x85", "U+0085"),
        (b"a\xe2\x80\xa8", "U+2028"),
        (b"\x7f", "U+007F"),
    ],
)
def test_forbidden_character_in_a_name(name, code):
    error = strict_error(b"<<<FILE " + name + b">>>\n")
    assert error.line == 1
    assert code in str(error)


def test_duplicate_name_says_where_the_first_one_is():
    error = strict_error(b"<<<FILE a>>>\nx\n<<<FILE b>>>\n<<<FILE a>>>\n")
    assert error.line == 4
    assert "duplicate name 'a'" in str(error)
    assert "first on line 1" in str(error)


@pytest.mark.parametrize(
    ("data", "line", "offset"),
    [
        (b"<<<FILE a>>>\nok\nbad \xff here\n", 3, 20),
        (b"<<<FILE a\xfe>>>\n", 1, 9),
        (b"\xef\xbb\xbf<<<FILE a>>>\n>><<<FILE \xc3(\n", 2, 26),
        (b"<<<FILE a>>>\r\nx\xe2\x82", 2, 15),
        (b"<<<FILE a>>>\n\xed\xa0\x80\n", 2, 13),
    ],
)
def test_invalid_utf8_gives_line_and_byte_offset(data, line, offset):
    error = strict_error(data)
    assert (error.line, error.offset) == (line, offset)
    assert f"line {line}, byte {offset}: invalid UTF-8: byte 0x{data[offset]:02X}" in str(error)


def test_nul_is_binary_data():
    error = strict_error(b"<<<FILE a>>>\nok\nx\0y\n")
    assert (error.line, error.offset) == (3, 17)
    assert "binary data" in str(error)


def test_utf16_is_binary_data():
    assert "binary data" in str(strict_error("<<<FILE a>>>\n".encode("utf-16")))


def test_the_first_problem_in_the_file_is_reported():
    data = b"<<<FILE a>>>\nbad \xff\n<<<FILE\n"
    assert strict_error(data).line == 2
    assert strict_error(b"<<<FILE a>>>\nbad \xff\nnul \0\n").line == 2


def test_articles_before_an_error_are_yielded_first():
    stream = iter_container(io.BytesIO(b"<<<FILE a>>>\nx\n<<<FILE a>>>\n"))
    assert next(stream) == Document("a", "x")
    with pytest.raises(ContainerError):
        next(stream)


# --- lenient repairs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected", "problems"),
    [
        (b"junk\nmore\n<<<FILE a>>>\nx\n", [("a", "x")], ["line 1: text before the first"]),
        (b"<<<FILE a>>>\n<<<FILE\nx\n", [("a", "<<<FILE\nx")], ["line 2: malformed header"]),
        (b"<<<FILE >>>\n", [("unnamed-line-1", "")], ["line 1: empty name"]),
        (b"<<<FILE a\tb>>>\n", [("a\ufffdb", "")], ["line 1: the name 'a\\tb'"]),
        (
            b"<<<FILE a>>>\n<<<FILE a>>>\n<<<FILE a (2)>>>\n<<<FILE a>>>\n",
            [("a", ""), ("a (2)", ""), ("a (2) (2)", ""), ("a (3)", "")],
            ["line 2: duplicate", "line 3: duplicate", "line 4: duplicate"],
        ),
        (b"<<<FILE a>>>\nb\xffd\n", [("a", "b\ufffdd")], ["line 2, byte 14: invalid UTF-8"]),
        (b"<<<FILE a\xff>>>\n", [("a\ufffd", "")], ["line 1, byte 9: invalid UTF-8"]),
        (b"<<<FILE a>>>\nn\0u\0l\n", [("a", "nul")], ["line 2, byte 14: binary data"]),
    ],
)
def test_lenient_repairs_and_warns(data, expected, problems):
    docs, found = lenient(data)
    assert docs == expected
    assert len(found) == len(problems)
    for message, problem in zip(found, problems, strict=True):
        assert str(message).startswith(f"t.corpus, {problem}")


def test_a_lenient_name_repair_stays_unique():
    docs, _ = lenient(
        b"<<<FILE unnamed-line-2>>>\n<<<FILE >>>\n<<<FILE a\tb>>>\n<<<FILE a\xef\xbf\xbdb>>>\n"
    )
    assert [name for name, _ in docs] == [
        "unnamed-line-2",
        "unnamed-line-2 (2)",
        "a\ufffdb",
        "a\ufffdb (2)",
    ]


# --- writing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        ([("", "x")], "the name is empty"),
        ([("a\nb", "x")], "U+000A"),
        ([("a\u2029", "x")], "U+2029"),
        ([("a", "x"), ("a", "y")], "article 1 has the same name"),
        ([("a", "nul \0 here")], "U+0000 at character 4, NUL"),
        ([("a", "\ud800")], "lone surrogate"),
        ([("a\udc80", "")], "lone surrogate"),
    ],
)
def test_writer_refuses(docs, message):
    with pytest.raises(ContainerError, match="cannot write article") as caught:
        dumps(docs)
    assert message in str(caught.value)


def test_writer_takes_documents_and_pairs():
    assert dumps([Document("a", "x"), ("b", "y")]) == "<<<FILE a>>>\nx\n<<<FILE b>>>\ny\n"


def test_writer_refuses_a_non_utf8_text_stream():
    with pytest.raises(ValueError, match="UTF-8"):
        write([("a", "x")], io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))


def test_reader_refuses_a_text_stream():
    with pytest.raises(TypeError, match="binary mode"):
        list(iter_container(io.StringIO("<<<FILE a>>>\n")))


def test_write_container_is_atomic(tmp_path):
    target = tmp_path / "s.corpus"
    assert write_container(target, [("a", "x")]) == 1
    assert target.read_bytes() == b"<<<FILE a>>>\nx\n"

    def failing():
        yield Document("b", "y")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_container(target, failing())
    with pytest.raises(ContainerError):
        write_container(target, [("a", "x"), ("a", "x")])
    assert target.read_bytes() == b"<<<FILE a>>>\nx\n"
    assert os.listdir(tmp_path) == ["s.corpus"]


def test_write_container_respects_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_container(tmp_path / "s.corpus", [])
    finally:
        os.umask(old)
    assert (tmp_path / "s.corpus").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "s.corpus").read_bytes() == b""


# --- streaming -----------------------------------------------------------------------------------


def test_reading_holds_one_article_at_a_time():
    consumed = []

    def lines():
        for number in range(1, 1_000_000):
            consumed.append(number)
            yield f"<<<FILE {number}>>>\n".encode()
            yield b"text\n"

    stream = iter_container(lines())  # type: ignore[arg-type]
    assert next(stream) == Document("1", "text")
    assert next(stream) == Document("2", "text")
    assert len(consumed) == 3


def test_iter_entries_reads_a_path(tmp_path):
    path = tmp_path / "s.corpus"
    path.write_bytes(b"<<<FILE a>>>\nx\n<<<FILE b>>>\ny\n")
    assert list(iter_entries(path)) == [
        ContainerEntry(Document("a", "x"), 1, 0),
        ContainerEntry(Document("b", "y"), 3, 15),
    ]
    with pytest.raises(FileNotFoundError):
        list(iter_container(tmp_path / "missing.corpus"))


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a.txt", None),
        ("world/2021/paris.txt", None),
        (" spaced name .txt", None),
        ("..x/y..", None),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("C:evil", "a drive letter ('C:') is not allowed"),
        ("\\\\server\\x", "backslashes are not allowed"),
        ("a\\b", "backslashes are not allowed"),
        ("../../x", "'..' components are not allowed"),
        ("a/../b", "'..' components are not allowed"),
        ("./a", "'.' components are not allowed"),
        ("a//b", "empty path components"),
        ("a/", "empty path components"),
        ("a\0b", "U+0000, a control character, is not allowed"),
        ("x" * 256, "longer than 255 bytes"),
        ("\u00e9" * 128, "longer than 255 bytes"),
        ("", "the name is empty"),
    ],
)
def test_path_problem(name, problem):
    found = path_problem(name)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


# --- the specification ---------------------------------------------------------------------------


def test_the_worked_example_in_the_specification_is_what_the_writer_writes():
    spec = (Path(__file__).parents[1] / "docs" / "container.md").read_text(encoding="utf-8")
    example = spec.split("## Worked example", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    docs = [
        ("world/paris.txt", "PARIS, July 15 - Talks resumed.\n\nMore later."),
        ("empty.txt", ""),
        ("notes.txt", "<<<FILE fake>>>\n><<<FILE quoted\n>> a reply\n"),
        ("a >>> b>", "x\r\ny\r\n"),
    ]
    assert example.replace("\u240d", "\r") == dumps(docs)
