"""Compact per-article tables for the engine: article texts spooled to disk, and every
article's units in flat arrays.

A build holds, for a 1 GB corpus, millions of units and half a million texts. As Python objects
(a named tuple per unit, a string per article) that is ten to twenty times the corpus in memory;
here a unit costs 21 bytes and a text costs nothing until it is read back.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

# Bytes read at once when texts are read in order.
_READ_AHEAD = 1 << 20


class TextSpool:
    """Texts appended one at a time to a scratch file (deleted when closed), read back by index.

    Reading in order reads ahead about a megabyte at a time; reading at random reads one text.

    >>> spool = TextSpool()
    >>> spool.append("first"); spool.append("sécond")
    >>> len(spool), spool[1], list(spool)
    (2, 'sécond', ['first', 'sécond'])
    >>> spool.extend(["", "fourth"]); spool.append("fifth")
    >>> list(spool)
    ['first', 'sécond', '', 'fourth', 'fifth']
    >>> spool.close()
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(prefix=".newscorpus-", dir=folder)
        self._offsets = array("q", [0])
        self._dirty = False
        self._window_start = 0
        self._window: list[str] = []

    def append(self, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        if not self._dirty:  # a read moved the file's position: back to its end
            self._file.seek(0, 2)
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))
        self._dirty = True

    def extend(self, texts: Iterable[str]) -> None:
        """`append` each of ``texts``, in one write."""
        data = [text.encode("utf-8", "surrogatepass") for text in texts]
        if not data:
            return
        if not self._dirty:
            self._file.seek(0, 2)
        self._file.write(b"".join(data))
        ends = np.cumsum(np.fromiter(map(len, data), dtype=np.int64, count=len(data)))
        self._offsets.extend((ends + self._offsets[-1]).tolist())
        self._dirty = True

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self):
            raise IndexError(index)
        position = index - self._window_start
        if 0 <= position < len(self._window):
            return self._window[position]
        sequential = index == self._window_start + len(self._window)
        end = index + 1
        if sequential:
            limit = self._offsets[index] + _READ_AHEAD
            while end < len(self) and self._offsets[end + 1] <= limit:
                end += 1
        self._window_start = index
        self._window = self._read(index, end)
        return self._window[0]

    def flush(self) -> None:
        """Write what is appended through to the file (reads do it too). Before forking
        processes that read the texts: they must not write the same appends again."""
        if self._dirty:
            self._file.flush()
            self._dirty = False

    def _read(self, first: int, end: int) -> list[str]:
        self.flush()
        offsets = self._offsets
        # At an offset, not from the file's position, which forked readers share.
        data = os.pread(self._file.fileno(), offsets[end] - offsets[first], offsets[first])
        base = offsets[first]
        return [
            data[offsets[i] - base : offsets[i + 1] - base].decode("utf-8", "surrogatepass")
            for i in range(first, end)
        ]

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        self._file.close()
        self._window = []


class UnitTable:
    """Every article's units (`newscorpus.units.Unit`: start, end, paragraph, whole line), in
    flat arrays, appended a batch of articles at a time.

    >>> from newscorpus.blocks import UNIT_RECORD
    >>> records = np.zeros(2, dtype=UNIT_RECORD)
    >>> records["start"], records["end"], records["paragraph"] = [0, 7], [5, 9], [0, 1]
    >>> table = UnitTable(); table.extend(records, np.array([0, 2, 2]))
    >>> len(table), table.spans(0), table.spans(1), table.articles().tolist()
    (2, ([0, 7], [5, 9]), ([], []), [0, 0])
    """

    def __init__(self) -> None:
        self._start = array("q")
        self._end = array("q")
        self._paragraph = array("i")
        self._whole = array("b")
        self._offsets = array("q", [0])

    def extend(self, records: np.ndarray, offsets: np.ndarray) -> None:
        """Append several articles' units at once: ``records`` with fields ``start``, ``end``,
        ``paragraph`` and ``whole`` (`newscorpus.blocks.UNIT_RECORD`), article ``i``'s from
        ``offsets[i]`` to ``offsets[i + 1]``."""
        base = len(self._start)
        self._start.frombytes(records["start"].astype(np.int64).tobytes())
        self._end.frombytes(records["end"].astype(np.int64).tobytes())
        self._paragraph.frombytes(records["paragraph"].astype(np.int32).tobytes())
        self._whole.frombytes(records["whole"].astype(np.int8).tobytes())
        self._offsets.frombytes((np.asarray(offsets[1:], dtype=np.int64) + base).tobytes())

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every unit's start, end, paragraph and ``whole_line`` flag, each in one flat array,
        and the offsets of each article's units in them (``len(self) + 1`` of them)."""
        whole, offsets = self.whole_lines()
        return (
            np.frombuffer(self._start, dtype=np.int64) if self._start else np.zeros(0, np.int64),
            np.frombuffer(self._end, dtype=np.int64) if self._end else np.zeros(0, np.int64),
            np.frombuffer(self._paragraph, dtype=np.int32)
            if self._paragraph
            else np.zeros(0, np.int32),
            whole,
            offsets,
        )

    def spans(self, article: int) -> tuple[list[int], list[int]]:
        """The starts and the ends of one article's units."""
        lo, hi = self._offsets[article], self._offsets[article + 1]
        return self._start[lo:hi].tolist(), self._end[lo:hi].tolist()

    def articles(self) -> np.ndarray:
        """The article of every unit, in one flat array."""
        counts = np.diff(np.frombuffer(self._offsets, dtype=np.int64))
        return np.repeat(np.arange(len(self), dtype=np.int64), counts)

    def whole_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unit's ``whole_line`` flag in one flat array, and the offsets of each
        article's units in it (``len(self) + 1`` of them)."""
        whole = np.frombuffer(self._whole, dtype=np.int8) > 0 if self._whole else np.zeros(0, bool)
        return whole, np.frombuffer(self._offsets, dtype=np.int64)


