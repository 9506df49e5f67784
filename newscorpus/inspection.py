"""Looking inside a store: what the ``stats``, ``blocks``, ``show``, ``history`` and ``dupes``
commands print, and the queries behind them.

The queries are SQL aggregates on the store's tables (see `newscorpus.store`), so that a large
store is summed up by SQLite rather than by rebuilding every article in Python. Text is rendered
for a person: plain markers by default (``[shared ID]...[/shared]``, ``[meta]...[/meta]``,
``[-deleted-]{+inserted+}``), ANSI colours when asked to (`use_colour` decides: a terminal, and
no ``NO_COLOR`` in the environment). Control characters of scraped text are shown as escapes,
never sent to the terminal.

This module is named ``inspection`` rather than ``inspect`` so that it never shadows the
standard library's ``inspect`` (which attrs and dataclasses import).
"""

from __future__ import annotations

import difflib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import IO, Any

import attrs
import regex

from newscorpus.errors import StoreError
from newscorpus.store import Article, Corpus

#: ``(op, text)`` pieces of a word diff: op "=" (in both), "-" (old only) or "+" (new only).
DiffOp = tuple[str, str]

# A word (with its inner apostrophes and hyphens) or one other character, each with the
# whitespace before it; then whitespace at the very end. Together: the text, exactly.
_DIFF_PIECE = regex.compile(r"\s*(?:\w+(?:['’\-]\w+)*|\S)|\s+")
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_EXCERPT = 60

_RESET = "\x1b[0m"
_STYLE = {
    "shared": "\x1b[36m",  # cyan
    "tag": "\x1b[2;36m",  # dim cyan: the block id before a shared passage
    "meta": "\x1b[35m",  # magenta
    "-": "\x1b[31;9m",  # red, struck through
    "+": "\x1b[32m",  # green
    "head": "\x1b[1m",  # bold
}


def use_colour(choice: str, stream: IO[str]) -> bool:
    """Colour for ``--color`` ``choice``: "always", "never", or "auto" (a terminal, and
    ``NO_COLOR`` unset or empty, as no-color.org asks).

    >>> import io
    >>> use_colour("auto", io.StringIO()), use_colour("always", io.StringIO())
    (False, True)
    """
    if choice == "always":
        return True
    if choice == "never":
        return False
    return stream.isatty() and not os.environ.get("NO_COLOR")


def visible(text: str) -> str:
    r"""``text`` safe to print to a terminal: line breaks and tabs kept (``\r\n`` as ``\n``),
    every other control character (escape sequences of hostile text) shown as ``\xNN``.

    >>> visible("a\x1b[2Jb\r\nc")
    'a\\x1b[2Jb\nc'
    """
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _paint(text: str, style: str, colour: bool) -> str:
    return f"{_STYLE[style]}{text}{_RESET}" if colour and text else text


