"""One stream of :class:`~newscorpus.document.Document` from every input users have.

Four formats, read as generators so that no input is ever loaded whole:

``container``
    a ``<<<FILE name>>>`` container (see :mod:`newscorpus.container`);
``folder``
    every ``*.txt`` file below a folder, named by its POSIX path relative to the folder;
``jsonl``
    JSON lines, gzipped or not, one article per object;
``text``
    one text file, named by its file name (a folder given as ``text`` is read as ``folder``).

Strict reading (the default) raises :class:`~newscorpus.errors.InputError` (a ValueError) at the
first problem, saying where; ``lenient=True`` skips or repairs each problem and reports it as an
:class:`~newscorpus.errors.InputWarning`.
"""

from __future__ import annotations

import gzip
import json
import os
import warnings
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

import attrs

from newscorpus import locations
from newscorpus.container import _NameBook, _Reader
from newscorpus.document import Document
from newscorpus.errors import InputError, InputWarning

FORMATS = ("container", "folder", "jsonl", "text")

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_UNDERSTOOD = (
    "a folder of .txt files, a .corpus container, JSON lines (.jsonl, .ndjson or .json, "
    "optionally gzipped) or a .txt file"
)
_JSON_TYPES = {
    "list": "an array",
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "NoneType": "null",
    "dict": "an object",
}

PathLike = str | os.PathLike[str]


def detect_format(path: PathLike) -> str:
    """Say which of :data:`FORMATS` ``path`` holds, from its kind, its name or its first bytes.

    A folder is ``folder``; ``*.corpus`` is ``container``; ``*.jsonl``, ``*.ndjson``, ``*.json``
    (each optionally ``.gz``) are ``jsonl``; ``*.txt`` is ``text``. Any other file is sniffed:
    gzip data is ``jsonl``, a first line starting with ``<<<FILE `` is ``container``, one
    starting with ``{`` is ``jsonl``. Raises :class:`~newscorpus.errors.InputError` otherwise.
    """
    where = os.fsdecode(path)
    if locations.is_dir(path):
        return "folder"
    if not locations.lexists(path):
        raise InputError("no such file or folder", path=where)
    name = os.path.basename(where.rstrip("/")).lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    if name.endswith(".corpus"):
        return "container"
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(".txt"):
        return "text"
    with locations.open_binary(path) as fp:
        head = fp.readline(4096)
    if head.startswith(_GZIP_MAGIC):
        return "jsonl"
    head = head.removeprefix(_BOM)
    if head.startswith(b"<<<FILE "):
        return "container"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    raise InputError(f"cannot tell the format: expected {_UNDERSTOOD}", path=where)


@attrs.define
class ReadMeter:
    """How far reading the inputs has got, in bytes of the input files (compressed bytes for
    gzip): ``done`` of ``total``. Pass one to `iter_inputs` for an estimate of the time left.
    """

    total: int = 0
    done: int = 0
    _base: int = 0

    def at(self, position: int) -> None:
        """The reader of the current input is ``position`` bytes into it."""
        self.done = self._base + position

    def next_input(self) -> None:
        """The inputs read so far are done; positions are now in the next one."""
        self._base = self.done


def input_size(path: PathLike) -> int:
    """Bytes of an input: the file, or the ``.txt`` files of a folder (0 if unreadable)."""
    try:
        if locations.is_url(path):
            if not locations.is_dir(path):
                return locations.size(path)
            return sum(locations.size(u) for _, u in locations.url_files(os.fsdecode(path), ".txt"))
        if not os.path.isdir(path):
            return os.path.getsize(path)
        return sum(
            os.path.getsize(os.path.join(folder, f))
            for folder, _, files in os.walk(path)
            for f in files
            if f.endswith(".txt") and os.path.isfile(os.path.join(folder, f))
        )
    except OSError:
        return 0


