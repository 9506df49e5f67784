"""Header and footer metadata: the seeds' hand labels, golden cases, and spans that are always
valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.meta import Meta, extract
from newscorpus.segment import paragraphs

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parent.parent / "seeds"
GOLD = json.loads((DATA / "gold.json").read_text(encoding="utf-8"))["meta"]
CASES = json.loads((DATA / "meta_cases.json").read_text(encoding="utf-8"))
FIELDS = ["date", "place", "source", "author", "title", "tags"]


def seed_text(name: str) -> str:
    # newline="" keeps the file's line breaks exactly as they are.
    with open(SEEDS / name, encoding="utf-8", newline="") as file:
        return file.read()


def meta_texts(text: str) -> list[str]:
    return [text[start:end] for start, end in extract(text)[1]]


@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_metadata_matches_the_hand_labels(name: str) -> None:
    meta, _ = extract(seed_text(name))
    assert list(GOLD[name]) == FIELDS
    assert meta.to_dict() == GOLD[name]


SEED_META_TEXT = {
    "000_8bc0c116937c1810.txt": ["BAKU, Azerbaijan, Nov. 26", "Trend:"],
    "001_822e2b77ddaa0880.txt": ["date 2020-11-11 BAKU, Azerbaijan, Nov. 11"],
    "002_00a0fac8a431ad56.txt": ["date 2020-11-28"],
    "003_46b57605878dc235.txt": [
        "date 2020-11-11 BAKU, Azerbaijan, November 11",
        "By Jeila Aliyeva - Trend:",
    ],
    "004_7b5bf0ff46632ae1.txt": [
        "French FM, US Secretary of State discuss joint action to help achieve lasting peace"
        " between Armenia, Azerbaijan",
        "15 July 2021\xa0\xa0\xa0 Read: 715",
        "French FM, US Secretary of State discuss joint action to help achieve lasting peace"
        " between Armenia, Azerbaijan",
        "More about: #France \xa0 #US \xa0 #Azerbaijan \xa0 #Armenia",
    ],
}


@pytest.mark.parametrize("name", sorted(SEED_META_TEXT))
def test_seed_metadata_spans(name: str) -> None:
    assert meta_texts(seed_text(name)) == SEED_META_TEXT[name]


def test_story_mentions_of_an_agency_are_not_metadata() -> None:
    text = seed_text("001_822e2b77ddaa0880.txt")
    assert "told Trend on Nov. 11." in text
    assert extract(text)[0].source is None


@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_golden_case(case: dict) -> None:
    meta, spans = extract(case["text"])
    assert meta.to_dict() == case["meta"]
    assert [case["text"][start:end] for start, end in spans] == case["meta_text"]


def test_golden_cases_cover_negatives() -> None:
    negatives = [case for case in CASES if case["label"].startswith("negative")]
    assert len(CASES) >= 25 and len(negatives) >= 8


def test_only_the_first_lines_are_read() -> None:
    story = "The council met on Tuesday to discuss the budget for next year.\n"
    late = "Filler line without a full stop\n" * 5 + "By John Smith\n" + story
    assert extract(late) == (Meta(), [])
    assert extract("By John Smith\n" + story)[0].author == "John Smith"


def test_only_the_last_lines_are_read() -> None:
    story = "The council met on Tuesday to discuss the budget for next year.\n"
    early_footer = story + "Reuters\n" + "Short furniture line\n" * 4
    assert extract(early_footer)[0].source is None
    assert extract(story + "Reuters\n" + "Short furniture line\n" * 3)[0].source == "Reuters"


def test_first_value_wins() -> None:
    text = "date 2021-01-02 LONDON, March 3, 2021 (Reuters) - Prices rose on Monday.\nAP\n"
    meta, _ = extract(text)
    assert (meta.date, meta.source) == ("2021-01-02", "Reuters")


def test_meta_record() -> None:
    meta = Meta(date="2020-11-26", tags=["France", "US"])
    assert meta.tags == ("France", "US")
    assert meta.to_dict() == {
        "date": "2020-11-26",
        "place": None,
        "source": None,
        "author": None,
        "title": None,
        "tags": ["France", "US"],
    }
    assert Meta(**meta.to_dict()) == meta
    with pytest.raises(TypeError, match="Meta.place"):
        Meta(place=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Meta.tags"):
        Meta(tags="France")  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------------

HEADERISH = (
    "BAKU, Azerbaijan, Nov. 26",
    " date 2020-11-11 BAKU, Azerbaijan, Nov. 11",
    " date 2020-02-30 x",
    "Trend:",
    "(AP)",
    "Reuter",
    "By Jeila Aliyeva - Trend:",
    "By The Associated Press",
    "By A and B and C and D and E",
    "HELSINKI (AP) - A face-to-face sitdown was planned.",
    "NEW YORK, N.Y. \u2014",
    "X, Y (Z) --",
    "\u00a0 15 July 2021\u00a0\u00a0 Read: 715",
    "Posted: 11:59 AM, July 14, 2018 |",
    "More about: #France \u00a0#US \u00a0",
    "Tags: ,, ;",
    "Filed under: | Tagged: |",
    "A title of a few words",
    "A title of a few words",
    "News Line",
    "The story goes on. And on.",
    "",
    " ",
    "\u00a0",
    "\u2028",
)
breaks = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2029"])
lines = st.one_of(st.sampled_from(HEADERISH), st.text(max_size=30))


@st.composite
def articles(draw: st.DrawFn) -> str:
    """Texts of header-like, random and story lines joined by mixed line breaks."""
    parts = draw(st.lists(lines, max_size=12))
    return "".join(part + draw(breaks) for part in parts) + draw(st.text(max_size=5))


@given(st.one_of(articles(), st.text()))
def test_spans_are_valid(text: str) -> None:
    meta, spans = extract(text)
    assert isinstance(meta, Meta)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not regex.match(r"\s", text[start]) and not regex.match(r"\s", text[end - 1])
        previous_end = end
    # Each span lies inside one paragraph.
    lines_of_text = paragraphs(text)
    for start, end in spans:
        assert any(s <= start and end <= e for s, e in lines_of_text)


@given(articles())
def test_extract_is_deterministic(text: str) -> None:
    assert extract(text) == extract(text)