class SegmentTable:
    """The shared segments ``(start, end, block_id, wording)`` of the stored articles an add
    or a remove takes up, article after article, in flat arrays: four numbers a segment, and
    each block id once. Held through the LSH, where as a tuple per segment they took 259 MB
    of the add at 1 GB (952,593 segments), as arrays 27 MB.

    >>> table = SegmentTable()
    >>> table.extend(np.array([2, 0]), [0, 20], [12, 31], ["b1", "b2"], [7, -3])
    >>> article, start, end, block, wording = table.columns()
    >>> len(table), article.tolist(), start.tolist(), end.tolist(), wording.tolist()
    (2, [0, 0], [0, 20], [12, 31], [7, -3])
    >>> [table.ids[b] for b in block]
    ['b1', 'b2']
    """

    def __init__(self) -> None:
        self._start, self._end = array("q"), array("q")
        self._block, self._wording = array("q"), array("q")
        self._offsets = array("q", [0])
        self._codes: dict[str, int] = {}
        self._ids: list[str] = []

    def extend(
        self,
        counts: np.ndarray,
        start: Sequence[int] | np.ndarray,
        end: Sequence[int] | np.ndarray,
        block: Sequence[str],
        wording: Sequence[int] | np.ndarray,
    ) -> None:
        """The next articles' segments, by columns: ``counts[i]`` of them are article
        ``i``'s."""
        codes = self._codes
        for b in dict.fromkeys(block):
            if b not in codes:
                codes[b] = len(self._ids)
                self._ids.append(b)
        self._start.frombytes(np.asarray(start, dtype=np.int64).tobytes())
        self._end.frombytes(np.asarray(end, dtype=np.int64).tobytes())
        self._block.frombytes(np.array([codes[b] for b in block], dtype=np.int64).tobytes())
        self._wording.frombytes(np.asarray(wording, dtype=np.int64).tobytes())
        ends = np.cumsum(counts, dtype=np.int64) + self._offsets[-1]
        self._offsets.frombytes(ends.tobytes())

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @property
    def ids(self) -> list[str]:
        """The block ids, by the number `columns` gives a segment's block."""
        return self._ids

    def offsets(self) -> np.ndarray:
        """Where each article's segments start in `columns`, then where the last ones end."""
        return np.frombuffer(self._offsets, dtype=np.int64)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every segment's article, start, end, block (its number in `ids`) and wording."""
        counts = np.diff(self.offsets())
        article = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        start, end, block, wording = (
            np.frombuffer(column, dtype=np.int64) if len(column) else np.zeros(0, np.int64)
            for column in (self._start, self._end, self._block, self._wording)
        )
        return article, start, end, block, wording


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim  # noqa: B018 (glibc's; other C libraries lack it)
    except (OSError, AttributeError):
        return None
    return libc


def give_back_memory() -> None:
    """Have the C library give the memory freed so far back to the system (`malloc_trim`):
    glibc serves the many short-lived arrays of a build from its heap, and keeps the pages
    they leave free for the next ones. Called once a build is done, so that a process that
    goes on does not keep what the build's peak took. Does nothing where the C library is not
    glibc."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then left as it was (a process that had it
    off keeps it off). A build makes millions of objects that live until it ends (runs,
    wordings, dicts of counts), none of them in a reference cycle: the collector went through
    them all again each time they grew by a quarter, 14% of an add of 1% at 100 MB and 1 GB
    (`benchmarks/README.md`, "Growing a store"). Objects still go as soon as nothing
    refers to them; only cycles wait until the collector runs again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
