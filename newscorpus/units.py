"""The units that are compared across articles: sentences of the story text.

Every paragraph (a non-blank line) minus its metadata spans is split into sentences, and a
sentence shorter than ``min_sentence_words`` words is joined to its neighbour. Working at
sentence level finds a background passage even where the scraper glued it to the story (lost
paragraph breaks, whole articles on one line); the paragraph index of each unit lets the engine
put block edges back at paragraph breaks where the article has them.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from newscorpus.minhash import words
from newscorpus.segment import paragraphs, sentences


@attrs.frozen
class Unit:
    """One unit: the span ``[start, end)`` of its article's text, the index of its paragraph, and
    whether it is the whole content of that paragraph (a line of its own)."""

    start: int
    end: int
    paragraph: int
    whole_line: bool


def content_pieces(
    text: str, meta_spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int]]:
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
    return [
        (s, e, p)
        for s, e, p in (_trim(text, s, e) + (p,) for s, e, p in pieces)
        if s < e
    ]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def article_units(
    text: str, meta_spans: Sequence[tuple[int, int]], min_sentence_words: int
) -> list[Unit]:
    """The units of one article, in text order.

    >>> t = "Ceasefire. A complete ceasefire was introduced on Nov. 10, 2020. It holds."
    >>> [t[u.start:u.end] for u in article_units(t, [], 3)]
    ['Ceasefire. A complete ceasefire was introduced on Nov. 10, 2020. It holds.']
    >>> [t[u.start:u.end] for u in article_units(t, [], 2)]
    ['Ceasefire. A complete ceasefire was introduced on Nov. 10, 2020.', 'It holds.']
    """
    units: list[Unit] = []
    for p_start, p_end, index in content_pieces(text, meta_spans):
        spans = sentences(text, p_start, p_end) or [(p_start, p_end)]
        merged: list[list[int]] = []
        for s, e in spans:
            n = len(words(text[s:e]))
            # A short sentence joins the one before it; a short first one takes the next.
            if merged and (n < min_sentence_words or merged[-1][2] < min_sentence_words):
                merged[-1][1] = e
                merged[-1][2] += n
            else:
                merged.append([s, e, n])
        whole = len(merged) == 1
        units.extend(Unit(s, e, index, whole) for s, e, _ in merged)
    return units
