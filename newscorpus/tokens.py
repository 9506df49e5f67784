"""Words of a whole batch of text at once, as numpy arrays.

Making a Python string per word caps tokenising and hashing at about 15 MB/s (PERFORMANCE.md).
Here a batch of articles is one array of code points; a lookup table marks word characters
(the ``regex`` module's ``\\w``: letters, marks, digits, connector punctuation), word edges
come from comparing neighbours, and each word is hashed from a prefix sum of its lower-cased
code points (a polynomial hash, position-independent, then mixed), so no word is ever a
Python object.

Hashes are for similarity, not security: a crafted text can make two different words collide,
which at worst makes two units look a little more alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import regex

_CODE_POINTS = 0x110000
_PAGE = 256
# An odd multiplier for the polynomial word hash, its inverse modulo 2**64, and a second pair
# for the keys of word sequences.
_P = 0x9E3779B97F4A7C15
_Q = 0xD6E8FEB86659FD93
_MASK64 = (1 << 64) - 1


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class _Tables:
    """Per code point: is it a word character, is it a digit, its lower case. Filled a page of
    256 code points at a time, for the pages a text uses (most news needs a handful)."""

    def __init__(self) -> None:
        self.word = np.zeros(_CODE_POINTS, dtype=bool)
        self.digit = np.zeros(_CODE_POINTS, dtype=bool)
        self.lower = np.arange(_CODE_POINTS, dtype=np.uint64)
        self._filled = np.zeros(_CODE_POINTS // _PAGE, dtype=bool)

    def cover(self, code_points: np.ndarray) -> None:
        used = np.bincount(code_points >> 8, minlength=len(self._filled)).astype(bool)
        for page in np.flatnonzero(used & ~self._filled).tolist():
            lo = page * _PAGE
            chars = "".join(map(chr, range(lo, lo + _PAGE)))
            marked = regex.sub(r"\w", "\x01", chars)
            self.word[lo : lo + _PAGE] = [
                m == "\x01" and c != "\x01" for m, c in zip(marked, chars)
            ]
            self.digit[lo : lo + _PAGE] = [c.isdigit() for c in chars]
            self.lower[lo : lo + _PAGE] = [ord(c.lower()[0]) for c in chars]
            self._filled[page] = True


class _Powers:
    """``base**i`` and ``base**-i`` modulo 2**64 for i up to the longest text seen."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.up = np.ones(1, dtype=np.uint64)
        self.down = np.ones(1, dtype=np.uint64)

    def ensure(self, n: int) -> None:
        if len(self.up) >= n:
            return
        n = max(n, 2 * len(self.up))
        self.up = np.cumprod(np.r_[np.uint64(1), np.full(n - 1, self.base, np.uint64)])
        inverse = pow(self.base, -1, 1 << 64)
        self.down = np.cumprod(np.r_[np.uint64(1), np.full(n - 1, inverse, np.uint64)])


_tables: _Tables | None = None
_char_powers = _Powers(_P)
_word_powers = _Powers(_Q)


def _get_tables() -> _Tables:
    global _tables
    if _tables is None:
        _tables = _Tables()
    return _tables


class Words:
    """The words of one text (a batch joined into one): ``starts`` and ``ends`` (character
    offsets), ``hashes`` (uint64, of the lower-cased word) and ``has_digit``.

    ``breaks`` are offsets where a word must end even inside a run of word characters (the
    edges of metadata spans, which can cut a word).

    >>> w = Words.of("A ceasefire, a CEASEFIRE: 10 days")
    >>> w.starts.tolist(), w.ends.tolist()
    ([0, 2, 13, 15, 26, 29], [1, 11, 14, 24, 28, 33])
    >>> bool(w.hashes[1] == w.hashes[3]), w.has_digit.tolist()
    (True, [False, False, False, False, True, False])
    """

    def __init__(
        self, starts: np.ndarray, ends: np.ndarray, hashes: np.ndarray, has_digit: np.ndarray
    ) -> None:
        self.starts = starts
        self.ends = ends
        self.hashes = hashes
        self.has_digit = has_digit

    @classmethod
    def of(cls, text: str, breaks: Sequence[int] = ()) -> Words:
        code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        n = len(code_points)
        tables = _get_tables()
        tables.cover(code_points)
        is_word = tables.word[code_points]
        cut = np.zeros(n + 1, dtype=bool)
        cut[np.asarray(breaks, dtype=np.int64)] = True
        before = np.r_[False, is_word[:-1]] if n else is_word
        after = np.r_[is_word[1:], False] if n else is_word
        starts = np.flatnonzero(is_word & (~before | cut[:n]))
        ends = np.flatnonzero(is_word & (~after | cut[1:])) + 1

        _char_powers.ensure(n + 1)
        weighted = tables.lower[code_points] * _char_powers.up[:n]
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(weighted, out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * _char_powers.down[starts]
        hashes = mix64(raw ^ (ends - starts).astype(np.uint64))

        digits = np.flatnonzero(tables.digit[code_points])
        has_digit = np.searchsorted(digits, starts) < np.searchsorted(digits, ends)
        return cls(starts, ends, hashes, has_digit)


def word_hash(word: str) -> int:
    """The hash `Words` gives ``word`` (a single word).

    >>> word_hash("Nov") == word_hash("nov") == int(Words.of("on 10 Nov.").hashes[2])
    True
    """
    return int(Words.of(word).hashes[0])


def sequence_key_halves(
    hashes: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A 128-bit key per range ``hashes[lo:hi]`` of word hashes, as two uint64 arrays (its low
    and its high 64 bits): equal ranges get equal keys, different ones (but by a 2**-128
    chance) different keys; an empty range gets 0.

    >>> h = Words.of("the talks ended the talks ended now").hashes
    >>> low, high = sequence_key_halves(h, np.array([0, 3, 3, 2]), np.array([3, 6, 7, 2]))
    >>> bool(low[0] == low[1] and high[0] == high[1]), bool(low[0] == low[2])
    (True, False)
    >>> int(low[3]), int(high[3])
    (0, 0)
    """
    n = len(hashes)
    _word_powers.ensure(n + 1)
    halves = []
    for salt in (0, 0x5851F42D4C957F2D):
        mixed = mix64(hashes ^ np.uint64(salt)) * _word_powers.up[:n]
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(mixed, out=prefix[1:])
        raw = (prefix[hi] - prefix[lo]) * _word_powers.down[lo]
        half = mix64(raw ^ (hi - lo).astype(np.uint64))
        half[hi <= lo] = 0
        halves.append(half)
    return halves[1], halves[0]