def _short(text: str, width: int = _EXCERPT) -> str:
    text = " ".join(visible(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _db(corpus: Corpus) -> sqlite3.Connection:
    # The store's read-only connection: these aggregates have no method on Corpus.
    db = getattr(corpus, "_db", None)
    if db is None:
        raise StoreError(
            f"{corpus.path}: a Parquet dataset is read by `newscorpus export` and the Python API; "
            "this command reads SQLite stores"
        )
    return db


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _count(n: int, noun: str) -> str:
    """``n`` and the noun, singular or plural.

    >>> _count(1, "article"), _count(2, "group")
    ('1 article', '2 groups')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _pct(value: float) -> str:
    return f"{value:.1%}"


# --- stats ---------------------------------------------------------------------------------------


@attrs.frozen
class Share:
    """Articles and characters of a set of articles, and how much of the text is shared blocks
    and metadata lines (together: boilerplate)."""

    articles: int = 0
    copies: int = 0
    chars: int = 0
    shared: int = 0
    meta: int = 0

    def __add__(self, other: Share) -> Share:
        return Share(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other))))

    @property
    def shared_share(self) -> float:
        return _share(self.shared, self.chars)

    @property
    def meta_share(self) -> float:
        return _share(self.meta, self.chars)

    @property
    def boilerplate_share(self) -> float:
        return _share(self.shared + self.meta, self.chars)

    def to_dict(self) -> dict[str, Any]:
        return {
            **attrs.asdict(self),
            "shared_share": self.shared_share,
            "meta_share": self.meta_share,
            "boilerplate_share": self.boilerplate_share,
        }


@attrs.frozen
class Stats:
    """What a store holds: totals, then the same by source and by month (ISO ``yyyy-mm``) of
    the articles' metadata; the key ``None`` gathers articles without one, and comes last."""

    total: Share
    blocks: int
    carriers: int  # articles carrying at least one shared block
    copy_groups: int
    by_source: tuple[tuple[str | None, Share], ...]
    by_month: tuple[tuple[str | None, Share], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.total.to_dict(),
            "blocks": self.blocks,
            "articles_with_blocks": self.carriers,
            "copy_groups": self.copy_groups,
            "by_source": [{"source": k, **s.to_dict()} for k, s in self.by_source],
            "by_month": [{"month": k, **s.to_dict()} for k, s in self.by_month],
        }


def stats(corpus: Corpus) -> Stats:
    """Sum the store up in one pass over its segments (SQL), grouped by source and month."""
    db = _db(corpus)
    rows = db.execute(
        """
        WITH per AS (
            SELECT article_id AS id,
                   SUM(CASE WHEN kind = 'shared' THEN "end" - start ELSE 0 END) AS shared,
                   SUM(CASE WHEN kind = 'meta' THEN "end" - start ELSE 0 END) AS meta
            FROM segments GROUP BY article_id
        )
        SELECT a.source, substr(a.date, 1, 7), COUNT(*), SUM(a.duplicate_of IS NOT NULL),
               SUM(a.length), SUM(COALESCE(per.shared, 0)), SUM(COALESCE(per.meta, 0)),
               SUM(COALESCE(per.shared, 0) > 0)
        FROM articles a LEFT JOIN per ON per.id = a.id
        GROUP BY a.source, substr(a.date, 1, 7)
        """
    ).fetchall()
    total = Share()
    carriers = 0
    sources: dict[str | None, Share] = {}
    months: dict[str | None, Share] = {}
    for source, month, *numbers, carrying in rows:
        share = Share(*numbers)
        total += share
        carriers += carrying
        sources[source] = sources.get(source, Share()) + share
        months[month] = months.get(month, Share()) + share
    blocks = db.execute("SELECT COUNT(*) FROM blocks").fetchone()[0]
    _, groups = copy_counts(corpus)
    by_source = sorted(sources.items(), key=lambda kv: (kv[0] is None, -kv[1].articles, kv[0]))
    by_month = sorted(months.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return Stats(total, blocks, carriers, groups, tuple(by_source), tuple(by_month))


def format_stats(s: Stats, path: str, *, rows: int = 20) -> str:
    """The stats for a person: totals, then tables by source (the ``rows`` largest) and by
    month."""
    t = s.total
    lines = [
        f"{path}: {t.articles:,} articles, {t.chars:,} characters",
        f"  shared blocks  {s.blocks:,}, carried by {_count(s.carriers, 'article')}",
        f"  copies         {_count(t.copies, 'article')} cop{'ies' if t.copies == 1 else 'y'} "
        f"another ({_count(s.copy_groups, 'group')})",
        f"  boilerplate    {_pct(t.boilerplate_share)} of the text: "
        f"{_pct(t.shared_share)} shared blocks, {_pct(t.meta_share)} metadata",
    ]
    for title, groups, none in (
        ("source", s.by_source, "(no source)"),
        ("month", s.by_month, "(no date)"),
    ):
        lines.append("")
        if all(key is None for key, _ in groups):
            lines.append(f"by {title}: no article's metadata gives one")
            continue
        shown = groups[:rows]
        labels = [none if k is None else _short(k, 30) for k, _ in shown]
        width = max(len(title) + 3, *(len(label) + 2 for label in labels))
        lines.append(
            f"{'by ' + title:<{width}}  articles  characters  copies  boilerplate  shared    meta"
        )
        for label, (_, g) in zip(labels, shown):
            lines.append(
                f"  {label:<{width - 2}}  {g.articles:>8,}  {g.chars:>10,}  {g.copies:>6,}  "
                f"{_pct(g.boilerplate_share):>11}  {_pct(g.shared_share):>6}  "
                f"{_pct(g.meta_share):>6}"
            )
        if len(groups) > rows:
            lines.append(f"  ... and {len(groups) - rows:,} more ({'--json'} lists them all)")
    return "\n".join(lines)


# --- blocks --------------------------------------------------------------------------------------


@attrs.frozen
class BlockRow:
    """A block as the ``blocks`` command lists it: ``stories`` counts the different stories
    (a story and its copies count once) that carry it."""

    id: str
    stories: int
    articles: int
    variants: int
    first_date: str | None
    last_date: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def block_count(corpus: Corpus) -> int:
    return _db(corpus).execute("SELECT COUNT(*) FROM blocks").fetchone()[0]


def top_blocks(corpus: Corpus, top: int | None = None) -> list[BlockRow]:
    """Blocks by how many stories carry them, then by articles (the store's rank); the first
    ``top``, or all when ``top`` is None."""
    rows = _db(corpus).execute(
        """
        WITH carried AS (
            SELECT s.block_id AS id, COUNT(DISTINCT COALESCE(a.duplicate_of, a.id)) AS stories
            FROM segments s JOIN articles a ON a.id = s.article_id
            WHERE s.block_id IS NOT NULL GROUP BY s.block_id
        )
        SELECT b.id, COALESCE(c.stories, 0), b.articles, b.variants, b.first_date, b.last_date,
               b.canonical
        FROM blocks b LEFT JOIN carried c ON c.id = b.id
        ORDER BY COALESCE(c.stories, 0) DESC, b.rank
        LIMIT ?
        """,
        (-1 if top is None else top,),
    )
    return [BlockRow(*row) for row in rows]


def format_blocks(rows: Sequence[BlockRow], total: int) -> str:
    """The blocks as a table, with the start of each one's canonical text."""
    if not rows:
        return "no shared blocks"
    more = "" if len(rows) == total else f" (top {len(rows):,} of {total:,})"
    lines = [
        f"{total:,} shared blocks by stories carrying them{more}:",
        f"  {'block':<{len(rows[0].id)}}  stories  articles  variants  first       last        "
        "text",
    ]
    for b in rows:
        lines.append(
            f"  {b.id}  {b.stories:>7,}  {b.articles:>8,}  {b.variants:>8,}  "
            f'{b.first_date or "-":<10}  {b.last_date or "-":<10}  "{_short(b.text)}"'
        )
    return "\n".join(lines)


# --- finding an article or a block by name -------------------------------------------------------


def find_article(corpus: Corpus, name: str, limit: int = 6) -> list[str]:
    """The article called ``name``, or else those whose names start with it (at most
    ``limit``): one name means found."""
    db = _db(corpus)
    if db.execute("SELECT 1 FROM articles WHERE name = ?", (name,)).fetchone():
        return [name]
    return [
        n
        for (n,) in db.execute(
            "SELECT name FROM articles WHERE substr(name, 1, ?) = ? ORDER BY id LIMIT ?",
            (len(name), name, limit),
        )
    ]


def find_block(corpus: Corpus, block_id: str, limit: int = 6) -> list[str]:
    """The block ``block_id``, or else those whose ids start with it (at most ``limit``)."""
    db = _db(corpus)
    if db.execute("SELECT 1 FROM blocks WHERE id = ?", (block_id,)).fetchone():
        return [block_id]
    return [
        i
        for (i,) in db.execute(
            "SELECT id FROM blocks WHERE substr(id, 1, ?) = ? ORDER BY rank LIMIT ?",
            (len(block_id), block_id, limit),
        )
    ]


def example_names(corpus: Corpus, table: str = "articles", limit: int = 3) -> list[str]:
    """A few article names (``table="articles"``) or block ids (``"blocks"``), for a hint."""
    column, order = ("name", "id") if table == "articles" else ("id", "rank")
    return [
        n
        for (n,) in _db(corpus).execute(
            f"SELECT {column} FROM {table} ORDER BY {order} LIMIT ?", (limit,)
        )
    ]


def article_names(corpus: Corpus, limit: int | None = None) -> list[str]:
    """The names of the first ``limit`` articles (all when None), in input order."""
    rows = _db(corpus).execute(
        "SELECT name FROM articles ORDER BY id LIMIT ?", (-1 if limit is None else limit,)
    )
    return [n for (n,) in rows]


def blocks_in_first_articles(corpus: Corpus, limit: int | None = None) -> set[str]:
    """The ids of the blocks that the first ``limit`` articles (all when None) carry."""
    rows = _db(corpus).execute(
        "SELECT DISTINCT block_id FROM segments WHERE block_id IS NOT NULL AND article_id IN "
        "(SELECT id FROM articles ORDER BY id LIMIT ?)",
        (-1 if limit is None else limit,),
    )
    return {b for (b,) in rows}


def block_carriers(corpus: Corpus, block_id: str, limit: int | None = None) -> list[str]:
    """The names of the first ``limit`` articles (all when None) that carry a block."""
    rows = _db(corpus).execute(
        "SELECT DISTINCT a.name FROM segments s JOIN articles a ON a.id = s.article_id "
        "WHERE s.block_id = ? ORDER BY a.id LIMIT ?",
        (block_id, -1 if limit is None else limit),
    )
    return [n for (n,) in rows]


# --- show ----------------------------------------------------------------------------------------


def meta_fields(article: Article) -> list[tuple[str, str | None]]:
    """An article's metadata as ``(name, value)`` pairs, in the order they are shown."""
    m = article.meta
    return [
        ("date", m.date),
        ("place", m.place),
        ("source", m.source),
        ("author", m.author),
        ("title", m.title),
        ("tags", ", ".join(m.tags) if m.tags else None),
    ]


def format_article(article: Article, *, colour: bool = False) -> str:
    """An article for a person: its metadata, how its text divides, then the text itself with
    shared blocks and metadata marked (``[shared ID]...[/shared]``, ``[meta]...[/meta]``, or
    colours)."""
    fields = [*meta_fields(article), ("copy of", article.duplicate_of)]
    sizes = {"novel": 0, "shared": 0, "meta": 0}
    for s in article.segments:
        sizes[s.kind] += s.end - s.start
    length = len(article.text)
    blocks = len({s.block for s in article.segments if s.block})
    lines = [_paint(f"article {visible(article.name)}", "head", colour)]
    lines += [f"  {k:<8} {visible(v)}" for k, v in fields if v]
    lines.append(
        f"  {'text':<8} {length:,} characters: {_pct(_share(sizes['novel'], length))} own text, "
        f"{_pct(_share(sizes['shared'], length))} shared ({blocks} "
        f"block{'' if blocks == 1 else 's'}), {_pct(_share(sizes['meta'], length))} metadata"
    )
    if colour:
        legend = (
            f"{_paint('[block id]', 'tag', True)} {_paint('shared block', 'shared', True)}, "
            f"{_paint('metadata', 'meta', True)}, own text plain"
        )
    else:
        legend = "[shared BLOCK]...[/shared] a shared block, [meta]...[/meta] metadata"
    lines.append(f"  {'marks':<8} {legend}")
    lines.append("")
    lines.append(mark_text(article, colour=colour))
    return "\n".join(lines)


def mark_text(article: Article, *, colour: bool = False) -> str:
    """The article's text with its shared blocks and metadata marked."""
    out = []
    for s in article.segments:
        piece = visible(article.text[s.start : s.end])
        if s.kind == "shared":
            if colour:
                out.append(f"{_paint(f'[{s.block}]', 'tag', True)} {_paint(piece, 'shared', True)}")
            else:
                out.append(f"[shared {s.block}]{piece}[/shared]")
        elif s.kind == "meta":
            out.append(_paint(piece, "meta", True) if colour else f"[meta]{piece}[/meta]")
        else:
            out.append(piece)
    return "".join(out)


# --- history -------------------------------------------------------------------------------------


@attrs.frozen
class DatedVariant:
    """One wording of a block: its number in the store (0 is the canonical, most common one),
    the articles carrying it, the dates of the earliest and latest of them (None where none is
    dated), and the names of the first few (``names``)."""

    number: int
    text: str
    articles: int
    first_date: str | None
    last_date: str | None
    names: tuple[str, ...]


def history(corpus: Corpus, block_id: str, *, names: int = 3) -> list[DatedVariant]:
    """The variants of a block in date order: by the date of the earliest article carrying
    each, then by number; variants that no dated article carries come last."""
    db = _db(corpus)
    wording = corpus.wording_column  # a segment names its variant by this column
    rows = db.execute(
        f"""
        SELECT v.variant, COUNT(DISTINCT s.article_id), MIN(a.date), MAX(a.date)
        FROM variants v
        LEFT JOIN segments s ON s.block_id = v.block_id AND s.{wording} = v.{wording}
        LEFT JOIN articles a ON a.id = s.article_id
        WHERE v.block_id = ?
        GROUP BY v.variant
        """,
        (block_id,),
    ).fetchall()
    carriers: dict[int, list[str]] = {}
    for number, name in db.execute(
        f"""
        WITH carrying AS (
            SELECT DISTINCT v.variant, a.id, a.name, a.date
            FROM segments s
            JOIN variants v ON v.block_id = s.block_id AND v.{wording} = s.{wording}
            JOIN articles a ON a.id = s.article_id
            WHERE s.block_id = ?
        )
        SELECT variant, name FROM (
            SELECT variant, name,
                   ROW_NUMBER() OVER (PARTITION BY variant ORDER BY date IS NULL, date, id) AS k
            FROM carrying
        )
        WHERE k <= ? ORDER BY variant, k
        """,
        (block_id, names),
    ):
        carriers.setdefault(number, []).append(name)
    texts = [v.text for v in corpus.variants(block_id)]
    found = [
        DatedVariant(number, texts[number], count, first, last, tuple(carriers.get(number, ())))
        for number, count, first, last in rows
    ]
    found.sort(key=lambda v: (v.first_date is None, v.first_date or "", v.number))
    return found


def word_diff(old: str, new: str) -> list[DiffOp]:
    """A word-level diff: ``(op, text)`` pieces, op "=" (in both), "-" (only in ``old``) or
    "+" (only in ``new``). Words are compared without the whitespace around them; the "=" and
    "+" pieces joined give ``new`` exactly.

    >>> word_diff("conflict is introduced", "conflict were introduced")
    [('=', 'conflict'), ('-', ' is'), ('+', ' were'), ('=', ' introduced')]
    """
    a = _DIFF_PIECE.findall(old)
    b = _DIFF_PIECE.findall(new)
    matcher = difflib.SequenceMatcher(
        None, [p.strip() for p in a], [p.strip() for p in b], autojunk=False
    )
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", "".join(b[j1:j2])))
    return ops


def format_diff(ops: Sequence[DiffOp], *, colour: bool = False) -> str:
    """A word diff as text: ``[-deleted-]{+inserted+}`` (the whitespace before a change stays
    outside its marks), or red and green in a terminal.

    >>> format_diff(word_diff("on 10 November 2020.", "on Nov. 10, 2020."))
    'on {+Nov.+} 10[- November-]{+,+} 2020.'
    >>> format_diff(word_diff("conflict is introduced at noon", "conflict were introduced"))
    'conflict [-is-]{+were+} introduced [-at noon-]'
    """

    def mark(op: str, text: str) -> str:
        if colour:
            return _paint(text, op, True)
        return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"

    def lead(text: str) -> str:
        return text[: len(text) - len(text.lstrip())]

    out = []
    i = 0
    while i < len(ops):
        op, text = ops[i]
        text = visible(text)
        if op == "=":
            out.append(text)
        elif op == "-" and i + 1 < len(ops) and ops[i + 1][0] == "+":
            new = visible(ops[i + 1][1])
            shared = lead(text) if lead(text) == lead(new) else ""
            out.append(shared + mark("-", text[len(shared) :]) + mark("+", new[len(shared) :]))
            i += 1
        else:
            space = lead(text) if text.strip() else ""  # whitespace alone stays inside
            out.append(space + mark(op, text[len(space) :]))
        i += 1
    return "".join(out)


def format_history(
    corpus: Corpus, block_id: str, variants: Sequence[DatedVariant], *, colour: bool = False
) -> str:
    """A block's variants in date order, each after the first as a word diff from the one
    before it."""
    row = (
        _db(corpus)
        .execute(
            "SELECT articles, variants, first_date, last_date FROM blocks WHERE id = ?", (block_id,)
        )
        .fetchone()
    )
    articles, count, first, last = row
    span = f", {first}..{last}" if first else ""
    lines = [
        _paint(f"block {block_id}", "head", colour)
        + f": {articles:,} articles, {count:,} variant{'' if count == 1 else 's'}{span}",
        "in date order (of the earliest article carrying each), as diffs from the one before"
        + (": red deleted, green inserted" if colour else ": [-deleted-] {+inserted+}"),
    ]
    before: str | None = None
    for v in variants:
        when = v.first_date or "no date"
        if v.last_date and v.last_date != v.first_date:
            when = f"{v.first_date}..{v.last_date}"
        label = "canonical" if v.number == 0 else f"variant {v.number}"
        carriers = ", ".join(visible(n) for n in v.names)
        if v.articles > len(v.names):
            carriers += f" and {v.articles - len(v.names):,} more"
        lines.append("")
        lines.append(
            _paint(f"{label}  {when}", "head", colour)
            + f"  {v.articles:,} article{'' if v.articles == 1 else 's'}: {carriers}"
        )
        body = (
            visible(v.text)
            if before is None
            else format_diff(word_diff(before, v.text), colour=colour)
        )
        lines.append("  " + body.replace("\n", "\n  "))
        before = v.text
    return "\n".join(lines)


# --- dupes ---------------------------------------------------------------------------------------


@attrs.frozen
class DuplicateGroup:
    """One story and its copies: ``(name, date)`` pairs, the original first (the earliest of
    the group, by date then name)."""

    original: tuple[str, str | None]
    copies: tuple[tuple[str, str | None], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": {"name": self.original[0], "date": self.original[1]},
            "copies": [{"name": n, "date": d} for n, d in self.copies],
        }


def duplicate_groups(corpus: Corpus) -> Iterator[DuplicateGroup]:
    """Every group of copies, in the input order of their originals (a stream)."""
    rows = _db(corpus).execute(
        "SELECT o.id, o.name, o.date, a.name, a.date FROM articles a "
        "JOIN articles o ON o.id = a.duplicate_of ORDER BY o.id, a.id"
    )
    for _, group in groupby(rows, key=lambda r: r[0]):
        members = list(group)
        _, name, date, _, _ = members[0]
        yield DuplicateGroup((name, date), tuple((r[3], r[4]) for r in members))


def copy_counts(corpus: Corpus) -> tuple[int, int]:
    """How many articles copy another, and in how many groups."""
    copies, groups = (
        _db(corpus)
        .execute(
            "SELECT COUNT(*), COUNT(DISTINCT duplicate_of) FROM articles "
            "WHERE duplicate_of IS NOT NULL"
        )
        .fetchone()
    )
    return copies, groups


def write_dupes(corpus: Corpus, out: IO[str]) -> None:
    """Write the groups of copies for a person: a count, then each original and its copies,
    one line per article."""
    copies, groups = copy_counts(corpus)
    if not copies:
        out.write("no copies: every article is a story of its own\n")
        return
    out.write(
        f"{copies:,} article{' copies' if copies == 1 else 's copy'} another, in {groups:,} "
        f"group{'' if groups == 1 else 's'} (original first, then its copies):\n"
    )
    for g in duplicate_groups(corpus):
        name, date = g.original
        out.write(f"  {visible(name)}  {date or 'no date'}\n")
        for copy, copy_date in g.copies:
            out.write(f"    = {visible(copy)}  {copy_date or 'no date'}\n")


def dumps(record: Any) -> str:
    """JSON for ``--json`` output: UTF-8 as itself, indented for a person reading it too."""
    return json.dumps(record, ensure_ascii=False, indent=2)
