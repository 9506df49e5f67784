"""Read the metadata in an article's header and footer lines, and mark where it stands.

Scraped news opens with lines such as a title, ``date 2020-11-11``, a dateline
(``BAKU, Azerbaijan, Nov. 11``, ``HELSINKI (AP) -``), a byline (``By Jeila Aliyeva - Trend:``)
or an agency line (``Trend:``), and often ends with a tags line (``More about: #France``) or an
agency trailer (``Reuter``, alone or after the last sentence). :func:`extract` returns what
these say as a :class:`Meta` record and the exact character spans they occupy, so that clean
text can leave them out.

Only the first few and the last few non-blank lines are read, never the middle of the story,
and every pattern is anchored to a whole line, to the start of one, or (for an agency trailer)
to the end of the last one: a miss costs a little metadata, a false positive would cut story
text, so the rules are conservative on purpose. Spans never include whitespace at either end.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import attrs
import regex

from newscorpus.segment import iter_paragraphs

__all__ = ["Meta", "extract"]

_HEADER_LINES = 5  # non-blank lines read at the top
_FOOTER_LINES = 4  # non-blank lines read at the bottom
_TITLE_MAX_WORDS = 25
_TITLE_MIN_WORDS = 3
_BARE_DATELINE_MIN_WORDS = 6  # "CITY -" with nothing else needs this much story after it


def _optional_str(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(
            f"Meta.{attribute.name} must be a str or None, got {type(value).__name__}: {value!r}"
        )


def _to_tags(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"Meta.tags must be a sequence of str, got a str: {value!r}")
    return tuple(value)


@attrs.frozen
class Meta:
    """What an article's header and footer say about it; ``None`` where they do not say.

    ``date`` is ISO ``yyyy-mm-dd`` (only when the article gives a year), ``place`` the dateline
    place, ``source`` the agency, ``author`` the byline's name(s), ``title`` a title line,
    ``tags`` the tags of a tags line. All strings are verbatim from the text except ``date``.

    >>> Meta(place="BAKU, Azerbaijan", tags=["France"]).to_dict()["tags"]
    ['France']
    """

    date: str | None = attrs.field(default=None, validator=_optional_str)
    place: str | None = attrs.field(default=None, validator=_optional_str)
    source: str | None = attrs.field(default=None, validator=_optional_str)
    author: str | None = attrs.field(default=None, validator=_optional_str)
    title: str | None = attrs.field(default=None, validator=_optional_str)
    tags: tuple[str, ...] = attrs.field(
        default=(),
        converter=_to_tags,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(str)),
    )

    def to_dict(self) -> dict[str, Any]:
        """The six fields as a plain, JSON-ready dict (``tags`` as a list)."""
        return {
            "date": self.date,
            "place": self.place,
            "source": self.source,
            "author": self.author,
            "title": self.title,
            "tags": list(self.tags),
        }


# --- dates -------------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?i:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = (
    r"(?i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|Mon|Tues|Tue|Wed|Thurs|Thur|Thu|Fri|Sat|Sun)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
# "2020-11-26", "Nov. 26, 2020", "November 26" (no year), "26 November 2020", "26th of Nov 2020".
_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}(?!\d)"
    rf"|{_MONTH}\s*\d{{1,2}}{_ORDINAL}(?!\d)(?:,?\s*\d{{4}}(?!\d))?"
    rf"|\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}(?!\d))"
)
_DATE_PARTS = regex.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    rf"|(?P<mon>{_MONTH})\s*(?P<d>\d{{1,2}}){_ORDINAL}(?:,?\s*(?P<y>\d{{4}}))?"
    rf"|(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<mon>{_MONTH}),?\s+(?P<y>\d{{4}})"
)
_TIME = (
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?i:a\.m\.|p\.m\.|am|pm))?"
    r"(?:\s+(?:GMT|UTC|[ECMP][SD]T|ET|BST|CET|CEST))?"
)
_DATE_LABEL = (
    r"(?i:(?:last\s+|originally\s+|first\s+)?"
    r"(?:updated|posted|published|released|modified|created|date)\b"
    r"(?:\s+(?:on|at)\b)?)\s*:?"
)


def _iso_date(date_text: str) -> str | None:
    """The ISO form of a date matched by ``_DATE``, or None if it has no year or is not real.

    >>> _iso_date("Sept. 27, 2020"), _iso_date("15 July 2021"), _iso_date("Nov. 26")
    ('2020-09-27', '2021-07-15', None)
    >>> _iso_date("Feb 30, 2021") is None
    True
    """
    parts = _DATE_PARTS.fullmatch(date_text)
    if parts is None or parts["y"] is None:
        return None
    month = int(parts["m"]) if parts["m"] else _MONTH_NUMBERS[parts["mon"][:3].lower()]
    try:
        return datetime.date(int(parts["y"]), month, int(parts["d"])).isoformat()
    except ValueError:
        return None


# --- agencies, names, places -------------------------------------------------------------------

# News agencies recognised when they stand alone ("Reuters", "Trend:", "(AP)") or as a byline's
# whole name ("By Reuters"), where an unknown word would be too risky to call a source.
_AGENCY = (
    r"(?:(?i:The\s+Associated\s+Press|Associated\s+Press|Reuters?|Agence\s+France[-\s]Presse"
    r"|Bloomberg|Interfax|RIA\s+Novosti|Sputnik|Xinhua|Kyodo|Yonhap|Anadolu(?:\s+Agency)?"
    r"|African\s+News\s+Agency|Press\s+Association|AzerTac)"
    r"|Trend|TREND|AP|AFP|UPI|APA|TASS|ITAR-TASS|IRNA|dpa|DPA|EFE|ANSA|PTI|IANS|ANI|ANA"
    r"|PA\s+Media|CNN)"
)
_AGENCY_ONLY = regex.compile(rf"{_AGENCY}(?:\s*/\s*{_AGENCY})?")
# An all-caps place word: BAKU, ST., O'HARE, WINSTON-SALEM (a hyphen only between letters).
_CITY_WORD = r"\p{Lu}[\p{Lu}.'’]*(?:-\p{Lu}[\p{Lu}.'’]*)*"
_CITY = rf"{_CITY_WORD}(?:[ /]{_CITY_WORD}){{0,3}}"
# A capitalised region after the city (Azerbaijan, Va., N.Y., Scotland), never a date.
_REGION_WORD = r"\p{Lu}[\p{L}.'’]*(?:-\p{L}[\p{L}.'’]*)*"
_REGION = rf"(?!{_MONTH}\s*\d){_REGION_WORD}(?:\s{_REGION_WORD}){{0,2}}"
# "(AP)", "(Reuters)", "(WXIN/CNN)", "(News 12/CNN)", "(BUSINESS WIRE)": capitalised words.
_PAREN_AGENCY = r"\p{Lu}[\p{L}\p{N}&/.'’-]*(?:\s[\p{Lu}\p{N}][\p{L}\p{N}&/.'’-]*){0,3}"
_STORY_START = r"[\"“‘'(\[]*[\p{Lu}\p{N}]"
# All-caps words that open a line like a dateline place but are page furniture or labels.
_NOT_PLACES = frozenset(
    """
    ADVERTISEMENT ALERT ANALYSIS BREAKING BULLETIN COMMENTARY CORRECTION EDITOR'S EDITORIAL
    EXCLUSIVE FILE FLASH GALLERY LISTEN LIVE MORE NOTE OPINION PHOTO PHOTOS READ RELATED REVIEW
    SPONSORED UPDATE UPDATED URGENT VIDEO WATCH U.S. U.K. U.N. E.U. US UK UN EU
    """.split()
)

_NAME_WORD = r"\p{Lu}[\p{L}'’.]*(?:-\p{L}[\p{L}'’.]*)*"
_NAME = rf"(?!(?:{_WEEKDAY}|{_MONTH})(?!\p{{L}})){_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_NAMES = rf"{_NAME}(?:\s+(?:and|AND|&)\s+{_NAME}){{0,2}}"
_SOURCE_NAME = rf"(?!(?:{_WEEKDAY}|{_MONTH})(?!\p{{L}})){_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}"

# --- whole-line and line-prefix patterns -------------------------------------------------------

# "15 July 2021  Read: 715", "Posted: 11:59 AM, July 14, 2018", "AP | Sunday, July 15, 2018".
_DATE_LINE = regex.compile(
    rf"""
    (?:(?P<source>{_AGENCY})\s*[|•·/–—-]\s*)?
    (?:{_DATE_LABEL}\s*)?
    (?:{_WEEKDAY},?\s*)?
    (?:{_TIME}\s*[,|•·–—-]?\s*)?
    (?:{_WEEKDAY},?\s*)?
    (?P<date>{_DATE})
    (?:\s*[,|•·–—-]?\s*(?:at\s+)?{_TIME})?
    (?:\s*[|•·–—-]?\s*(?i:reads?|views?)\s*:?\s*\d[\d,]*)?
    """,
    regex.VERBOSE,
)
# "By Jeila Aliyeva - Trend:", "By JILL SMITH, Associated Press", "By: Ann Lee | May 4, 2019".
_BYLINE = regex.compile(
    rf"""
    (?i:by)\s*:?\s+
    (?P<names>{_NAMES})
    (?:\s*[,|/–—-]\s*(?P<source>{_SOURCE_NAME}))?
    (?:\s*[,|/:–—-]?\s*(?:{_WEEKDAY},?\s*)?(?P<date>{_DATE})(?:,?\s*{_TIME})?)?
    \s*[:.]?
    """,
    regex.VERBOSE,
)
# A byline's names that end with an agency: "ROBERT BURNS Associated Press", or with one glued
# on where the scraper lost a line break: "Julia RubinThe Associated Press".
_TRAILING_AGENCY = regex.compile(rf"(?:\s+|(?<=\p{{Ll}})(?=The\s))(?P<source>{_AGENCY})\Z")
# "Trend:", "(AP)", "Reuters", "REUTER", "(WXIN/CNN)".
_SOURCE_LINE = regex.compile(
    rf"\(?(?P<source>{_AGENCY_ONLY.pattern})\)?\s*:?"
    r"|\((?P<source>\p{Lu}[\p{Lu}\p{N}&/ .-]{1,20})\)"
)
# An agency trailer glued to the story's last sentence: "... the ministry said. REUTER".
_TRAILER = regex.compile(rf"[.!?…][\"'”’)\]»]*\s+(?P<source>{_AGENCY_ONLY.pattern})\Z")
# "More about: #France #US", "Tags: cocoa, Brazil", "Filed under: Yemen | Tagged: war".
_TAGS_LINE = regex.compile(
    r"(?i:more\s+about|tags?|tagged|topics?|keywords|filed\s+under)\s*:\s*(?P<tags>\S.*)",
    regex.DOTALL,
)
_HASHTAG = regex.compile(r"#([\p{L}\p{N}_][\p{L}\p{N}_-]*)")
_TAG_SEPARATOR = regex.compile(r"\s*(?:[,;|]|(?i:\btagged\s*:))\s*")
_NOT_A_TAG = regex.compile(r"(?i:\d+\s+comments?\b.*|leave\s+a\s+comment.*|»|\W*)")
# "date 2020-11-11" or a bare ISO date opening a line.
_DATE_PREFIX = regex.compile(r"(?:(?i:date)\s*:?\s*)?(?P<date>\d{4}-\d{2}-\d{2})(?!\d)(?=\s|\Z)")
# "BAKU, Azerbaijan, Nov. 11", "HELSINKI (AP) -", "SALVADOR, Feb 26 -",
# "TURNBERRY/GLASGOW, Scotland —". A plain hyphen counts as a dash only after a space, so that
# "M-1 money supply" or "ADVO-System Inc" does not open with a dateline.
_DATELINE = regex.compile(
    rf"""
    (?P<place>(?P<city>{_CITY})(?P<region>(?:,\s*{_REGION}){{0,2}}))
    (?:,\s*(?P<date>{_DATE}))?
    (?:\s*(?:--)?\s*\((?P<source>{_PAREN_AGENCY})\))?
    (?:
        (?P<dash>\s*(?:--|[–—])|\s+-)(?=\s*(?:{_STORY_START}|\Z))
      | (?P<eol>(?=\s*\Z))
      | (?=\s+{_STORY_START})
    )
    """,
    regex.VERBOSE,
)
# What a title never looks like: a label, a byline, a caption or credit, a bullet, a widget.
_NOT_TITLE_START = regex.compile(
    rf"{_DATE_LABEL}|[^\p{{L}}\p{{N}}\"“‘']|(?i:by|source|image|photo|picture|caption|credit"
    r"|file|video|watch|listen|email|share|print|advertisement)\b"
)
_NOT_TITLE_ANYWHERE = regex.compile(rf"[|•·]|\b[Bb]y\s+\p{{Lu}}|\)\Z|(?:[,/(–—-]|\s){_AGENCY}\Z")
_SPACE_RUN = regex.compile(r"\s+")
_ENDS_SENTENCE = regex.compile(r"[.!?…][\"'”’)\]»]*\Z")
_ENDS_CLAUSE = regex.compile(r"[.!?…,:;][\"'”’)\]»]*\Z")
_LETTERS = regex.compile(r"\p{L}")


# --- reading lines -----------------------------------------------------------------------------


def _count_words(text: str, start: int, end: int, limit: int) -> int:
    """Words in ``text[start:end]``, counting no further than ``limit + 1``."""
    if end - start > 20 * limit:
        return limit + 1
    return min(len(text[start:end].split()), limit + 1)


def _is_story(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is story text: it ends like a sentence or clause, or it is
    longer than a title."""
    if start >= end:
        return False
    if _ENDS_CLAUSE.search(text, max(start, end - 8), end):
        return True
    return _count_words(text, start, end, _TITLE_MAX_WORDS) > _TITLE_MAX_WORDS


