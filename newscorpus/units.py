"""The units that are compared across articles: sentences of the story text.

Every paragraph (a non-blank line) minus its metadata spans is split into sentences. Working at
sentence level finds a background passage even where the scraper glued it to the story (lost
paragraph breaks, whole articles on one line); the paragraph index of each unit lets the engine
put block edges back at paragraph breaks where the article has them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import regex

from newscorpus.segment import paragraphs, sentences

_WORD = regex.compile(r"\w+")


class Unit(NamedTuple):
    """One unit: the span ``[start, end)`` of its article's text, the index of its paragraph, and
    whether it is the whole content of that paragraph (a line of its own). A named tuple rather
    than an attrs record: millions are made and sent between processes."""

    start: int
    end: int
    paragraph: int
    whole_line: bool


def content_pieces(text: str, meta_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """``(start, end, paragraph index)`` of each paragraph's text outside the metadata spans,
    trimmed of surrounding whitespace.

    >>> t = " date 2020-11-28 France says no.\\nSecond line."
    >>> [(t[s:e], p) for s, e, p in content_pieces(t, [(0, 17)])]
    [('France says no.', 0), ('Second line.', 1)]
    """
    pieces = []
    spans = sorted(meta_spans)
    k = 0
    for index, (p_start, p_end) in enumerate(paragraphs(text)):
        while k < len(spans) and spans[k][1] <= p_start:
            k += 1
        pos = p_start
        j = k
        while j < len(spans) and spans[j][0] < p_end:
            m_start, m_end = spans[j]
            if m_start > pos:
                pieces.append((pos, m_start, index))
            pos = max(pos, m_end)
            j += 1
        if pos < p_end:
            pieces.append((pos, p_end, index))
    return [(s, e, p) for s, e, p in (_trim(text, s, e) + (p,) for s, e, p in pieces) if s < e]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def article_units(
    text: str,
    meta_spans: Sequence[tuple[int, int]],
    min_split_words: int = 12,
    min_words: int = 5,
    count: Callable[[int, int, int], int] | None = None,
) -> list[Unit]:
    """The units of one article, in text order: its sentences outside metadata. (A build cuts
    a whole batch at once with `batch_units`, which gives the same units.)

    A paragraph of fewer than ``min_split_words`` words is one unit ("© 2021 Daily Ledger. All
    rights reserved." is one line of furniture, not two sentences), and consecutive sentences of
    fewer than ``min_words`` words each are one unit (the same line glued into a longer one).
    ``count(start, end, limit)`` counts the words of ``text[start:end]`` (it may stop at
    ``limit``); by default with a regular expression.

    >>> t = "BAKU, Nov. 26\\nA complete ceasefire was introduced on Nov. 10, 2020. It holds."
    >>> [t[u.start:u.end] for u in article_units(t, [(0, 13)], min_split_words=5)]
    ['A complete ceasefire was introduced on Nov. 10, 2020.', 'It holds.']
    >>> t = "The talks ended at noon. © 2021 Daily Ledger. All rights reserved."
    >>> [t[u.start:u.end] for u in article_units(t, [], min_split_words=5)]
    ['The talks ended at noon.', '© 2021 Daily Ledger. All rights reserved.']
    """
    if count is None:
        count = functools.partial(_count_words, text)
    units: list[Unit] = []
    for p_start, p_end, index in content_pieces(text, meta_spans):
        if count(p_start, p_end, min_split_words) < min_split_words:
            units.append(Unit(p_start, p_end, index, True))
            continue
        merged: list[list[int]] = []
        previous_short = False
        for s, e in sentences(text, p_start, p_end) or [(p_start, p_end)]:
            short = count(s, e, min_words) < min_words
            if short and previous_short:
                merged[-1][1] = e
            else:
                merged.append([s, e])
            previous_short = short
        whole = len(merged) == 1
        units.extend(Unit(s, e, index, whole) for s, e in merged)
    return units


def _count_words(text: str, start: int, end: int, limit: int) -> int:
    """The number of words in ``text[start:end]``, counting no further than ``limit``."""
    return _WORD.subn("", text[start:end], count=limit)[1]


def batch_units(
    texts: Sequence[str],
    meta_spans: Sequence[Sequence[tuple[int, int]]],
    word_starts: np.ndarray,
    min_split_words: int = 12,
    min_words: int = 5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`article_units` of a batch of articles at once: the same units, as flat arrays of
    ``start``, ``end``, ``paragraph`` and ``whole_line``, article after article, and the
    number of units of each article.

    ``word_starts``: the sorted offsets where words start in ``"\\n".join(texts)``; a
    span's words are those that start in it. Words are counted for all paragraphs, then for
    all sentences, with one search each; only the sentence cutting is done paragraph by
    paragraph.

    >>> from newscorpus.tokens import Words
    >>> t = ["BAKU, Nov. 26\\nThe talks were held on Nov. 10, 2020 in Baku. It holds.", "x"]
    >>> starts = Words.of("\\n".join(t)).starts
    >>> s, e, p, w, n = batch_units(t, [[(0, 13)], []], starts, min_split_words=5)
    >>> [t[0][a:b] for a, b in zip(s[:2], e[:2])]
    ['The talks were held on Nov. 10, 2020 in Baku.', 'It holds.']
    >>> p.tolist(), w.tolist(), n.tolist()
    ([1, 1, 0], [False, False, True], [2, 1])
    """
    bases = np.cumsum([0, *(len(t) + 1 for t in texts)])[:-1]
    pieces = [
        (i, *piece)
        for i, (text, spans) in enumerate(zip(texts, meta_spans))
        for piece in content_pieces(text, spans)
    ]
    table = np.array(pieces, dtype=np.int64).reshape(-1, 4)
    article, start, end, paragraph = table.T
    base = bases[article]
    words = np.searchsorted(word_starts, base + end) - np.searchsorted(word_starts, base + start)
    split = np.flatnonzero(words >= min_split_words)
    cut: list[tuple[int, int, int]] = []  # (piece, start, end) of every sentence
    for k, a, s, e in zip(
        split.tolist(), article[split].tolist(), start[split].tolist(), end[split].tolist()
    ):
        cut.extend((k, s2, e2) for s2, e2 in sentences(texts[a], s, e) or [(s, e)])
    sentence = np.array(cut, dtype=np.int64).reshape(-1, 3)
    piece_of, s_start, s_end = sentence.T
    s_base = base[piece_of]
    short = (
        np.searchsorted(word_starts, s_base + s_end)
        - np.searchsorted(word_starts, s_base + s_start)
        < min_words
    )
    # Consecutive short sentences of one paragraph are one unit.
    same = np.r_[False, piece_of[1:] == piece_of[:-1]]
    goes_on = same & short & np.r_[False, short[:-1]]
    first = np.flatnonzero(~goes_on)
    last = np.r_[first[1:] - 1, len(sentence) - 1].astype(np.int64) if len(first) else first
    group_piece = piece_of[first]
    groups_in_piece = np.bincount(group_piece, minlength=len(table))
    whole_piece = np.ones(len(table), dtype=bool)
    whole_piece[split] = False
    # Units in text order: a whole piece, or the sentence groups of a split one.
    unit_piece = np.r_[np.flatnonzero(whole_piece), group_piece]
    unit_start = np.r_[start[whole_piece], s_start[first]]
    unit_end = np.r_[end[whole_piece], s_end[last]]
    unit_whole = np.r_[np.ones(int(whole_piece.sum()), bool), groups_in_piece[group_piece] == 1]
    order = np.argsort(unit_piece, kind="stable")
    unit_piece = unit_piece[order]
    return (
        unit_start[order],
        unit_end[order],
        paragraph[unit_piece].astype(np.int32),
        unit_whole[order],
        np.bincount(article[unit_piece], minlength=len(texts)),
    )
