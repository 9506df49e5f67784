"""Compact per-article tables for the engine: article texts spooled to disk, and every
article's units in flat arrays.

A build holds, for a 1 GB corpus, millions of units and half a million texts. As Python objects
(a named tuple per unit, a string per article) that is ten to twenty times the corpus in memory;
here a unit costs 21 bytes and a text costs nothing until it is read back.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from newscorpus.units import Unit

# Bytes read at once when texts are read in order.
_READ_AHEAD = 1 << 20


class TextSpool:
    """Texts appended one at a time to a scratch file (deleted when closed), read back by index.

    Reading in order reads ahead about a megabyte at a time; reading at random reads one text.

    >>> spool = TextSpool()
    >>> spool.append("first"); spool.append("sécond")
    >>> len(spool), spool[1], list(spool)
    (2, 'sécond', ['first', 'sécond'])
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
        self._file.seek(0, 2)
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))
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

    def _read(self, first: int, end: int) -> list[str]:
        if self._dirty:
            self._file.flush()
            self._dirty = False
        offsets = self._offsets
        self._file.seek(offsets[first])
        data = self._file.read(offsets[end] - offsets[first])
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
    """Every article's units (`newscorpus.units.Unit`), in flat arrays, with list-like access
    by article: ``table[a]`` is article ``a``'s units as a list.

    >>> table = UnitTable()
    >>> table.append([Unit(0, 5, 0, True), Unit(7, 9, 1, False)]); table.append([])
    >>> len(table), table[0][1], table[1]
    (2, Unit(start=7, end=9, paragraph=1, whole_line=False), [])
    """

    def __init__(self) -> None:
        self._start = array("q")
        self._end = array("q")
        self._paragraph = array("i")
        self._whole = array("b")
        self._offsets = array("q", [0])

    def append(self, units: Iterable[Unit]) -> None:
        for start, end, paragraph, whole in units:
            self._start.append(start)
            self._end.append(end)
            self._paragraph.append(paragraph)
            self._whole.append(whole)
        self._offsets.append(len(self._start))

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

    def __getitem__(self, article: int) -> list[Unit]:
        lo, hi = self._offsets[article], self._offsets[article + 1]
        return list(
            map(
                Unit,
                self._start[lo:hi],
                self._end[lo:hi],
                self._paragraph[lo:hi],
                map(bool, self._whole[lo:hi]),
            )
        )

    def __iter__(self) -> Iterator[list[Unit]]:
        for a in range(len(self)):
            yield self[a]

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

    def whole_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unit's ``whole_line`` flag in one flat array, and the offsets of each
        article's units in it (``len(self) + 1`` of them)."""
        whole = np.frombuffer(self._whole, dtype=np.int8) > 0 if self._whole else np.zeros(0, bool)
        return whole, np.frombuffer(self._offsets, dtype=np.int64)

    def count(self, article: int) -> int:
        """The number of units of one article."""
        return self._offsets[article + 1] - self._offsets[article]