def iter_documents(
    path: PathLike,
    *,
    format: str | None = None,
    name_field: str | None = None,
    text_field: str = "text",
    lenient: bool = False,
    meter: ReadMeter | None = None,
) -> Iterator[Document]:
    """Yield the documents of one input, one at a time.

    ``format`` is one of :data:`FORMATS`, or None to detect it (:func:`detect_format`).
    ``name_field`` and ``text_field`` apply to JSON lines: the name is ``name_field`` if given,
    else ``id``, else ``name``, else ``"{file stem}:{line number}"``; every other key goes to
    ``Document.fields`` unchanged. ``meter``, if given, follows the position in the input.
    """
    meter = meter or ReadMeter()
    where = os.fsdecode(path)
    if format is None:
        format = detect_format(path)
    elif format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    elif not locations.lexists(path):
        raise InputError("no such file or folder", path=where)
    is_folder = locations.is_dir(path)
    if format == "folder" or (format == "text" and is_folder):
        if not is_folder:
            raise InputError("expected a folder, found a file", path=where)
        yield from _iter_folder(where, lenient, meter)
        return
    if is_folder:
        raise InputError(f"expected a {format} file, found a folder", path=where)
    if format == "container":
        with locations.open_binary(where) as fp:
            for entry in _Reader(where, lenient).read(fp):
                meter.at(fp.tell())
                yield entry.document
    elif format == "jsonl":
        yield from _iter_jsonl(where, name_field, text_field, lenient, meter)
    else:
        document = _read_text_file(where, os.path.basename(where.rstrip("/")), lenient)
        meter.at(input_size(where))
        if document is not None:
            yield document


@attrs.frozen
class Inputs:
    """Inputs named by path, with how to read them (the arguments of `iter_inputs`).

    `newscorpus.build.build` takes one in place of documents; the local engine reads them here
    with `iter_inputs`, the Dask engine on its workers, piece by piece, with the same result.

    >>> Inputs("seeds").paths
    ('seeds',)
    """

    paths: tuple[str, ...] = attrs.field(converter=lambda p: _as_paths(p))
    format: str | None = None
    name_field: str | None = None
    text_field: str = "text"
    lenient: bool = False

    def documents(self, meter: ReadMeter | None = None) -> Iterator[Document]:
        """The documents of the inputs, in order (`iter_inputs`)."""
        return iter_inputs(
            self.paths,
            format=self.format,
            name_field=self.name_field,
            text_field=self.text_field,
            lenient=self.lenient,
            meter=meter,
        )


def _as_paths(paths: PathLike | Iterable[PathLike]) -> tuple[str, ...]:
    if isinstance(paths, (str, os.PathLike)):
        return (os.fsdecode(paths),)
    return tuple(os.fsdecode(p) for p in paths)


def iter_inputs(
    paths: Iterable[PathLike],
    *,
    format: str | None = None,
    name_field: str | None = None,
    text_field: str = "text",
    lenient: bool = False,
    meter: ReadMeter | None = None,
) -> Iterator[Document]:
    """Yield the documents of several inputs in turn, keeping names unique across them.

    Arguments are those of :func:`iter_documents`, applied to every input. A name met twice
    raises :class:`~newscorpus.errors.InputError` naming both sources; ``lenient=True`` renames
    the later one ``name (2)``, ``name (3)`` ... with a warning. ``meter``, if given, gets the
    inputs' total size at once and follows the bytes read.
    """
    paths = list(paths)
    names = InputNames(lenient)
    if meter is not None:
        meter.total = sum(input_size(p) for p in paths)
    for path in paths:
        where = os.fsdecode(path)
        kind = format if format is not None else detect_format(path)
        folder = locations.is_dir(path) and kind in ("folder", "text")
        if meter is not None:
            meter.next_input()
        for document in iter_documents(
            path,
            format=kind,
            name_field=name_field,
            text_field=text_field,
            lenient=lenient,
            meter=meter,
        ):
            source = locations.join(where, document.name) if folder else where
            yield names.unique(document, source)


class InputNames:
    """The names met so far across inputs, with where each was first met."""

    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.book = _NameBook()

    def unique(self, document: Document, source: str) -> Document:
        """``document``, read from ``source``, if no input before had its name; else an error
        (renamed ``name (2)``... when lenient)."""
        first = self.book.first(document.name)
        if first is not None:
            message = f"duplicate name {document.name!r}: in {source} and in {first}"
            if not self.lenient:
                raise InputError(message)
            new = self.book.free_variant(document.name)
            _warn(f"{message}; renamed {new!r}")
            document = attrs.evolve(document, name=new)
        self.book.add(document.name, source)
        return document


