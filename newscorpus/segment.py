"""Split article text into paragraphs and sentences, as exact character spans.

Scraped news separates paragraphs by a blank line or by a single line break, and no paragraph
ever spans two lines, so a paragraph is simply a non-blank line. Line breaks are ``\\n``,
``\\r\\n``, a lone ``\\r``, and the Unicode separators U+2028 and U+2029 (which Unicode defines
as line breaks and ``str.splitlines`` honours). Form feed, vertical tab and U+0085 are *not*
line breaks: they turn up inside lines of scraped text (U+0085 is the cp1252 ellipsis decoded as
Latin-1), so they stay inside a paragraph.

Whitespace means Unicode White_Space (``\\s`` of the ``regex`` module), which includes NBSP
(U+00A0) and the other Unicode spaces. Every span is a ``(start, end)`` pair of character
offsets into the original text with no whitespace at either end, so the text between spans is
whitespace only and the text can be rebuilt exactly from the spans and the gaps.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

__all__ = ["iter_paragraphs", "paragraphs", "sentences"]

# One line's content: from its first to its last non-space character, never across a line break.
_LINE = regex.compile(r"\S(?:[^\n\r\u2028\u2029]*\S)?")
# The same, searched from the end of the text backwards (the regex module's reverse mode).
_LINE_REVERSE = regex.compile(r"(?r)\S(?:[^\n\r\u2028\u2029]*\S)?")
_FIRST_NON_SPACE = regex.compile(r"\S")
_LAST_NON_SPACE = regex.compile(r"(?r)\S")

# Words that end in a period without ending a sentence: titles, company suffixes, months.
_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|St|Mt|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Rev|Hon|Jr|Sr|Inc|Corp|Co|Ltd"
    "|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
# A sentence ends at . ! ? or … (a period only if it does not close an abbreviation, a single
# capital initial, or a dotted abbreviation such as U.S., D.C., a.m., e.g.), optionally followed
# by closing quotes or brackets, then whitespace, then something that can start a sentence (a
# capital, a digit, a currency sign, or a symbol that opens furniture lines: © ® # @ •).
# A match only starts at the first mark of a run ("?!", "...."), and the run is taken possessively,
# so a long run of dots costs linear time, not quadratic.
_SENTENCE_BREAK = regex.compile(
    rf"""
    (?<![.!?…])
    (?:
        [!?…]
      | (?<! (?<![\p{{L}}\p{{N}}.]) (?:{_ABBREVIATIONS}|\p{{Lu}}|\p{{L}}(?:\.\p{{L}})+) ) \.
    )
    [.!?…]*+
    ["'”’)\]»]*+
    (?P<gap>\s+)
    (?=["'“‘(\[«¿¡]*[\p{{Lu}}\p{{Lt}}\p{{N}}\p{{Sc}}©®#@•])
    """,
    regex.VERBOSE,
)


def iter_paragraphs(text: str, *, reverse: bool = False) -> Iterator[tuple[int, int]]:
    """Yield the span of every non-blank line of ``text``, first to last (or last to first).

    Lazy, so a caller that wants only the first or last few lines of a long text pays only for
    those.

    >>> text = "Title\\r\\n\\n  First para.\\u00a0\\rSecond\\n"
    >>> [text[s:e] for s, e in iter_paragraphs(text)]
    ['Title', 'First para.', 'Second']
    >>> next(iter_paragraphs(text, reverse=True))
    (23, 29)
    """
    pattern = _LINE_REVERSE if reverse else _LINE
    for match in pattern.finditer(text):
        yield match.span()


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Return the span of every non-blank line of ``text``, without surrounding whitespace.

    >>> text = " date 2020-11-11 BAKU\\n\\nBy J. Smith - Trend:\\n\\u00a0\\n"
    >>> paragraphs(text)
    [(1, 21), (23, 43)]
    >>> [text[s:e] for s, e in paragraphs(text)]
    ['date 2020-11-11 BAKU', 'By J. Smith - Trend:']
    >>> paragraphs(" \\u00a0\\r\\n\\t")
    []
    """
    return [match.span() for match in _LINE.finditer(text)]


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the sentence spans inside ``text[start:end]``, treated as one paragraph.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) when
    whitespace and a plausible sentence start (a capital, a digit, an opening quote or bracket)
    follow, but not after a common abbreviation (Mr. Gen. Inc. No. Sept. ...), a single capital
    initial or a dotted abbreviation (U.S., D.C., a.m.). A range with no sentence end is one
    sentence; a blank range has none. ``start`` and ``end`` follow slice semantics.

    >>> text = "On Sept. 27. Azerbaijan replied. Mr. J. Smith, of Washington, D.C., agreed!"
    >>> [text[s:e] for s, e in sentences(text)]
    ['On Sept. 27.', 'Azerbaijan replied.', 'Mr. J. Smith, of Washington, D.C., agreed!']
    >>> text = 'x\\n "Why?" she asked. "Because."\\n'
    >>> [text[s:e] for s, e in sentences(text, 2, 32)]
    ['"Why?" she asked.', '"Because."']
    >>> sentences("On Nov. 10, 2020. ")
    [(0, 17)]
    """
    start, end, _ = slice(start, end).indices(len(text))
    first = _FIRST_NON_SPACE.search(text, start, end)
    if first is None:
        return []
    last = _LAST_NON_SPACE.search(text, start, end).end()
    spans = []
    begin = first.start()
    for match in _SENTENCE_BREAK.finditer(text, begin, last):
        spans.append((begin, match.start("gap")))
        begin = match.end()
    spans.append((begin, last))
    return spans
