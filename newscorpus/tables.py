"""Compact per-article tables for the engine: article texts spooled to disk, and every
article's units in flat arrays.

A build holds, for a 1 GB corpus, millions of units and half a million texts. As Python objects
(a named tuple per unit, a string per article) that is ten to twenty times the corpus in memory;
here a unit costs 21 bytes and a text costs nothing until it is read back.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Iterator
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


class KeyTable:
    """Ids of 128-bit keys (``low``, ``high`` halves), in numpy: an open-addressing hash table
    with linear probing, looked up and filled a batch of keys at a time, never a Python object
    per key. The keys are hashes already (`newscorpus.tokens.sequence_key_halves`): a slot is
    the low half's low bits. Kept at most half full; its layout never shows in the ids.

    >>> table = KeyTable()
    >>> low, high = np.array([5, 9], dtype=np.uint64), np.array([1, 2], dtype=np.uint64)
    >>> table.find(low, high).tolist()
    [-1, -1]
    >>> table.insert(low, high, np.array([0, 1]))
    >>> table.find(np.array([9, 5, 5], dtype=np.uint64), np.array([2, 1, 7], dtype=np.uint64))
    array([ 1,  0, -1])
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._allot(capacity)
        self.count = 0

    def _allot(self, capacity: int) -> None:
        self._low = np.zeros(capacity, dtype=np.uint64)
        self._high = np.zeros(capacity, dtype=np.uint64)
        self._ids = np.full(capacity, -1, dtype=np.int64)
        self._mask = np.uint64(capacity - 1)

    def __len__(self) -> int:
        return self.count

    def find(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """The id of each key, -1 for a key not in the table."""
        found = np.full(len(low), -1, dtype=np.int64)
        slot = (low & self._mask).astype(np.int64)
        pending = np.arange(len(low))
        while len(pending):
            at = slot[pending]
            ids = self._ids[at]
            taken = ids >= 0
            same = taken & (self._low[at] == low[pending]) & (self._high[at] == high[pending])
            found[pending[same]] = ids[same]
            pending = pending[taken & ~same]  # an empty slot ends the search
            slot[pending] = (slot[pending] + 1) & int(self._mask)
        return found

    def insert(self, low: np.ndarray, high: np.ndarray, ids: np.ndarray) -> None:
        """Add keys that are not in the table, each once, with their ``ids``."""
        if 2 * (self.count + len(low)) > len(self._ids):
            self._grow(self.count + len(low))
        self._place(low, high, np.asarray(ids, dtype=np.int64))
        self.count += len(low)

    def _place(self, low: np.ndarray, high: np.ndarray, ids: np.ndarray) -> None:
        slot = (low & self._mask).astype(np.int64)
        pending = np.arange(len(low))
        while len(pending):
            at = slot[pending]
            free = self._ids[at] < 0
            # Of the keys that reach one free slot, the first takes it; the others go on.
            slots, first = np.unique(at[free], return_index=True)
            placed = pending[free][first]
            self._low[slots], self._high[slots], self._ids[slots] = (
                low[placed],
                high[placed],
                ids[placed],
            )
            moved = np.ones(len(pending), dtype=bool)
            moved[np.flatnonzero(free)[first]] = False
            pending = pending[moved]
            slot[pending] = (slot[pending] + 1) & int(self._mask)

    def _grow(self, needed: int) -> None:
        taken = self._ids >= 0
        low, high, ids = self._low[taken], self._high[taken], self._ids[taken]
        capacity = len(self._ids)
        while 2 * needed > capacity:
            capacity *= 2
        self._allot(capacity)
        self._place(low, high, ids)