# --- text files and folders ----------------------------------------------------------------------


def _read_text_file(path: str, name: str, lenient: bool) -> Document | None:
    """The file as one document, decoded exactly as stored; None if lenient skips it."""
    data = locations.read_bytes(path)
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        message = "binary file: found a NUL byte, expected UTF-8 text"
        if not lenient:
            raise InputError(message, path=path, line=line, offset=nul)
        _warn(f"{message}; skipped", path=path, line=line, offset=nul)
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = (
            f"invalid UTF-8: byte 0x{data[error.start]:02X} ({error.reason}), expected UTF-8 text"
        )
        if not lenient:
            raise InputError(message, path=path, line=line, offset=error.start) from None
        _warn(f"{message}; decoded with U+FFFD", path=path, line=line, offset=error.start)
        text = data.decode("utf-8", "replace")
    return Document(name, text)


def _iter_folder(root: str, lenient: bool, meter: ReadMeter) -> Iterator[Document]:
    """Every ``*.txt`` below ``root``, sorted by relative POSIX path (see `folder_files`)."""
    position = 0
    for name, full in folder_files(root, lenient):
        document = _read_text_file(full, name, lenient)
        position += input_size(full)
        meter.at(position)
        if document is not None:
            yield document


def folder_files(root: str, lenient: bool = False) -> list[tuple[str, str]]:
    """The ``*.txt`` files below ``root`` as ``(name, path)``, sorted by name, the relative
    POSIX path.

    Symbolic links are not followed out of ``root``: a linked file is read only if it resolves
    to a regular file inside ``root``, and a linked folder is never entered (that could loop).
    Each skipped link is reported as a warning, in strict mode too. Below a URL, every
    ``*.txt`` file fsspec finds.
    """
    if locations.is_url(root):
        return locations.url_files(root, ".txt")
    root_real = os.path.realpath(root)
    found: list[tuple[str, str]] = []
    for folder, subfolders, files in os.walk(root, onerror=_raise):
        for sub in sorted(subfolders):
            if os.path.islink(os.path.join(folder, sub)):
                _warn("symbolic link to a folder not followed", path=os.path.join(folder, sub))
        for file in files:
            if not file.endswith(".txt"):
                continue
            full = os.path.join(folder, file)
            if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                _warn(f"symbolic link leading outside {root} skipped", path=full)
                continue
            if not os.path.isfile(full):
                _warn("not a regular file (or a broken link); skipped", path=full)
                continue
            found.append((_relative_name(full, root, lenient), full))
    found.sort()
    return found


def _relative_name(full: str, root: str, lenient: bool) -> str:
    name = PurePath(os.path.relpath(full, root)).as_posix()
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not valid UTF-8 (os.fsdecode kept its bytes as surrogates).
        fixed = os.fsencode(name).decode("utf-8", "replace")
        if not lenient:
            raise InputError(
                f"the file name is not valid UTF-8 (read as {fixed!r})", path=full
            ) from None
        _warn(f"the file name is not valid UTF-8; named {fixed!r}", path=full)
        name = fixed
    return name


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _raise(error: OSError) -> None:
    # os.walk ignores unreadable folders by default; a silently incomplete corpus is worse.
    raise error


# --- JSON lines ----------------------------------------------------------------------------------


