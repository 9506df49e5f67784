"""Paragraph and sentence spans: exact offsets that rebuild the text, on examples and on any
text."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.segment import iter_paragraphs, paragraphs, sentences
from newscorpus.tokens import Words
from newscorpus.units import Unit, article_units, batch_units

SEEDS = Path(__file__).parent.parent / "seeds"
GOLD_BLOCKS = json.loads((Path(__file__).parent / "data" / "gold.json").read_text("utf-8"))[
    "blocks"
]
WHITESPACE = regex.compile(r"\s*")


def texts_of(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def split_sentences(text: str) -> list[str]:
    return texts_of(text, sentences(text))


# --- paragraphs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("one", ["one"]),
        ("one\ntwo", ["one", "two"]),
        ("one\n\ntwo\n", ["one", "two"]),
        ("one\r\ntwo\r\n\r\nthree", ["one", "two", "three"]),
        ("one\rtwo\r\rthree\r", ["one", "two", "three"]),
        ("one\u2028two\u2029three", ["one", "two", "three"]),
        ("  padded \t\n\u00a0 nbsp\u00a0\u00a0\n", ["padded", "nbsp"]),
        ("\u00a0\u2003 \n\t\n\u3000", []),
        ("form\x0cfeed\x0bvtab", ["form\x0cfeed\x0bvtab"]),
        ("next\x85line", ["next\x85line"]),
        ("inner  spaces\u00a0kept", ["inner  spaces\u00a0kept"]),
    ],
)
def test_paragraphs(text: str, expected: list[str]) -> None:
    assert texts_of(text, paragraphs(text)) == expected


def test_reverse_paragraphs_are_the_same_spans() -> None:
    text = " a \r\n\n b\rc \u2028 d"
    assert list(iter_paragraphs(text, reverse=True)) == paragraphs(text)[::-1]
    assert list(iter_paragraphs(text)) == paragraphs(text)


def seed(name: str) -> str:
    with open(SEEDS / name, encoding="utf-8", newline="") as file:
        return file.read()


@pytest.mark.parametrize("block", sorted(GOLD_BLOCKS))
def test_every_gold_block_is_a_paragraph_of_its_seeds(block: str) -> None:
    for name, paragraph in GOLD_BLOCKS[block].items():
        text = seed(name)
        assert paragraph in texts_of(text, paragraphs(text))


# --- sentences ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \u00a0 ", []),
        ("No sentence end here", ["No sentence end here"]),
        ("One. Two! Three? Four… Five", ["One.", "Two!", "Three?", "Four…", "Five"]),
        (
            "artillery on Sept. 27. Azerbaijan responded with a counter-offensive.",
            ["artillery on Sept. 27.", "Azerbaijan responded with a counter-offensive."],
        ),
        ("Le Drian's visit to Washington, D.C., on July 13 and 14.", None),
        (
            "It was signed on Nov. 10, 2020. Fighting stopped.",
            ["It was signed on Nov. 10, 2020.", "Fighting stopped."],
        ),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        (
            "He said “Stop.” “Why?” she asked.",
            [
                "He said “Stop.”",
                "“Why?” she asked.",
            ],
        ),
        ("It rose (by 5%.) Then it fell.", ["It rose (by 5%.)", "Then it fell."]),
        (
            "The year was 1994. 20 percent was occupied.",
            ["The year was 1994.", "20 percent was occupied."],
        ),
        ("peace negotiations.... The end", ["peace negotiations....", "The end"]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        ("a lower case start. is not a sentence", None),
        ("No space.Then no split", None),
        ("Written by J. Smith and A. B. Jones today.", None),
        ("The U.S. Senate and the U.N. agreed.", None),
        ("At 10 a.m. Moscow time, e.g. Monday, i.e. The day.", None),
        ("Acme Inc. Chief Executive Smith Jr. Resigned.", None),
        ("Resolution No. 145 passed vs. No. 146.", None),
    ],
)
def test_sentences(text: str, expected: list[str] | None) -> None:
    assert split_sentences(text) == ([text] if expected is None else expected)


@pytest.mark.parametrize(
    "abbreviation",
    "Mr. Mrs. Ms. Dr. Prof. St. Gen. Sen. Rep. Gov. Lt. Col. Sgt. Capt. Jr. Sr. Inc. Corp. Co. "
    "Ltd. No. vs. etc. e.g. i.e. U.S. U.K. U.N. E.U. a.m. p.m. Jan. Feb. Mar. Apr. Aug. Sept. "
    "Sep. Oct. Nov. Dec. J. D.C.".split(),
)
def test_no_split_after_abbreviations(abbreviation: str) -> None:
    text = f"They met {abbreviation} Smith there."
    assert split_sentences(text) == [text]


def test_a_real_sentence_end_is_still_found_after_an_abbreviation() -> None:
    assert split_sentences("They met Dr. Smith. He agreed.") == [
        "They met Dr. Smith.",
        "He agreed.",
    ]


def test_sentences_in_a_range() -> None:
    text = "Title\n\n  First one. Second one.  \nNext"
    start = text.index("First") - 2
    end = text.index("\nNext") + 0
    spans = sentences(text, start, end)
    assert texts_of(text, spans) == ["First one.", "Second one."]
    assert sentences(text, 0, 0) == []
    assert sentences(text, -4) == [(len(text) - 4, len(text))]


def test_whole_article_on_one_line() -> None:
    text = seed("000_8bc0c116937c1810.txt").replace("\n", " ")
    found = split_sentences(text)
    assert any(s.endswith("on Sept. 27.") for s in found)
    assert "Azerbaijan responded with a counter-offensive along the entire front." in found


# --- properties ---------------------------------------------------------------------------------

PIECES = (
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\u2028",
    "\u2029",
    " ",
    "\t",
    "\u00a0",
    "\u3000",
    "\x0c",
    "\x85",
    ".",
    ". ",
    "! ",
    "? ",
    "… ",
    '." ',
    ".” ",
    ") ",
    "Mr. ",
    "U.S. ",
    "D.C., ",
    "Sept. 27. ",
    "J. ",
    "The",
    "word",
    "27",
    "“",
    "é",
)
texts = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40).map("".join),
    st.text(),
)


def assert_rebuilds(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    """Spans are non-empty, ordered, trimmed, and with the whitespace-only gaps between them
    rebuild ``text[start:end]``."""
    rebuilt = []
    position = start
    for span_start, span_end in spans:
        assert position <= span_start < span_end <= end
        gap = text[position:span_start]
        assert WHITESPACE.fullmatch(gap)
        assert not regex.match(r"\s", text[span_start])
        assert not regex.match(r"\s", text[span_end - 1])
        rebuilt += [gap, text[span_start:span_end]]
        position = span_end
    assert WHITESPACE.fullmatch(text[position:end])
    rebuilt.append(text[position:end])
    assert "".join(rebuilt) == text[start:end]


@given(texts)
def test_paragraphs_rebuild_the_text(text: str) -> None:
    spans = paragraphs(text)
    assert_rebuilds(text, spans, 0, len(text))
    for start, end in spans:
        assert not regex.search(r"[\n\r\u2028\u2029]", text[start:end])
    assert list(iter_paragraphs(text, reverse=True)) == spans[::-1]


@given(texts)
def test_sentences_rebuild_each_paragraph(text: str) -> None:
    for start, end in paragraphs(text):
        spans = sentences(text, start, end)
        assert spans
        assert_rebuilds(text, spans, start, end)
        assert spans == [(s + start, e + start) for s, e in sentences(text[start:end])]


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[str], list[list[tuple[int, int]]]]:
    """A few texts, each with sorted, disjoint metadata spans inside it."""
    found_texts = draw(st.lists(texts, min_size=1, max_size=4))
    spans = []
    for text in found_texts:
        edges = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=4))))
        spans.append([(a, b) for a, b in zip(edges[::2], edges[1::2]) if a < b])
    return found_texts, spans


@given(batches(), st.integers(1, 14), st.integers(1, 6))
def test_units_of_a_batch_are_those_of_each_article(batch, min_split_words, min_words) -> None:
    """`batch_units` (words counted for the whole batch at once) gives every article the units
    `article_units` gives it, counting the same words."""
    found_texts, spans = batch
    joined = "\n".join(found_texts)
    bases = [0]
    for text in found_texts:
        bases.append(bases[-1] + len(text) + 1)
    breaks = [base + edge for base, s in zip(bases, spans) for span in s for edge in span]
    starts = Words.of(joined, breaks).starts
    got = batch_units(found_texts, spans, starts, min_split_words, min_words)
    unit_start, unit_end, paragraph, whole, sizes = (x.tolist() for x in got)
    i = 0
    for text, base, text_spans, size in zip(found_texts, bases, spans, sizes):

        def count(start: int, end: int, limit: int, base: int = base) -> int:
            lo = bisect.bisect_left(starts, base + start)
            return bisect.bisect_left(starts, base + end) - lo

        expected = article_units(text, text_spans, min_split_words, min_words, count)
        mine = [
            Unit(s, e, p, w)
            for s, e, p, w in zip(
                unit_start[i : i + size],
                unit_end[i : i + size],
                paragraph[i : i + size],
                whole[i : i + size],
            )
        ]
        assert mine == expected
        i += size
    assert i == len(unit_start)
