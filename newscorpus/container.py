"""Read and write ``<<<FILE name>>>`` containers: many articles in one UTF-8 text file.

Each article is a header line ``<<<FILE name>>>`` followed by its text. The writer escapes text
lines that look like headers (mboxrd style) and always ends an article with one separator
newline, so every text except one holding NUL comes back exactly. docs/container.md is the
specification; this module implements it.

>>> data = dumps([("a.txt", "First.\\n"), ("b.txt", "<<<FILE not a header>>>")])
>>> print(data, end="")
<<<FILE a.txt>>>
First.
<BLANKLINE>
<<<FILE b.txt>>>
><<<FILE not a header>>>
>>> [(doc.name, doc.text) for doc in parse(data)]
[('a.txt', 'First.\\n'), ('b.txt', '<<<FILE not a header>>>')]
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import io
import os
import secrets
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import attrs
import regex

from newscorpus.document import Document
from newscorpus.errors import ContainerError, ContainerWarning

_MARK = b"<<<FILE"
_PREFIX = b"<<<FILE "
_SUFFIX = b">>>"
_BOM = codecs.BOM_UTF8

# What a name may not hold: control characters (Cc: \t \n \r NUL \x85 ...) and the two Unicode
# line separators, so a header is always one line in every editor and every line splitter; and
# lone surrogates, which UTF-8 cannot encode (only a name built in Python can hold one).
_FORBIDDEN = regex.compile(r"[\p{Cc}\u2028\u2029\ud800-\udfff]")
# A text line the reader would take for a header, or for an escaped one: it gets one more ">".
# ``^`` with MULTILINE matches after "\n" only (not after "\r" or U+2028), like the reader's split.
_NEEDS_ESCAPE = regex.compile(r"^(?=>*<<<FILE)", regex.MULTILINE)
# What a container cannot hold: NUL (a container is text) and lone surrogates (not encodable).
_UNWRITABLE = regex.compile(r"[\x00\ud800-\udfff]")
_DRIVE = regex.compile(r"[A-Za-z]:")

_MAX_COMPONENT_BYTES = 255
_SHORT = 40


@attrs.frozen
class ContainerEntry:
    """One article read from a container, with where its header line is.

    ``line`` is 1-based; ``offset`` counts bytes from the start of the file.
    """

    document: Document
    line: int
    offset: int


# --- names ---------------------------------------------------------------------------------------


def name_problem(name: str) -> str | None:
    """Say why ``name`` cannot name an article in a container, or return None if it can.

    A name is non-empty and holds any character except control characters and U+2028/U+2029.

    >>> name_problem("politics/2021-07-15 Paris >>> London.txt") is None
    True
    >>> name_problem("")
    'the name is empty'
    >>> name_problem("a\\tb")
    'the name holds U+0009, a control character'
    """
    if not name:
        return "the name is empty"
    found = _FORBIDDEN.search(name)
    if found:
        return f"the name holds {_describe(found.group())}"
    return None


def path_problem(name: str) -> str | None:
    """Say why ``name`` is not a safe relative path to unpack an article to, or None if it is.

    Refused: absolute paths (``/x``, ``C:x``, ``\\\\x``), backslashes, ``.`` and ``..``
    components, empty components (``a//b``, ``a/``), control characters, and components longer
    than 255 bytes in UTF-8.

    >>> path_problem("world/paris.txt") is None
    True
    >>> path_problem("../../x")
    "'..' components are not allowed"
    >>> path_problem("C:x")
    "a drive letter ('C:') is not allowed"
    """
    if not name:
        return "the name is empty"
    if name.startswith("/"):
        return "absolute paths are not allowed"
    if _DRIVE.match(name):
        return f"a drive letter ({name[:2]!r}) is not allowed"
    if "\\" in name:
        return "backslashes are not allowed"
    found = _FORBIDDEN.search(name)
    if found:
        return f"{_describe(found.group())}, is not allowed"
    for part in name.split("/"):
        if part in (".", ".."):
            return f"{part!r} components are not allowed"
        if not part:
            return "empty path components ('a//b', a trailing '/') are not allowed"
        if len(part.encode("utf-8")) > _MAX_COMPONENT_BYTES:
            return f"the component {_short(part)} is longer than {_MAX_COMPONENT_BYTES} bytes"
    return None


def _describe(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        kind = "a lone surrogate"
    else:
        kind = {"\u2028": "a line separator", "\u2029": "a paragraph separator"}.get(
            char, "a control character"
        )
    return f"U+{ord(char):04X}, {kind}"


def _short(text: str) -> str:
    """``repr`` of ``text`` cut to a length that fits in an error message.

    >>> _short("x" * 50)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
    """
    return repr(text if len(text) <= _SHORT else text[:_SHORT] + "...")


class _NameBook:
    """The names given out so far, where each was first seen, and lenient renaming.

    Shared by every reader that must keep names unique (containers, JSON lines, chained inputs).
    """

    def __init__(self) -> None:
        self._first: dict[str, Any] = {}
        self._next_suffix: dict[str, int] = {}

    def first(self, name: str) -> Any:
        """Where ``name`` was first seen, or None if it is still free."""
        return self._first.get(name)

    def add(self, name: str, where: Any) -> None:
        self._first[name] = where

    def free_variant(self, name: str) -> str:
        """``name`` with the first suffix `` (2)``, `` (3)`` ... that is still free."""
        number = self._next_suffix.get(name, 2)
        while f"{name} ({number})" in self._first:
            number += 1
        self._next_suffix[name] = number + 1
        return f"{name} ({number})"


# --- reading -------------------------------------------------------------------------------------


def iter_container(
    source: str | os.PathLike[str] | IO[bytes], *, lenient: bool = False
) -> Iterator[Document]:
    """Yield the articles of a container one at a time, holding only the current one in memory.

    ``source`` is a path or a file opened in binary mode. Strict mode raises
    :class:`~newscorpus.errors.ContainerError` (a ValueError) at the first problem, naming the
    file, line and, for bad bytes, the byte offset. ``lenient=True`` never raises for content:
    it repairs or skips each problem and reports it as a
    :class:`~newscorpus.errors.ContainerWarning` (see docs/container.md for the repairs).
    """
    for entry in iter_entries(source, lenient=lenient):
        yield entry.document


def iter_entries(
    source: str | os.PathLike[str] | IO[bytes], *, lenient: bool = False
) -> Iterator[ContainerEntry]:
    """Like :func:`iter_container`, but say on which line (and byte) each article's header is."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fsdecode(source)
        with open(path, "rb") as fp:
            yield from _Reader(path, lenient).read(fp)
        return
    if isinstance(source, io.TextIOBase):
        raise TypeError("open the container in binary mode ('rb'): it is read as bytes")
    name = getattr(source, "name", None)
    yield from _Reader(name if isinstance(name, str) else None, lenient).read(source)


def parse(data: str | bytes, *, path: str | None = None, lenient: bool = False) -> list[Document]:
    """Read a whole container held in memory; ``path`` is only used in messages.

    A ``str`` is read as its UTF-8 encoding (byte offsets in errors count those bytes).

    >>> [doc.name for doc in parse("<<<FILE a>>>\\nx\\n<<<FILE b>>>\\ny\\n")]
    ['a', 'b']
    >>> try:
    ...     parse("oops\\n<<<FILE a>>>\\n", path="s.corpus")
    ... except ContainerError as error:
    ...     print(error.path, error.line, error.reason)
    s.corpus 1 expected a header line `<<<FILE name>>>`, found 'oops'
    """
    if isinstance(data, str):
        # surrogatepass: a lone surrogate becomes bytes that fail as invalid UTF-8, with a place.
        data = data.encode("utf-8", "surrogatepass")
    return [entry.document for entry in _Reader(path, lenient).read(io.BytesIO(data))]


def _split_header(line: bytes) -> tuple[bytes, bool] | None:
    """The raw name of a header line and whether it ended with "\\r\\n", or None if no header.

    >>> _split_header(b"<<<FILE a>>>>>>\\r\\n")
    (b'a>>>', True)
    >>> _split_header(b"<<<FILE a>>> b\\n") is None
    True
    """
    content = line[:-1] if line.endswith(b"\n") else line
    crlf = content.endswith(b"\r")
    if crlf:
        content = content[:-1]
    if (
        len(content) >= len(_PREFIX) + len(_SUFFIX)
        and content.startswith(_PREFIX)
        and content.endswith(_SUFFIX)
    ):
        return content[len(_PREFIX) : -len(_SUFFIX)], crlf
    return None


def _unescape(line: bytes) -> bytes:
    """Drop the ``>`` the writer added to a header-like text line.

    >>> _unescape(b">><<<FILE x>>>\\n")
    b'><<<FILE x>>>\\n'
    >>> _unescape(b">> quoted\\n")
    b'>> quoted\\n'
    """
    if line.startswith(b">") and line.lstrip(b">").startswith(_MARK):
        return line[1:]
    return line


def _found(line: bytes) -> str:
    return _short(line.rstrip(b"\n").decode("utf-8", "replace"))


class _Article:
    """The article being read: its header, and its body lines as read so far.

    For each body line it keeps where the line starts in the joined body, its line number, its
    file offset and how many bytes unescaping removed from its front, to point at a bad byte.
    """

    def __init__(self, name: str, line: int, offset: int, crlf: bool) -> None:
        self.name, self.line, self.offset, self.crlf = name, line, offset, crlf
        self.parts: list[bytes] = []
        self.starts: list[int] = []
        self.origins: list[tuple[int, int, int]] = []
        self.size = 0

    def append(self, line: bytes, number: int, start: int) -> None:
        body = _unescape(line)
        self.starts.append(self.size)
        self.origins.append((number, start, len(line) - len(body)))
        self.parts.append(body)
        self.size += len(body)

    def locate(self, position: int) -> tuple[int, int]:
        """The line and file offset of byte ``position`` of the joined body."""
        index = bisect.bisect_right(self.starts, position) - 1
        line, start, removed = self.origins[index]
        return line, start + removed + position - self.starts[index]


class _Reader:
    """One pass over one container: names seen, problems reported, the article being read."""

    def __init__(
        self,
        path: str | None,
        lenient: bool,
        *,
        on_begin: Callable[[str, int], None] | None = None,
    ) -> None:
        self.path = path
        self.lenient = lenient
        # A piece of a container read on its own (newscorpus.pieces) does not check names:
        # it passes each header's name and line to ``on_begin``, for the reader of the whole.
        self.on_begin = on_begin
        self.names = _NameBook()
        self.preamble_reported = False
        self.article: _Article | None = None

    def read(
        self, fp: IO[bytes], *, first_line: int = 1, offset: int = 0
    ) -> Iterator[ContainerEntry]:
        """The articles of ``fp``: the whole container, or a piece of it that begins at a header
        on line ``first_line``, ``offset`` bytes into the file."""
        for number, raw in enumerate(fp, first_line):
            line, start = raw, offset
            offset += len(raw)
            if number == 1 and line.startswith(_BOM):
                line, start = line[len(_BOM) :], start + len(_BOM)
                if not line:
                    continue
            if b"\0" in line:
                line = self._binary(line, number, start)
            if line.startswith(_MARK):
                header = _split_header(line)
                if header is not None:
                    if self.article is not None:
                        yield self._finish(self.article)
                    self._begin(header[0], header[1], number, start)
                    continue
                self._problem(
                    f"malformed header: expected `<<<FILE name>>>`, found {_found(line)}"
                    " (a text line starting with `<<<FILE` is written as `><<<FILE`)",
                    number,
                    repair="kept as text",
                )
            if self.article is None:
                if not self.lenient:
                    self._fail(
                        f"expected a header line `<<<FILE name>>>`, found {_found(line)}", number
                    )
                if not self.preamble_reported:
                    self.preamble_reported = True
                    self._warn("text before the first header line skipped", number)
                continue
            self.article.append(line, number, start)
        if self.article is not None:
            yield self._finish(self.article)

    # -- problems --

    def _fail(self, message: str, line: int, offset: int | None = None) -> None:
        # Report problems in file order: an earlier bad byte in the body read so far comes first.
        self._check_body()
        raise ContainerError(message, path=self.path, line=line, offset=offset)

    def _warn(self, message: str, line: int, offset: int | None = None) -> None:
        warnings.warn(
            ContainerWarning(message, path=self.path, line=line, offset=offset), stacklevel=4
        )

    def _problem(self, message: str, line: int, offset: int | None = None, *, repair: str) -> None:
        if not self.lenient:
            self._fail(message, line, offset)
        self._warn(f"{message}; {repair}", line, offset)

    def _binary(self, line: bytes, number: int, start: int) -> bytes:
        self._problem(
            "binary data: found a NUL byte, expected UTF-8 text",
            number,
            start + line.index(b"\0"),
            repair="NUL bytes dropped",
        )
        return line.replace(b"\0", b"")

    # -- articles --

    def _begin(self, raw_name: bytes, crlf: bool, number: int, start: int) -> None:
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError as error:
            self._problem(
                _bad_utf8(error, raw_name),
                number,
                start + len(_PREFIX) + error.start,
                repair="decoded with U+FFFD",
            )
            name = raw_name.decode("utf-8", "replace")
        if not name:
            name = f"unnamed-line-{number}"
            self._problem(
                "empty name: expected `<<<FILE name>>>` with at least one character in the name",
                number,
                repair=f"named {name!r}",
            )
        found = _FORBIDDEN.search(name)
        if found:
            bad = name
            name = _FORBIDDEN.sub("\ufffd", name)
            self._problem(
                f"the name {bad!r} holds {_describe(found.group())}, which names may not hold",
                number,
                repair=f"named {name!r}",
            )
        if self.on_begin is None:
            name = self.unique(name, number)
        else:
            self.on_begin(name, number)
        self.article = _Article(name, number, start, crlf)

    def unique(self, name: str, number: int) -> str:
        """``name``, the article's on line ``number``, if no article before had it; else a
        problem (renamed ``name (2)``... when lenient)."""
        first = self.names.first(name)
        if first is not None:
            new = self.names.free_variant(name)
            self._problem(
                f"duplicate name {name!r}: expected each name once, it is first on line {first}",
                number,
                repair=f"renamed {new!r}",
            )
            name = new
        self.names.add(name, number)
        return name

    def _finish(self, article: _Article) -> ContainerEntry:
        self.article = None
        data = b"".join(article.parts)
        ending = b"\r\n" if article.crlf else b"\n"
        if data.endswith(ending):
            data = data[: -len(ending)]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line, offset = article.locate(error.start)
            self._problem(_bad_utf8(error, data), line, offset, repair="decoded with U+FFFD")
            text = data.decode("utf-8", "replace")
        return ContainerEntry(Document(article.name, text), article.line, article.offset)

    def _check_body(self) -> None:
        if self.article is None:
            return
        data = b"".join(self.article.parts)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line, offset = self.article.locate(error.start)
            raise ContainerError(
                _bad_utf8(error, data), path=self.path, line=line, offset=offset
            ) from None


def _bad_utf8(error: UnicodeDecodeError, data: bytes) -> str:
    return f"invalid UTF-8: byte 0x{data[error.start]:02X} ({error.reason}), expected UTF-8 text"


# --- writing -------------------------------------------------------------------------------------


def write(docs: Iterable[Document | tuple[str, str]], fp: IO[Any]) -> int:
    """Write articles to ``fp`` as a container and return how many were written.

    ``docs`` holds :class:`Document` objects or ``(name, text)`` pairs and is consumed as a
    stream. ``fp`` is a binary stream or a UTF-8 text stream opened with ``newline=""`` (any
    newline translation would change the texts). Raises
    :class:`~newscorpus.errors.ContainerError` for an invalid or repeated name and for a text
    holding NUL or a lone surrogate, before writing that article.
    """
    text_mode = isinstance(fp, io.TextIOBase)
    encoding = getattr(fp, "encoding", None) if text_mode else None
    if encoding is not None and codecs.lookup(encoding).name != "utf-8":
        raise ValueError(f"a container is UTF-8; the stream's encoding is {encoding!r}")
    names = _NameBook()
    count = 0
    for count, doc in enumerate(docs, 1):
        chunk = _article(doc, count, names)
        fp.write(chunk if text_mode else chunk.encode("utf-8"))
    return count


def dumps(docs: Iterable[Document | tuple[str, str]]) -> str:
    """The container holding ``docs``, as a string.

    >>> dumps([("a", "x"), ("b", ""), ("c", "y\\n")])
    '<<<FILE a>>>\\nx\\n<<<FILE b>>>\\n\\n<<<FILE c>>>\\ny\\n\\n'
    """
    buffer = io.StringIO(newline="")
    write(docs, buffer)
    return buffer.getvalue()


def escape(text: str) -> str:
    """Give every line of ``text`` that starts with ``>``s and ``<<<FILE`` one more ``>``.

    >>> escape("<<<FILE x>>>\\n>> quoted\\n><<<FILE")
    '><<<FILE x>>>\\n>> quoted\\n>><<<FILE'
    """
    return _NEEDS_ESCAPE.sub(">", text)


def _article(doc: Document | tuple[str, str], number: int, names: _NameBook) -> str:
    if not isinstance(doc, Document):
        name, text = doc
        doc = Document(name, text)
    where = f"cannot write article {number} ({_short(doc.name)})"
    problem = name_problem(doc.name)
    if problem is not None:
        raise ContainerError(f"{where}: {problem}")
    first = names.first(doc.name)
    if first is not None:
        raise ContainerError(f"{where}: article {first} has the same name")
    names.add(doc.name, number)
    found = _UNWRITABLE.search(doc.text)
    if found:
        what = (
            "NUL, which a container cannot hold"
            if found.group() == "\0"
            else ("a lone surrogate, which UTF-8 cannot encode")
        )
        raise ContainerError(
            f"{where}: the text holds U+{ord(found.group()):04X} at character {found.start()}, "
            f"{what}"
        )
    return f"<<<FILE {doc.name}>>>\n{escape(doc.text)}\n"


def write_container(
    path: str | os.PathLike[str], docs: Iterable[Document | tuple[str, str]]
) -> int:
    """Write ``docs`` to the container file ``path`` atomically; return how many were written.

    The articles go to a temporary file in the same folder, which is flushed to disk and then
    renamed over ``path``: a failure (a bad article, a full disk, Ctrl-C) leaves ``path`` as it
    was and removes the temporary file.
    """
    target = os.path.abspath(os.fsdecode(path))
    folder, base = os.path.split(target)
    temporary = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as fp:
            count = write(docs, fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return count


def _sync_folder(folder: str) -> None:
    # Makes the rename durable on POSIX; folders cannot be opened this way on Windows.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