def _iter_jsonl(
    path: str, name_field: str | None, text_field: str, lenient: bool, meter: ReadMeter
) -> Iterator[Document]:
    names = JsonNames(path, lenient)
    with locations.open_binary(path) as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream: Iterable[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        lines = _numbered_lines(stream, path, lenient)
        for number, document in jsonl_documents(lines, path, name_field, text_field, lenient):
            meter.at(raw.tell())
            yield names.unique(document, number)


def jsonl_documents(
    lines: Iterable[tuple[int, bytes]],
    path: str,
    name_field: str | None,
    text_field: str,
    lenient: bool,
) -> Iterator[tuple[int, Document]]:
    """The documents on numbered JSON lines of the file ``path``, with their line numbers
    (names are not checked for repeats: see `JsonNames`)."""
    stem = _stem(path)
    for number, line in lines:
        try:
            document = _json_document(line, number, path, stem, name_field, text_field)
        except InputError as error:
            if not lenient:
                raise
            _warn(f"{error.reason}; line skipped", path=path, line=number)
            continue
        if document is not None:
            yield number, document


class JsonNames:
    """The names met so far in one JSON lines file."""

    def __init__(self, path: str, lenient: bool) -> None:
        self.path, self.lenient = path, lenient
        self.book = _NameBook()

    def unique(self, document: Document, number: int) -> Document:
        """``document``, found on line ``number``, if no line before had its name; else an
        error (renamed ``name (2)``... when lenient)."""
        first = self.book.first(document.name)
        if first is not None:
            message = (
                f"duplicate name {document.name!r}: expected each name once, "
                f"it is first on line {first}"
            )
            if not self.lenient:
                raise InputError(message, path=self.path, line=number)
            new = self.book.free_variant(document.name)
            _warn(f"{message}; renamed {new!r}", path=self.path, line=number)
            document = attrs.evolve(document, name=new)
        self.book.add(document.name, number)
        return document


def _numbered_lines(
    stream: Iterable[bytes], path: str, lenient: bool
) -> Iterator[tuple[int, bytes]]:
    """Number the lines of ``stream``, turning damaged gzip data into an InputError."""
    number = 0
    lines = iter(stream)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            message = f"corrupt gzip data ({error}): the file is truncated or damaged"
            if not lenient:
                raise InputError(message, path=path, line=number + 1) from None
            _warn(f"{message}; the rest of the file skipped", path=path, line=number + 1)
            return
        number += 1
        yield number, line


def _json_document(
    line: bytes,
    number: int,
    path: str,
    stem: str,
    name_field: str | None,
    text_field: str,
) -> Document | None:
    """The document on one JSON line, None for a blank line; InputError for a bad one."""
    if number == 1:
        line = line.removeprefix(_BOM)
    if not line.strip():
        return None
    try:
        source = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"invalid UTF-8: byte 0x{line[error.start]:02X} ({error.reason}) at byte "
            f"{error.start + 1} of the line, expected UTF-8 text",
            path=path,
            line=number,
        ) from None
    try:
        record = json.loads(source.rstrip("\r\n"))
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path=path, line=number) from None
    except ValueError as error:
        reason = (
            f"{error.msg} at character {error.pos + 1} of the line"
            if isinstance(error, json.JSONDecodeError)
            else str(error)
        )
        raise InputError(f"invalid JSON: {reason}", path=path, line=number) from None
    if not isinstance(record, dict):
        raise InputError(
            f"expected a JSON object, found {_json_type(record)}", path=path, line=number
        )
    text = record.get(text_field)
    if not isinstance(text, str):
        found = "it is missing" if text_field not in record else f"found {_json_type(text)}"
        raise InputError(
            f"expected the text field {text_field!r} to be a string, {found}"
            f" (keys: {_keys(record)})",
            path=path,
            line=number,
        )
    name_key: str | None
    if name_field is not None:
        if record.get(name_field) is None:
            found = "it is missing" if name_field not in record else "found null"
            raise InputError(
                f"expected the name field {name_field!r}, {found} (keys: {_keys(record)})",
                path=path,
                line=number,
            )
        name_key = name_field
    else:
        name_key = next((key for key in ("id", "name") if record.get(key) is not None), None)
    name = str(record[name_key]) if name_key is not None else f"{stem}:{number}"
    fields = {key: value for key, value in record.items() if key not in (name_key, text_field)}
    return Document(name, text, fields)


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value).__name__, type(value).__name__)


def _keys(record: dict[str, Any]) -> str:
    keys = list(record)
    shown = ", ".join(repr(key) for key in keys[:8])
    return shown + (", ..." if len(keys) > 8 else "") if keys else "none"


def _stem(path: str) -> str:
    """The file name without its JSON lines suffixes.

    >>> _stem("data/reuters.jsonl.gz")
    'reuters'
    """
    name = os.path.basename(path)
    name = name.removesuffix(".gz")
    for suffix in _JSONL_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return os.path.splitext(name)[0]


def _warn(
    message: str, *, path: str | None = None, line: int | None = None, offset: int | None = None
) -> None:
    warnings.warn(InputWarning(message, path=path, line=line, offset=offset), stacklevel=3)