def _tags(raw: str) -> list[str] | None:
    """The tags of a tags line's value, or None if it does not look like a list of tags."""
    hashtags = _HASHTAG.findall(raw)
    if hashtags:
        return hashtags
    tags = [tag for tag in _TAG_SEPARATOR.split(raw) if not _NOT_A_TAG.fullmatch(tag)]
    if not tags or any(len(tag) > 60 or len(tag.split()) > 6 for tag in tags):
        return None
    return tags


def _whole_line(text: str, start: int, end: int, *, header: bool) -> tuple[str, dict] | None:
    """The kind and the metadata of a line that is metadata from end to end, or None."""
    if header and (match := _DATE_LINE.fullmatch(text, start, end)):
        return "date", {"date": _iso_date(match["date"]), "source": match["source"]}
    if match := _BYLINE.fullmatch(text, start, end):
        names, source = match["names"], match["source"]
        if source is None and _AGENCY_ONLY.fullmatch(names):
            return "source", {"source": names}
        if source is None and (agency := _TRAILING_AGENCY.search(names)):
            names, source = names[: agency.start()], agency["source"]
        date = _iso_date(match["date"]) if match["date"] else None
        return "byline", {"author": names, "source": source, "date": date}
    if match := _SOURCE_LINE.fullmatch(text, start, end):
        return "source", {"source": match["source"]}
    if (match := _TAGS_LINE.fullmatch(text, start, end)) and (tags := _tags(match["tags"])):
        return "tags", {"tags": tags}
    return None


