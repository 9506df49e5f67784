"""Inputs cut into pieces that are read apart, on a cluster's workers, and put back together
into exactly the documents, names, errors and warnings of reading them whole with `iter_inputs`.

A piece is one of:

- a byte range of a container or of a JSON lines file, starting at a record: at a line of JSON,
  at a header line of a container. Where the ranges start is itself found piece by piece
  (`locate`), with each range's count of line ends, so that every piece knows the line number
  it starts on and errors name the right line;
- a run of a folder's ``.txt`` files;
- a whole input: a gzipped or small file, a single text file, or anything odd (a missing path,
  a folder given as JSON lines ...), read as `iter_documents` reads it, errors included.

Reading a piece (`read`) does not check names, which must be unique within each file and
across the inputs: it reports them, and the reader of the whole (`Assembler`) checks them in
input order, as `iter_inputs` does. A lenient read's warnings are reported in the order they
came in among the documents and raised again on the reader of the whole.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> lines = [f'{{"id": {i}, "text": "t{i}"}}\\n' for i in range(5)]  # 24 bytes each
>>> _ = (folder / "a.jsonl").write_text("".join(lines))
>>> inputs = Inputs([folder / "a.jsonl"])
>>> pieces = plan(inputs, piece_bytes=40)
>>> [(p.start, p.end, p.line) for p in pieces]
[(0, 48, 1), (48, 96, 3), (96, 120, 5)]
>>> [d.name for d in read_pieces(inputs, pieces)]
['0', '1', '2', '3', '4']
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from newscorpus import locations
from newscorpus.container import _Reader, _split_header
from newscorpus.document import Document
from newscorpus.errors import InputError, NewsCorpusError
from newscorpus.readers import (
    _GZIP_MAGIC,
    InputNames,
    Inputs,
    JsonNames,
    ReadMeter,
    _read_text_file,
    detect_format,
    folder_files,
    input_size,
    iter_documents,
    jsonl_documents,
)

PIECE_BYTES = 32 << 20
_COUNT_CHUNK = 16 << 20
_SCAN_LINE = 1 << 16

Call = tuple[Callable[..., Any], tuple[Any, ...]]


@attrs.frozen
class Piece:
    """What one task reads: ``path`` whole (``end`` None), or bytes ``start`` to ``end`` of it
    starting on line ``line``, or, for a folder, ``files`` (``(name, path)`` pairs).

    ``format`` is the input's (None if it could not be told: reading it whole raises the same
    error `iter_inputs` raises); ``first`` marks an input's first piece; ``position`` is how
    many bytes of the input are read once this piece is; ``warnings`` are those met while
    planning it (a folder's skipped links), raised before its documents.
    """

    path: str
    format: str | None
    folder: bool = False
    start: int = 0
    end: int | None = None
    line: int = 1
    files: tuple[tuple[str, str], ...] | None = None
    first: bool = True
    position: int = 0
    warnings: tuple[Warning, ...] = ()


@attrs.frozen
class Read:
    """What reading a piece found: its documents, and in ``events`` the order in which they
    came with the warnings and the names to check:

    - ``("w", warning)``: a lenient read's warning;
    - ``("d", line)``: the next document; on ``line`` of a JSON lines file whose names are
      checked by the reader of the whole, or None if the piece checked them (a whole input);
    - ``("b", name, line)``: a container's header line; its document is the next one, if
      reading it did not fail.

    ``error`` stopped the read. ``too_long``: the last document has this many characters, more
    than the build takes; its text was dropped and the reader of the whole refuses it.
    """

    events: list[tuple]
    docs: list[Document]
    error: BaseException | None = None
    too_long: int | None = None


def plan(
    inputs: Inputs,
    piece_bytes: int = PIECE_BYTES,
    run: Callable[[Sequence[Call]], list[Any]] | None = None,
) -> list[Piece]:
    """The pieces of ``inputs``, in reading order, of about ``piece_bytes`` each.

    ``run`` runs calls of `locate` (on a cluster, on its workers) and returns their results in
    order; by default here. Never raises for a bad input: that input is read whole, and the
    error comes when it is reached, as with `iter_inputs`.
    """
    run = run or (lambda calls: [function(*args) for function, args in calls])
    planned: list[tuple[str, str | None, bool, Any, tuple[Warning, ...]]] = []
    calls: list[Call] = []
    for path in inputs.paths:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            format, folder, how = _how(path, inputs, piece_bytes)
        if how is not None and how[0] == "ranges":  # their starts are located on the workers
            how = ("ranges", len(calls), len(how[1]))
            calls += [(locate, (path, format, lo, hi)) for lo, hi in _ranges(path, piece_bytes)]
        planned.append((path, format, folder, how, tuple(w.message for w in caught)))
    located = run(calls) if calls else []
    pieces: list[Piece] = []
    for path, format, folder, how, met in planned:
        if how is None:
            pieces.append(Piece(path, format, folder, position=input_size(path), warnings=met))
        elif how[0] == "ranges":
            _, first, count = how
            pieces += _ranged(path, format, located[first : first + count], met)
        else:
            pieces += _runs(path, format, how[1], piece_bytes, met)
    return pieces


def _how(path: str, inputs: Inputs, piece_bytes: int) -> tuple[str | None, bool, Any]:
    """The input's format, whether it is a folder, and how to cut it: None (whole),
    ``("ranges", byte ranges)`` or ``("files", a folder's files)``."""
    try:
        format = inputs.format or detect_format(path)
        is_folder = locations.is_dir(path)
        if is_folder and format in ("folder", "text"):
            return format, True, ("files", tuple(folder_files(path, inputs.lenient)))
        if format in ("container", "jsonl") and locations.is_file(path) and not is_folder:
            size = locations.size(path)
            with locations.open_binary(path) as fp:
                compressed = fp.read(2) == _GZIP_MAGIC
            if size > piece_bytes and not compressed:
                return format, False, ("ranges", list(_ranges(path, piece_bytes)))
        return format, False, None
    except (NewsCorpusError, ValueError, OSError):
        return inputs.format, False, None


def _ranges(path: str, piece_bytes: int) -> Iterator[tuple[int, int]]:
    size = locations.size(path)
    for lo in range(0, size, piece_bytes):
        yield lo, min(lo + piece_bytes, size)


def _ranged(
    path: str, format: str | None, located: list[tuple[int, int, int]], met: tuple
) -> list[Piece]:
    """Pieces from the located starts of a file's ranges: each runs to the next distinct start
    (a range with no record starting in it adds none)."""
    size = locations.size(path)
    starts: list[tuple[int, int]] = []  # (start, its line)
    lines_before = 0  # line ends before the current range
    for start, before, in_range in located:
        if start < size and (not starts or start > starts[-1][0]):
            starts.append((start, 1 + lines_before + before))
        lines_before += in_range
    ends = [s for s, _ in starts[1:]] + [size]
    return [
        Piece(
            path,
            format,
            start=start,
            end=end,
            line=line,
            first=i == 0,
            position=end,
            warnings=met if i == 0 else (),
        )
        for i, ((start, line), end) in enumerate(zip(starts, ends))
    ] or [Piece(path, format, start=0, end=0, position=size, warnings=met)]


def _runs(
    path: str, format: str | None, files: tuple[tuple[str, str], ...], piece_bytes: int, met: tuple
) -> list[Piece]:
    """A folder's files in runs of about ``piece_bytes``."""
    runs: list[list[tuple[str, str]]] = [[]]
    size = run_size = 0
    ends: list[int] = []
    for name, full in files:
        if runs[-1] and run_size >= piece_bytes:
            ends.append(size)
            runs.append([])
            run_size = 0
        runs[-1].append((name, full))
        grown = input_size(full)
        size += grown
        run_size += grown
    ends.append(size)
    return [
        Piece(
            path,
            format,
            folder=True,
            files=tuple(run),
            first=i == 0,
            position=end,
            warnings=met if i == 0 else (),
        )
        for i, (run, end) in enumerate(zip(runs, ends))
    ]


def locate(path: str, format: str, lo: int, hi: int) -> tuple[int, int, int]:
    """Where the first record at or after byte ``lo`` of ``path`` starts (the file's size if
    none does), the line ends from ``lo`` to there, and those from ``lo`` to ``hi``.

    A record is a line for JSON lines, a header line for a container. A start missed (a header
    line longer than 64 KB, or one holding a NUL byte) only makes a piece longer.
    """
    with locations.open_binary(path) as fp:
        in_range = _count_lines(fp, lo, hi)
        start = 0
        if lo > 0:
            fp.seek(lo - 1)
            if fp.read(1) != b"\n":
                _skip_line(fp)
            start = fp.tell()
            if format == "container":
                while True:
                    line = fp.readline(_SCAN_LINE)
                    if not line or _starts_piece(line):
                        break
                    if not line.endswith(b"\n"):
                        _skip_line(fp)
                    start = fp.tell()
        return start, _count_lines(fp, lo, start), in_range


def _starts_piece(line: bytes) -> bool:
    """Whether a container's line is a header a piece can start at: one with a NUL byte is
    not, as the reader reports the NUL before it ends the article before."""
    return line.endswith(b"\n") and b"\0" not in line and _split_header(line) is not None


def _skip_line(fp: io.BufferedReader) -> None:
    while (part := fp.readline(_SCAN_LINE)) and not part.endswith(b"\n"):
        pass


def _count_lines(fp: Any, lo: int, hi: int) -> int:
    fp.seek(lo)
    count, left = 0, hi - lo
    while left > 0 and (chunk := fp.read(min(left, _COUNT_CHUNK))):
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def read(piece: Piece, inputs: Inputs, max_chars: int | None = None) -> Read:
    """Read one piece. Errors an input can cause are returned in `Read.error`, with the
    documents read before; a document of more than ``max_chars`` characters ends the read."""
    events: list[tuple] = []
    docs: list[Document] = []
    error: BaseException | None = None
    too_long: int | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def note(event: tuple) -> None:
            events.extend(("w", w.message) for w in caught)
            caught.clear()
            events.append(event)

        try:
            for event, doc in _records(piece, inputs, note):
                if event is not None:
                    note(event)
                if max_chars is not None and len(doc.text) > max_chars:
                    docs.append(attrs.evolve(doc, text=""))
                    too_long = len(doc.text)
                    break
                docs.append(doc)
        except (NewsCorpusError, ValueError, OSError) as exc:
            error = exc
        events.extend(("w", w.message) for w in caught)
    return Read(events, docs, error, too_long)


def _records(
    piece: Piece, inputs: Inputs, note: Callable[[tuple], None]
) -> Iterator[tuple[tuple | None, Document]]:
    """The piece's documents, each with its event (None where ``note`` was told already)."""
    lenient = inputs.lenient
    if piece.files is not None:
        for name, full in piece.files:
            document = _read_text_file(full, name, lenient)
            if document is not None:
                yield ("d", None), document
    elif piece.end is None:
        format = piece.format or detect_format(piece.path)
        for document in iter_documents(
            piece.path,
            format=format,
            name_field=inputs.name_field,
            text_field=inputs.text_field,
            lenient=lenient,
        ):
            yield ("d", None), document
    else:
        with locations.open_binary(piece.path) as fp:
            fp.seek(piece.start)
            data = io.BytesIO(fp.read(piece.end - piece.start))
        if piece.format == "container":
            reader = _Reader(
                piece.path, lenient, on_begin=lambda name, line: note(("b", name, line))
            )
            for entry in reader.read(data, first_line=piece.line, offset=piece.start):
                yield None, entry.document
        else:
            lines = enumerate(data, piece.line)
            for number, document in jsonl_documents(
                lines, piece.path, inputs.name_field, inputs.text_field, lenient
            ):
                yield ("d", number), document


class Assembler:
    """Puts the reads of an input's pieces back together, in order, checking names as
    `iter_inputs` does; ``meter`` follows the bytes read, as there."""

    def __init__(
        self, inputs: Inputs, meter: ReadMeter | None = None, max_chars: int | None = None
    ) -> None:
        self.inputs = inputs
        self.meter = meter
        self.max_chars = max_chars
        self.names = InputNames(inputs.lenient)
        self._file_names: Any = None
        if meter is not None:
            meter.total = sum(input_size(p) for p in inputs.paths)

    def documents(self, piece: Piece, done: Read) -> Iterator[Document]:
        """The documents of one read piece, checked, with its warnings raised among them; then
        its error, if it had one."""
        lenient = self.inputs.lenient
        if piece.first:
            if self.meter is not None:
                self.meter.next_input()
            self._file_names = (
                _Reader(piece.path, lenient)
                if piece.format == "container"
                else JsonNames(piece.path, lenient)
            )
        for met in piece.warnings:
            warnings.warn(met, stacklevel=2)
        pending: Document | None = None
        taken = 0
        for event in done.events:
            if event[0] == "w":
                warnings.warn(event[1], stacklevel=2)
                continue
            if event[0] == "b":
                if pending is not None:
                    yield self._checked(piece, done, pending, taken)
                    pending = None
                name = self._file_names.unique(event[1], event[2])
                if taken < len(done.docs):
                    pending = _named(done.docs[taken], name)
                    taken += 1
                continue
            document = done.docs[taken]
            taken += 1
            if event[1] is not None:
                document = self._file_names.unique(document, event[1])
            yield self._checked(piece, done, document, taken)
        if pending is not None:
            yield self._checked(piece, done, pending, taken)
        if self.meter is not None:
            self.meter.at(piece.position)
        if done.error is not None:
            raise done.error

    def _checked(self, piece: Piece, done: Read, document: Document, taken: int) -> Document:
        where = os.fsdecode(piece.path)
        source = locations.join(where, document.name) if piece.folder else where
        document = self.names.unique(document, source)
        if done.too_long is not None and taken == len(done.docs):
            raise too_long(document.name, done.too_long, self.max_chars or 0)
        return document


def _named(document: Document, name: str) -> Document:
    return document if document.name == name else attrs.evolve(document, name=name)


def too_long(name: str, length: int, max_chars: int) -> InputError:
    """The error for an article too long to prepare."""
    return InputError(
        f"{name!r} has {length:,} characters, more than a build takes "
        f"({max_chars:,}, Settings.max_article_chars): preparing it would need about "
        f"{length * 50 / 1e9:.1f} GB of memory"
    )


def read_pieces(
    inputs: Inputs, pieces: Iterable[Piece], meter: ReadMeter | None = None
) -> Iterator[Document]:
    """The documents of ``inputs`` read piece by piece, here: what `iter_inputs` gives."""
    assembler = Assembler(inputs, meter)
    for piece in pieces:
        yield from assembler.documents(piece, read(piece, inputs))