def _dateline(text: str, start: int, end: int) -> regex.Match | None:
    """A dateline opening ``text[start:end]``, or None if what is there is not one.

    A date or an agency is strong evidence. Without either ("CITY -", "CITY, Region -") the
    rest of the line must read as a story paragraph, since "WHEAT - US Hard Amber 161 unch" or
    "F/H MAY, MAY PRICE - UP 1" open tables, not stories.
    """
    match = _DATELINE.match(text, start, end)
    if match is None:
        return None
    city = match["city"]
    if city in _NOT_PLACES or len(_LETTERS.findall(city)) < 3:
        return None
    strong = bool(match["date"] or match["source"])
    if match["dash"] is None and match["eol"] is None and not match["date"]:
        return None  # without a dash, only a date marks where the story begins
    if strong:
        return match
    rest = _SPACE_RUN.match(text, match.end(), end)
    rest_start = rest.end() if rest else match.end()
    if rest_start == end:
        return None  # "CITY, Region" alone on a line is as likely a heading
    words = _count_words(text, rest_start, end, _BARE_DATELINE_MIN_WORDS)
    if words < _BARE_DATELINE_MIN_WORDS or not _ENDS_SENTENCE.search(text, rest_start, end):
        return None
    return match


def _line_prefix(text: str, start: int, end: int) -> tuple[int, str | None, dict[str, Any]]:
    """Where the metadata opening a header line ends (``start`` if none), its kind ("dateline"
    or "date"), and what it says."""
    found: dict[str, Any] = {}
    kind = None
    position = start
    if match := _DATE_PREFIX.match(text, position, end):
        found["date"] = _iso_date(match["date"])
        kind = "date"
        position = match.end()
    space = _SPACE_RUN.match(text, position, end)
    if match := _dateline(text, space.end() if space else position, end):
        found.update(place=match["place"], source=match["source"])
        if match["date"] and "date" not in found:
            found["date"] = _iso_date(match["date"])
        kind = "dateline"
        position = match.end()
    return position, kind, found


def _merge(found: dict[str, Any], new: dict[str, Any]) -> None:
    """Add ``new`` values to ``found``; the first value found for a field wins."""
    for key, value in new.items():
        if value and not found.get(key):
            found[key] = value


def extract(text: str) -> tuple[Meta, list[tuple[int, int]]]:
    """Read the metadata in the header and footer lines of ``text``, and where it stands.

    Returns the :class:`Meta` record and the sorted, non-overlapping spans of ``text`` that are
    metadata rather than story: whole lines, or the start of a line whose rest is the story's
    first sentence.

    >>> text = " date 2020-11-11 BAKU, Azerbaijan, Nov. 11\\n\\nBy Jeila Aliyeva - Trend:\\nText."
    >>> meta, spans = extract(text)
    >>> meta.date, meta.place, meta.author, meta.source
    ('2020-11-11', 'BAKU, Azerbaijan', 'Jeila Aliyeva', 'Trend')
    >>> [text[s:e] for s, e in spans]
    ['date 2020-11-11 BAKU, Azerbaijan, Nov. 11', 'By Jeila Aliyeva - Trend:']
    >>> meta, spans = extract("HELSINKI (AP) - A face-to-face sitdown was planned.\\nReuters")
    >>> meta.place, meta.source, spans
    ('HELSINKI', 'AP', [(0, 15), (52, 59)])
    """
    found: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    header, kinds, story_follows = _read_header(text, found, spans)
    footer = _read_footer(text, header[-1][1] if header else 0, found, spans)
    if story_follows and _is_title(text, header, kinds, footer):
        start, end = header[0]
        found["title"] = text[start:end]
        spans.append((start, end))
        spans.extend((s, e) for s, e in header[1:] + footer if text[s:e] == found["title"])
    meta = Meta(
        date=found.get("date"),
        place=found.get("place"),
        source=found.get("source"),
        author=found.get("author"),
        title=found.get("title"),
        tags=found.get("tags", ()),
    )
    return meta, sorted(spans)


def _read_header(
    text: str, found: dict[str, Any], spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[str | None], bool]:
    """Read the first lines, up to and including the first that carries story text.

    Returns the spans of the lines read, the kind of metadata each line is or opens with (None
    for none), and whether a story line ended the header.
    """
    header: list[tuple[int, int]] = []
    kinds: list[str | None] = []
    for start, end in iter_paragraphs(text):
        header.append((start, end))
        whole = _whole_line(text, start, end, header=True)
        if whole is not None:
            kinds.append(whole[0])
            _merge(found, whole[1])
            spans.append((start, end))
        else:
            meta_end, kind, values = _line_prefix(text, start, end)
            kinds.append(kind if meta_end == end else None)
            if meta_end > start:
                _merge(found, values)
                spans.append((start, meta_end))
            if _is_story(text, meta_end, end):
                return header, kinds, True
        if len(header) == _HEADER_LINES:
            break
    return header, kinds, False


def _read_footer(
    text: str, after: int, found: dict[str, Any], spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Read the last lines that start at or after ``after``, last line first, up to the first
    story line; return the spans of the lines read. On the very last line, an agency trailer
    glued to the final sentence ("... said. REUTER") is metadata too."""
    footer = []
    for start, end in iter_paragraphs(text, reverse=True):
        if start < after:
            break
        footer.append((start, end))
        whole = _whole_line(text, start, end, header=False)
        if whole is not None:
            _merge(found, whole[1])
            spans.append((start, end))
        else:
            trailer = _TRAILER.search(text, max(start, end - 60), end) if len(footer) == 1 else None
            if trailer is not None:
                _merge(found, {"source": trailer["source"]})
                spans.append((trailer.start("source"), end))
            if _is_story(text, start, end):
                break
        if len(footer) == _FOOTER_LINES:
            break
    return footer


def _is_title(
    text: str,
    header: list[tuple[int, int]],
    kinds: list[str | None],
    footer: list[tuple[int, int]],
) -> bool:
    """Whether the first line is a title: no metadata itself, short, not a sentence, not a
    label, a credit or a bullet, and either followed right away by a date, byline, agency or
    dateline line, or repeated verbatim in the other lines read."""
    if len(header) < 2 or kinds[0] is not None:
        return False
    start, end = header[0]
    if _is_story(text, start, end) or _NOT_TITLE_START.match(text, start, end):
        return False
    if _NOT_TITLE_ANYWHERE.search(text, start, end):
        return False
    words = [word for word in text[start:end].split() if _LETTERS.search(word)]
    if len(words) < _TITLE_MIN_WORDS:
        return False
    if kinds[1] in ("date", "byline", "source", "dateline"):
        return True
    title = text[start:end]
    return any(text[s:e] == title for s, e in header[1:] + footer)
