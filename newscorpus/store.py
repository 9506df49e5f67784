"""The corpus store: one SQLite file holding every article as segments.

Each article is an ordered list of segments that cover its text exactly: its own (``novel``)
text and ``meta`` lines are stored as text; a ``shared`` segment refers to a block and to one of
the block's variants (by a key of its text, `wording_key`), kept as the edit from the block's
canonical text. `Article.text` rebuilds
the original exactly; `Article.clean_text` is the story alone.

Schema (version 3)::

    info(key, value)             -- schema_version, settings (JSON), newscorpus_version, stats
    articles(id, name, length, checksum, date, place, source, author, title, tags, fields,
             duplicate_of)
    segments(article_id, seq, start, end, kind, text, block_id, wording)
    blocks(id, rank, canonical, articles, variants, first_date, last_date)
    variants(block_id, variant, wording, edit, articles)
    prepared(article_id, units, signatures)
    verified(signed, itemsize, pairs)     -- the LSH's verified pairs, for the next add
    answers(kind, keys, answers)          -- the analysis's costliest answers, for the next add

``prepared`` is what the engine made of each article (its units with their keys, and the
MinHash signatures of the units it was the first to carry, from which the LSH bands are made),
so that adding articles does not cut and sign the stored ones again. ``verified`` holds the
LSH's result, the verified pairs of those units, so that an add bands and verifies only what
its new units bring (`newscorpus.lsh.grown_candidates`); a version 2 store made before it was
kept lacks the table, and its first add bands every unit. ``answers`` holds the answers to the
analysis's costliest questions (the verdicts of the pairs of possible copies, the furniture
glued to each article's units, the cuts of each glued block;
`newscorpus.blocks.Detector.answers`), each by a key of everything it depends on, so that an
add asks again only where a key is new; a store without it has every question asked again.
A shared segment names its wording by the wording's key, not by its number among the block's
variants (``variant``, 0 for the canonical text, then by how many articles carry it): the
numbers move when an add changes the counts, the key stays with the text, so an add writes
again only the articles whose segments changed. Version 2 named the variant by its number
(``segments.variant``, no ``variants.wording``): such a store is read as it is, and an add or
remove migrates it (every article's segments are written again). Version 1 had no
``prepared`` table either: such a store is read as it is, and an add or remove migrates it
(by preparing its articles again).

The store is written to a temporary file beside its destination and moved into place only when
complete, so a build that fails leaves no half-made store. An add or a remove writes a copy of
the store, changed in place (`StoreUpdater`), and moves it into place the same way.
"""

from __future__ import annotations

import itertools
import json
import operator
import os
import shutil
import sqlite3
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import numpy as np
import xxhash

from newscorpus.arrays import ranges
from newscorpus.document import Document
from newscorpus.errors import StoreError
from newscorpus.meta import Meta
from newscorpus.segment import paragraphs
from newscorpus.settings import Settings

SCHEMA_VERSION = 3
# Versions this code reads: a version 2 store names a shared segment's wording by its number
# among the block's variants; a version 1 store lacks the ``prepared`` table too.
READABLE_VERSIONS = (1, 2, 3)
# Rows buffered before they are written (within the current transaction).
_ROWS_PER_WRITE = 20_000
# Bytes of the engine's data (`StoreWriter.add_prepared`) buffered before they are written.
_BYTES_PER_WRITE = 8 << 20
_KINDS = ("novel", "shared", "meta")
# Article ids asked of SQLite at once (`Corpus.texts`).
_IDS_PER_QUERY = 4096
# The share of free pages from which an updated store is compacted (`StoreUpdater.close`).
_MAX_FREE = 0.05

_SCHEMA = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    length INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    date TEXT, place TEXT, source TEXT, author TEXT, title TEXT,
    tags TEXT NOT NULL,
    fields TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES articles(id)
);
CREATE TABLE segments (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('novel', 'shared', 'meta')),
    text TEXT,
    block_id TEXT REFERENCES blocks(id),
    wording INTEGER,
    PRIMARY KEY (article_id, seq)
);
CREATE TABLE blocks (
    id TEXT PRIMARY KEY,
    rank INTEGER NOT NULL UNIQUE,
    canonical TEXT NOT NULL,
    articles INTEGER NOT NULL,
    variants INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT
);
CREATE TABLE variants (
    block_id TEXT NOT NULL REFERENCES blocks(id),
    variant INTEGER NOT NULL,
    wording INTEGER NOT NULL,
    edit TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (block_id, variant)
) WITHOUT ROWID;
CREATE TABLE prepared (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    units BLOB NOT NULL,
    signatures BLOB NOT NULL
);
"""
# The LSH's result, for the next add (`StoreWriter.set_verified`); a store made before it was
# kept lacks it, and its first add bands every unit.
_VERIFIED = """
CREATE TABLE IF NOT EXISTS verified (
    signed INTEGER NOT NULL,
    itemsize INTEGER NOT NULL,
    pairs BLOB NOT NULL
);
"""
# The analysis's costliest answers, for the next add (`StoreWriter.set_answers`): per kind of
# question, a key of 16 bytes per answer, and the answers as a JSON list; a store made before
# they were kept lacks the table.
_KEY_BYTES = 16
_ANSWERS = """
CREATE TABLE IF NOT EXISTS answers (
    kind TEXT PRIMARY KEY,
    keys BLOB NOT NULL,
    answers TEXT NOT NULL
);
"""
# Made once the rows are in: an index filled row by row costs more than one built at the end.
_INDEXES = "CREATE INDEX segments_block ON segments(block_id);"


@attrs.frozen
class Segment:
    """A span ``[start, end)`` of an article's text: ``kind`` is "novel" (the article's own
    text), "shared" (a variant of block ``block``) or "meta" (a metadata line or prefix)."""

    start: int
    end: int
    kind: str = attrs.field(validator=attrs.validators.in_(_KINDS))
    block: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind, "block": self.block}


@attrs.frozen
class Article:
    """One stored article: its exact original ``text``, its segments, metadata, and the name
    of the article it copies (``duplicate_of``, None for originals and unique stories)."""

    name: str
    text: str = attrs.field(repr=False)
    segments: tuple[Segment, ...] = attrs.field(repr=False)
    meta: Meta
    duplicate_of: str | None
    fields: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def clean_text(self) -> str:
        """The story alone: the article's own text, paragraph by paragraph, without shared
        blocks and metadata."""
        return clean_text(self.text, self.segments)

    def to_dict(self) -> dict[str, Any]:
        """The export record (see README, "Export format")."""
        return {
            "name": self.name,
            "text": self.text,
            "clean_text": self.clean_text,
            "meta": self.meta.to_dict(),
            "duplicate_of": self.duplicate_of,
            "segments": [s.to_dict() for s in self.segments],
        }


@attrs.frozen
class Variant:
    """One distinct wording of a block and how many articles carry it."""

    text: str
    articles: int


@attrs.frozen
class Block:
    """A shared block: a passage found in two or more different stories."""

    id: str
    text: str = attrs.field(repr=False)
    articles: int
    variants: int
    first_date: str | None
    last_date: str | None


@attrs.frozen
class Duplicate:
    """An article that copies another (``of``, the earliest of its copy group)."""

    name: str
    of: str


def clean_text(text: str, segments: Sequence[Segment]) -> str:
    """The novel text of each paragraph, pieces joined by a space, paragraphs by the article's
    own separator (a blank line if it uses them, else a line break).

    >>> t = "Story one. Background.\\n\\nMore story."
    >>> clean_text(t, [Segment(0, 11, "novel"), Segment(11, 22, "shared", "b1"),
    ...                Segment(22, 35, "novel")])
    'Story one.\\n\\nMore story.'
    """
    novel = [(s.start, s.end) for s in segments if s.kind == "novel"]
    out: list[str] = []
    k = 0
    for p_start, p_end in paragraphs(text):
        pieces = []
        while k < len(novel) and novel[k][1] <= p_start:
            k += 1
        j = k
        while j < len(novel) and novel[j][0] < p_end:
            piece = text[max(p_start, novel[j][0]) : min(p_end, novel[j][1])].strip()
            if piece:
                pieces.append(piece)
            j += 1
        if pieces:
            out.append(" ".join(pieces))
    separator = "\n\n" if "\n\n" in text or "\r\n\r\n" in text else "\n"
    return separator.join(out)


def make_edit(canonical: str, variant: str) -> list[list[Any]]:
    """The edit from ``canonical`` to ``variant``: ``[start, end, replacement]`` operations on
    the canonical text, in order (none when they are equal).

    One operation replaces what lies between the two texts' common start and common end:
    wordings of a block mostly differ in one place. A word-level diff (`difflib`) took 9% of a
    build's time and made the stored edits of the 10 MB suite corpus 190 KB smaller, 0.5% of
    its store.

    >>> e = make_edit("is introduced at noon", "were introduced at noon")
    >>> e
    [[0, 2, 'were']]
    >>> apply_edit("is introduced at noon", e)
    'were introduced at noon'
    """
    if canonical == variant:
        return []
    limit = min(len(canonical), len(variant))
    head = _common_length(canonical, variant, limit, lambda t, n: t[:n])
    tail = _common_length(canonical, variant, limit - head, lambda t, n: t[len(t) - n :])
    return [[head, len(canonical) - tail, variant[head : len(variant) - tail]]]


def _common_length(a: str, b: str, limit: int, part: Any) -> int:
    """The longest ``n <= limit`` with ``part(a, n) == part(b, n)`` (a common prefix or suffix),
    by bisection: each step is one comparison of two slices, in C."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if part(a, mid) == part(b, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def apply_edit(canonical: str, edit: Sequence[Sequence[Any]]) -> str:
    """Apply an edit made by `make_edit`."""
    out = []
    pos = 0
    for start, end, replacement in edit:
        out.append(canonical[pos:start])
        out.append(replacement)
        pos = end
    out.append(canonical[pos:])
    return "".join(out)


def checksum(text: str) -> str:
    """The checksum stored with each article to verify that it is rebuilt exactly."""
    return xxhash.xxh3_128_hexdigest(text.encode("utf-8", "surrogatepass"))


def wording_key(text: str) -> int:
    """The key by which a shared segment names its block's wording ``text``: a 64-bit hash
    of the text, as SQLite's signed integer. Two wordings of one block with one key (about
    one chance in 10**13 for a block of a thousand) cannot be stored: the build stops with an
    internal error.

    >>> wording_key("A ceasefire was introduced.") == wording_key("A ceasefire was introduced.")
    True
    """
    key = xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))
    return key - (1 << 64) if key >= 1 << 63 else key


class StoreWriter:
    """Writes a new store; `close` commits it and `abort` discards it."""

    _early_sync: threading.Thread | None = None
    #: The store keeps what the next add reads: the LSH's pairs, the analysis's answers.
    keeps_state = True

    def __init__(self, path: str | Path, settings: Settings) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.building")
        self._remove_tmp()  # left by a build that was killed: its journal too, never replayed
        try:
            self.db = sqlite3.connect(self.tmp)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot write a store there ({exc})") from None
        # The store is built in a file of its own, deleted if the build fails or is killed and
        # moved into place once complete, so it needs no journal: every page is written once.
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(_SCHEMA)
        self._articles: list[tuple] = []
        self._segments: list[tuple] = []
        self._prepared: list[tuple] = []
        self._prepared_bytes = 0
        self._info("schema_version", str(SCHEMA_VERSION))
        self._info("settings", settings.to_json())
        from newscorpus import __version__  # the package imports this module: import late

        self._info("newscorpus_version", __version__)

    def _info(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (key, value))

    def add_blocks(self, rows: Sequence[tuple], variant_rows: Iterable[tuple]) -> None:
        self.db.executemany("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany(
            "INSERT INTO variants (block_id, variant, wording, edit, articles) "
            "VALUES (?, ?, ?, ?, ?)",
            variant_rows,
        )

    def add_article(
        self, article_id: int, name: str, text: str, meta: Meta, fields: dict[str, Any]
    ) -> None:
        """An article's row (its length and checksum, not its text: that is in its segments,
        added with `add_segments`). Rows are written in batches, at the latest by `commit`."""
        self._articles.append(
            (
                article_id,
                name,
                len(text),
                checksum(text),
                meta.date,
                meta.place,
                meta.source,
                meta.author,
                meta.title,
                json.dumps(list(meta.tags)),
                json.dumps(fields, ensure_ascii=False, default=str),
                None,
            ),
        )
        if len(self._articles) >= _ROWS_PER_WRITE:
            self._flush()

    def known_edits(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Edits (`make_edit`, as JSON) of block wordings already at hand (`Corpus.edits`):
        none, in a new store."""
        return {}

    def unchanged(self, article_id: int, same: bool) -> bool:
        """Whether article ``article_id`` keeps its stored segments (``same``: the analysis
        found them again), so that they need not be added: never, in a new store."""
        return False

    def add_segments(self, article_id: int, segments: Sequence[tuple]) -> None:
        """``segments``: ``(start, end, kind, text_or_None, block_id, wording)`` rows, in order
        (``wording``: the shared segment's `wording_key`)."""
        self._segments.extend((article_id, seq, *row) for seq, row in enumerate(segments))
        if len(self._segments) >= _ROWS_PER_WRITE:
            self._flush()

    def add_prepared(self, article_id: int, units: bytes, signatures: bytes) -> None:
        """What the engine made of an article (see the module docstring)."""
        self._prepared.append((article_id, units, signatures))
        self._prepared_bytes += len(units) + len(signatures)
        if self._prepared_bytes >= _BYTES_PER_WRITE:
            self._flush()

    def set_duplicates(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Mark articles as copies: ``(article_id, id of the article it copies)`` pairs."""
        self._flush()
        self.db.executemany(
            "UPDATE articles SET duplicate_of = ? WHERE id = ?", [(d, a) for a, d in pairs]
        )

    def set_verified(self, signed: int, pairs: np.ndarray) -> None:
        """Keep the verified pairs of the LSH, between the ``signed`` units with a signature
        (numbered as the store's articles bring them), for the next add."""
        itemsize = 4 if signed < 1 << 32 else 8
        blob = np.ascontiguousarray(pairs, dtype=f"<u{itemsize}").tobytes()
        self.db.executescript(_VERIFIED)
        self.db.execute("DELETE FROM verified")
        self.db.execute("INSERT INTO verified VALUES (?, ?, ?)", (signed, itemsize, blob))

    def set_answers(self, answers: dict[str, dict[bytes, Any]]) -> None:
        """Keep the analysis's answers (`newscorpus.blocks.Detector.answers`), by kind and
        key, for the next add: this analysis's only, so that none outlives its question."""
        self.db.executescript(_ANSWERS)
        self.db.execute("DELETE FROM answers")
        for kind, found in sorted(answers.items()):
            keys = b"".join(found)
            if len(keys) != _KEY_BYTES * len(found):
                raise RuntimeError("internal error: an answer's key is not 16 bytes")
            text = json.dumps(list(found.values()), separators=(",", ":"))
            self.db.execute("INSERT INTO answers VALUES (?, ?, ?)", (kind, keys, text))

    def _flush(self) -> None:
        self.db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._articles
        )
        self.db.executemany("INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._segments)
        self.db.executemany("INSERT INTO prepared VALUES (?, ?, ?)", self._prepared)
        self._articles, self._segments, self._prepared = [], [], []
        self._prepared_bytes = 0

    def commit(self) -> None:
        """Write the pending rows and end the current transaction (one per batch)."""
        self._flush()
        self.db.commit()

    def close(self, stats: dict[str, Any]) -> None:
        """Commit, then move the finished store into place."""
        self._info("stats", json.dumps(stats, sort_keys=True))
        self._flush()
        self.db.executescript(_INDEXES)
        self._finish()

    def _finish(self) -> None:
        self.commit()
        # A finished store is only read: in rollback-journal mode it needs no -wal and -shm
        # files beside it, which readers of the store it replaces may still hold open.
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.close()
        self._joined()
        # On disk before it replaces the old store, and the move on disk before we return.
        with self.tmp.open("rb+") as f:
            os.fsync(f.fileno())
        self.tmp.replace(self.path)
        _sync_folder(self.path.parent)

    def abort(self) -> None:
        self.db.close()
        self._joined()
        self._remove_tmp()

    def _joined(self) -> None:
        """Wait for the early sync of a copied store (`StoreUpdater`), if there is one."""
        if self._early_sync is not None:
            self._early_sync.join()

    def _remove_tmp(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.tmp}{suffix}").unlink(missing_ok=True)


class StoreUpdater(StoreWriter):
    """Writes the store that an add or a remove makes of ``old``: a copy of its file, changed
    in place, with the API of `StoreWriter` (article numbers are positions in the new store).

    The stored articles keep their rows (`keep` takes them up, in store order); those named in
    ``gone`` are deleted. Of what the analysis gives, only what changed is written again: the
    segments of an article whose segments differ from its stored ones, and the blocks, their
    variants, the copies and the stats, which are small. New articles are added after the
    stored ones. Like a new store, the copy is its own file, deleted if the update fails and
    moved into place once complete, so the old store stays as it was until then.
    """

    def __init__(self, path: str | Path, old: Corpus, gone: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._old = old
        old.digest_variants = True  # the variants whose rows stay are not written again
        self.tmp = self.path.with_name(f".{self.path.name}.building")
        self._remove_tmp()
        self._gone = list(gone)
        # The copy is made, then synced to disk, beside the take-up of the stored articles,
        # which does not write to it (on ext4 the copy of the 3.5 GB store of the 1 GB corpus
        # took 1 to 10 s of the add); the first use of `db` waits for it. Syncing it early
        # means closing syncs only what changed (the whole copy at the end took 1.2 s of an
        # add of 1% at 100 MB).
        self._conn: sqlite3.Connection | None = None
        self._copy_failed: OSError | None = None
        self._early_sync = threading.Thread(target=self._copy, daemon=True)
        self._early_sync.start()
        # A version 2 store becomes one of this version: its variants are written again (as
        # they are by every update), with their keys, and so is every article's segments.
        self._migrating = old.schema_version < SCHEMA_VERSION
        self._articles, self._segments, self._prepared = [], [], []
        self._prepared_bytes = 0
        self._rewritten: list[int] = []  # stored articles whose segments are written again
        self._replaced: list[int] = []  # stored articles whose prepared row is written again
        self._ids: list[int] = []  # the store id of each article, by its number
        last = old.last_id()
        self._next_id = 0 if last is None else last + 1
        self._next_stored = 0  # the stored articles kept so far, which come first

    def _copy(self) -> None:
        """Copy the old store to `tmp` and sync the copy (in a thread of its own)."""
        try:
            copy_file(self._old.path, self.tmp)
        except OSError as exc:
            self._copy_failed = exc
            return
        _sync_file(self.tmp)

    @property
    def db(self) -> sqlite3.Connection:
        """The copy, once it is made; opened, and the removed articles deleted from it, when
        first asked for."""
        if self._conn is not None:
            return self._conn
        self._early_sync.join()
        try:
            if self._copy_failed is not None:
                raise self._copy_failed
            self._conn = sqlite3.connect(self.tmp)
        except (OSError, sqlite3.Error) as exc:
            self._remove_tmp()
            raise StoreError(f"{self.path}: cannot write a store there ({exc})") from None
        db = self._conn
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        if self._migrating:
            db.execute("ALTER TABLE segments RENAME COLUMN variant TO wording")
            db.execute("DELETE FROM variants")
            db.execute("ALTER TABLE variants ADD COLUMN wording INTEGER NOT NULL DEFAULT 0")
            self._info("schema_version", str(SCHEMA_VERSION))
        db.execute("CREATE TEMP TABLE gone (name TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO gone VALUES (?)", [(name,) for name in self._gone])
        for table in ("segments", "prepared"):
            db.execute(
                f"DELETE FROM {table} WHERE article_id IN "
                "(SELECT id FROM articles WHERE name IN (SELECT name FROM gone))"
            )
        db.execute("DELETE FROM articles WHERE name IN (SELECT name FROM gone)")
        db.execute("DROP TABLE gone")
        from newscorpus import __version__

        self._info("newscorpus_version", __version__)
        return db

    def abort(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._joined()
        self._remove_tmp()

    def keep(self, article_id: int, stored_id: int) -> None:
        """Stored article ``stored_id`` is article ``article_id`` of the new store."""
        if article_id != len(self._ids):
            raise RuntimeError(f"internal error: article {article_id} kept out of order")
        if self._next_stored != article_id:
            raise RuntimeError(f"internal error: article {article_id} kept after a new one")
        self._ids.append(stored_id)
        self._next_stored += 1

    def stored_texts(self, articles: Sequence[int]) -> list[str]:
        """The texts of kept articles ``articles`` (`keep`), read from the old store."""
        return self._old.texts([self._ids[a] for a in articles])

    def add_article(
        self, article_id: int, name: str, text: str, meta: Meta, fields: dict[str, Any]
    ) -> None:
        if article_id != len(self._ids):
            raise RuntimeError(f"internal error: article {article_id} added out of order")
        self._ids.append(self._next_id)
        self._next_id += 1
        super().add_article(self._ids[article_id], name, text, meta, fields)

    def add_prepared(self, article_id: int, units: bytes, signatures: bytes) -> None:
        """A new article's, or a stored one's again (when a remove gave it signatures)."""
        if article_id < self._next_stored:
            self._replaced.append(self._ids[article_id])
        super().add_prepared(self._ids[article_id], units, signatures)

    def add_blocks(self, rows: Sequence[tuple], variant_rows: Iterable[tuple]) -> None:
        """The blocks are written again (their ranks move); of the variants, only those of the
        blocks whose variants change (most stay: 517,812 rows at 1 GB)."""
        self._flush()
        self.db.execute("DELETE FROM blocks")
        if self._migrating:
            self.db.execute("DELETE FROM variants")
            super().add_blocks(rows, variant_rows)
            return
        stored = self._old.variant_digests()
        new: dict[str, list[tuple]] = {}
        for row in variant_rows:
            new.setdefault(row[0], []).append(row)
        changed = [b for b, found in new.items() if stored.get(b) != hash(tuple(found))]
        gone = [(b,) for b in stored if b not in new]
        self.db.executemany(
            "DELETE FROM variants WHERE block_id = ?", [*((b,) for b in changed), *gone]
        )
        super().add_blocks(rows, [row for b in changed for row in new[b]])

    def known_edits(self) -> dict[str, tuple[str, dict[str, str]]]:
        """The stored edits of the stored blocks' wordings (`Corpus.edits`)."""
        return self._old.edits()

    def unchanged(self, article_id: int, same: bool) -> bool:
        """A stored article whose segments are the same (but in a store being migrated); for
        one whose segments differ, its stored segments are deleted before the new ones are
        written."""
        if article_id >= self._next_stored:
            return False
        if same and not self._migrating:
            return True
        self._rewritten.append(self._ids[article_id])
        return False

    def add_segments(self, article_id: int, segments: Sequence[tuple]) -> None:
        super().add_segments(self._ids[article_id], segments)

    def set_duplicates(self, pairs: Sequence[tuple[int, int]]) -> None:
        self._flush()
        self.db.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
        ids = self._ids
        super().set_duplicates([(ids[a], ids[d]) for a, d in pairs])

    def _flush(self) -> None:
        self.db.executemany(
            "DELETE FROM segments WHERE article_id = ?", [(a,) for a in self._rewritten]
        )
        self.db.executemany(
            "DELETE FROM prepared WHERE article_id = ?", [(a,) for a in self._replaced]
        )
        self._rewritten, self._replaced = [], []
        super()._flush()

    def close(self, stats: dict[str, Any]) -> None:
        """Commit, then move the updated store into place; first compacted (`VACUUM`) when
        more than `_MAX_FREE` of its pages are free: rows written again leave their old pages
        free, about half a percent of the store per add of 1%, which adds that follow each
        other every day would otherwise pile up."""
        self._info("stats", json.dumps(stats, sort_keys=True))
        self.commit()  # VACUUM needs no open transaction
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        free = self.db.execute("PRAGMA freelist_count").fetchone()[0]
        if free > _MAX_FREE * pages:
            self.db.execute("VACUUM")
        self._finish()


def _wording_column(version: int) -> str:
    """The column naming a shared segment's wording in a store of schema ``version``."""
    return "wording" if version >= 3 else "variant"


def _row_digests(rows: list[tuple]) -> dict[str, int]:
    """Per block id, Python's hash of its rows (``rows``: by block id, the id first)."""
    starts = [i for i in range(len(rows)) if i == 0 or rows[i][0] != rows[i - 1][0]]
    ends = [*starts[1:], len(rows)]
    return {rows[lo][0]: hash(tuple(rows[lo:hi])) for lo, hi in zip(starts, ends)}


def _rebuilt(pieces: list[str], length: int, check: str) -> str | None:
    """An article's text joined from its segments' ``pieces``, or None if it is not the one
    stored (its ``length`` and `checksum` ``check``)."""
    text = "".join(pieces)
    return text if len(text) == length and checksum(text) == check else None


def copy_file(source: str | Path, target: str | Path) -> None:
    """Copy ``source``'s content to a new file ``target``, by the system's own copy where it
    has one (``copy_file_range``): on a file system that shares data between files (XFS,
    Btrfs) the copy then shares the source's blocks until either file changes them, so
    copying a store takes no time and writes nothing, whatever its size. Elsewhere, or if the
    system refuses, a plain copy (`shutil.copyfile`)."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        size = os.fstat(src.fileno()).st_size
        done = 0
        if hasattr(os, "copy_file_range"):
            try:
                while done < size:
                    step = os.copy_file_range(src.fileno(), dst.fileno(), size - done)
                    if step == 0:  # the source shrank as it was copied
                        break
                    done += step
            except OSError:  # not on this system or between these files: copy it all again
                done = 0
        if done == size and os.fstat(dst.fileno()).st_size == size:
            return
    shutil.copyfile(source, target)


def _sync_file(path: Path) -> None:
    """Write ``path``'s data to disk, if the system can (an early sync: the final one says
    whether it could)."""
    try:
        with path.open("rb+") as f:
            os.fsync(f.fileno())
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make a move into ``folder`` durable (where the system allows a folder to be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StoredBatch(NamedTuple):
    """Stored articles as `Corpus.prepared_batches` gives them back, by columns: per article
    its id in the store, name, length, date, metadata spans and the engine's stored data
    (`newscorpus.blocks.Prepared`); and their shared segments ``(start, end, block_id,
    wording)`` (`Corpus.wording_column`), article after article (``shared_counts`` of each)."""

    ids: list[int]
    names: list[str]
    lengths: list[int]
    dates: list[str | None]
    meta_spans: list[tuple[tuple[int, int], ...]]
    units: list[bytes]
    signatures: list[bytes]
    shared_counts: np.ndarray
    shared: tuple[np.ndarray, np.ndarray, list[str], np.ndarray]
    # Per article, whether its signatures are not the stored ones (`newscorpus.build._without`).
    changed: list[bool] | None = None

    def select(
        self, chosen: Sequence[int], signatures: list[bytes], changed: list[bool]
    ) -> StoredBatch:
        """The batch of its articles ``chosen`` (in order), with these ``signatures``, and
        whether each is ``changed`` (not the stored ones)."""
        bounds = np.r_[0, np.cumsum(self.shared_counts)]
        counts = self.shared_counts[chosen]
        at = ranges(bounds[chosen], counts)
        start, end, block, wording = self.shared
        return StoredBatch(
            [self.ids[i] for i in chosen],
            [self.names[i] for i in chosen],
            [self.lengths[i] for i in chosen],
            [self.dates[i] for i in chosen],
            [self.meta_spans[i] for i in chosen],
            [self.units[i] for i in chosen],
            signatures,
            counts,
            (start[at], end[at], [block[k] for k in at.tolist()], wording[at]),
            changed,
        )


class _SegmentRows:
    """The rows of a cursor, in order of their first value (an article id), taken a stretch
    at a time: those up to an id (`until`)."""

    def __init__(self, cursor: sqlite3.Cursor, size: int) -> None:
        self._cursor, self._size = cursor, size
        self._rows: list[tuple] = []
        self._done = False

    def until(self, last: int | None) -> list[tuple]:
        """The rows not taken yet whose first value is ``last`` or less (all of them if
        None); TypeError where a first value is not a number."""
        while not self._done and (last is None or not self._rows or self._rows[-1][0] <= last):
            more = self._cursor.fetchmany(self._size)
            self._done = not more
            self._rows.extend(more)
        cut = len(self._rows) if last is None else bisect_right(self._rows, last, key=_first)
        taken, self._rows = self._rows[:cut], self._rows[cut:]
        return taken


def _first(row: tuple) -> Any:
    return row[0]


def _stored_batch(
    path: Path,
    ids: list[int],
    names: list[str],
    lengths: list[int],
    dates: list[str | None],
    units: list[bytes],
    signatures: list[bytes],
    rows: list[tuple],
) -> StoredBatch:
    """`Corpus.prepared_batches`'s batch of the articles ``ids`` (in order) and their
    segments ``rows`` ``(article_id, start, end, kind, block_id, wording)`` (in order); a
    damaged article is refused (`StoreError`)."""
    n = len(ids)
    art, start, end, kind, block, wording = (list(c) for c in zip(*rows)) if rows else [[]] * 6

    def damaged(articles: list[int]) -> StoreError:
        return StoreError(f"{path}: article {names[min(articles)]!r} is damaged; build it again")

    if not (_ints(ids) and _ints(lengths) and _ints(art)):
        raise StoreError(f"{path}: the stored articles are damaged; build it again")
    id_array = np.array(ids, dtype=np.int64)
    article = np.searchsorted(id_array, np.array(art, dtype=np.int64))
    if len(art) and (article.max() >= n or (id_array[article] != art).any()):
        raise StoreError(f"{path}: a segment names no stored article; build it again")
    # The damaged articles (refused: the first of them is named): the engine's data of it
    # missing, a segment's values of the wrong type, its segments out of order within it
    # (each starts where the one before ended or later, and ends after it starts) or past
    # its end.
    bad = [i for i, u in enumerate(units) if type(u) is not bytes]
    bad += [i for i, s in enumerate(signatures) if type(s) is not bytes]
    is_shared = np.array([k == "shared" for k in kind], dtype=bool)
    shared = np.flatnonzero(is_shared)
    blocks = [block[k] for k in shared.tolist()]
    wordings = [wording[k] for k in shared.tolist()]
    if not (_ints(start) and _ints(end) and _ints(wordings) and set(map(type, blocks)) <= {str}):
        odd = [
            k
            for k, (s, e) in enumerate(zip(start, end))
            if type(s) is not int or type(e) is not int
        ]
        odd += [
            k
            for k, b, w in zip(shared.tolist(), blocks, wordings)
            if type(b) is not str or type(w) is not int
        ]
        raise damaged(bad + [int(article[min(odd)])])
    starts, ends = np.array(start, dtype=np.int64), np.array(end, dtype=np.int64)
    first = np.r_[True, article[1:] != article[:-1]] if len(art) else np.zeros(0, bool)
    before = np.where(first, 0, np.r_[0, ends[:-1]])
    bad += article[(starts < before) | (starts >= ends)].tolist()
    last = np.flatnonzero(np.r_[first[1:], True]) if len(art) else np.zeros(0, np.int64)
    last_end = np.zeros(n, dtype=np.int64)
    last_end[article[last]] = ends[last]
    bad += np.flatnonzero(last_end > np.array(lengths, dtype=np.int64)).tolist()
    if bad:
        raise damaged(bad)
    meta_spans: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k in np.flatnonzero(~is_shared).tolist():
        if kind[k] == "meta":
            meta_spans[int(article[k])].append((start[k], end[k]))
    return StoredBatch(
        ids,
        names,
        lengths,
        dates,
        [tuple(spans) for spans in meta_spans],
        units,
        signatures,
        np.bincount(article[shared], minlength=n).astype(np.int64),
        (starts[shared], ends[shared], blocks, np.array(wordings, dtype=np.int64)),
    )


def _ints(values: list[Any]) -> bool:
    """Whether every value is an int (not a bool, float or text a damaged store may hold)."""
    return set(map(type, values)) <= {int}


class Corpus:
    """A built corpus, read from its store. Open one with `Corpus.open`.

    >>> # corpus = Corpus.open("seeds.db"); corpus.blocks()[0].articles
    """

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        info = dict(db.execute("SELECT key, value FROM info"))
        self.settings = Settings.from_json(info["settings"])
        self.stats: dict[str, Any] = json.loads(info.get("stats", "{}"))
        self._blocks: dict[str, tuple[str, dict[int, Any]]] = {}
        self._edits: dict[str, tuple[str, dict[str, str]]] | None = None
        self._wording_cache: dict[str, dict[int, str]] | None = None
        self._variant_digests: dict[str, int] | None = None
        #: Set by an add: reading the wordings then keeps a hash of each block's rows of
        #: ``variants`` too (`variant_digests`), which the add compares its own with.
        self.digest_variants = False
        self.schema_version = int(info["schema_version"])
        #: The column by which a shared segment names its wording, in ``segments`` and in
        #: ``variants``: its key (`wording_key`), or in a version 2 store its variant number.
        self.wording_column = _wording_column(self.schema_version)

    @classmethod
    def open(cls, path: str | Path) -> Corpus:
        """Open a store for reading; a missing file, a file that is not a store, or a store of
        another schema version raises `StoreError`. A Parquet dataset (a folder holding
        ``_info.json``) opens as a `newscorpus.parquet.ParquetCorpus`, with the same reading
        API."""
        path = Path(path)
        if path.is_dir() and (path / "_info.json").is_file():
            from newscorpus.parquet import ParquetCorpus

            return ParquetCorpus.open(path)  # type: ignore[return-value]
        if not path.is_file():
            raise StoreError(f"{path}: no such store")
        try:
            db = sqlite3.connect(path)
            db.execute("PRAGMA query_only = ON")
            version = db.execute("SELECT value FROM info WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a newscorpus store ({exc})") from None
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from None
        if version is None:
            raise StoreError(f"{path}: not a newscorpus store (no schema version)")
        if not version[0].isdigit() or int(version[0]) not in READABLE_VERSIONS:
            raise StoreError(
                f"{path}: store schema version {version[0]} is not supported "
                f"(this newscorpus reads versions {READABLE_VERSIONS[0]} to "
                f"{READABLE_VERSIONS[-1]}); build it again from its input"
            )
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    def add(
        self,
        docs: Iterable[Document],
        *,
        workers: int = 1,
        progress: Callable[[str, int, int | None, int], None] | None = None,
    ) -> None:
        """Add ``docs`` to this store (see `newscorpus.build.add`); this object then reads the
        grown store."""
        from newscorpus.build import add  # build imports this module: import late

        self._take(add(self.path, docs, workers=workers, progress=progress))

    def remove(
        self,
        names: Iterable[str],
        *,
        workers: int = 1,
        progress: Callable[[str, int, int | None, int], None] | None = None,
    ) -> None:
        """Remove the articles named ``names`` (see `newscorpus.build.remove`); this object
        then reads the store without them."""
        from newscorpus.build import remove

        self._take(remove(self.path, names, workers=workers, progress=progress))

    def _take(self, other: Corpus) -> None:
        """Read what ``other`` reads, in place of this store's old connection."""
        self._db.close()
        self._db, self.settings, self.stats = other._db, other.settings, other.stats
        self.schema_version, self.wording_column = other.schema_version, other.wording_column
        self._blocks, self._edits, self._wording_cache = {}, None, None
        self._variant_digests = None

    def prepared_batches(self, size: int) -> Iterator[StoredBatch]:
        """Every article in store order, ``size`` at a time, as the engine needs them to add
        articles to the store (`newscorpus.build.add`): their names and lengths (the texts
        stay in the store, where `texts` reads what the analysis asks for), of their metadata
        only the dates, which the analysis reads (the rest stays in the store, untouched), and
        their segments that are not novel text (the novel ones are the gaps between these):
        by columns, not an object per article or segment. Version 2 stores only.

        An article is refused as damaged (`StoreError` naming it) if the engine's data of it
        is missing, or its segments are not numbers in order within its text."""
        rows = self._db.execute(
            "SELECT a.id, a.name, a.length, a.date, p.units, p.signatures "
            "FROM articles a LEFT JOIN prepared p ON p.article_id = a.id ORDER BY a.id"
        )
        segments = _SegmentRows(
            self._db.execute(
                f'SELECT article_id, start, "end", kind, block_id, {self.wording_column} '
                "FROM segments WHERE kind != 'novel' ORDER BY article_id, seq"
            ),
            8 * size,
        )
        orphan = StoreError(f"{self.path}: a segment names no stored article; build it again")
        while batch := rows.fetchmany(size):
            ids, names, lengths, dates, units, signatures = (list(c) for c in zip(*batch))
            try:
                found = segments.until(ids[-1])
            except TypeError:  # an article id that is not a number
                raise orphan from None
            yield _stored_batch(self.path, ids, names, lengths, dates, units, signatures, found)
        if segments.until(None):  # segments of no stored article
            raise orphan

    def texts(self, ids: Sequence[int]) -> list[str]:
        """The texts of the stored articles ``ids`` (their ids in the store), in that order,
        each rebuilt from its segments and checked against its stored length and checksum."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        wordings = self._wording_texts()
        found: dict[int, str] = {}
        for lo in range(0, len(wanted), _IDS_PER_QUERY):
            chosen = json.dumps(wanted[lo : lo + _IDS_PER_QUERY])
            heads = self._db.execute(
                "SELECT id, name, length, checksum FROM articles "
                "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (chosen,),
            ).fetchall()
            segments = self._db.execute(
                f"SELECT article_id, kind, text, block_id, {self.wording_column} FROM segments "
                "WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, seq",
                (chosen,),
            )
            by_article = dict(
                (a, list(rows))
                for a, rows in itertools.groupby(segments, key=operator.itemgetter(0))
            )
            for article_id, name, length, check in heads:
                try:
                    pieces = [
                        wordings[block_id][wording] if kind == "shared" else text
                        for _, kind, text, block_id, wording in by_article.get(article_id, ())
                    ]
                    text = _rebuilt(pieces, length, check)
                except (KeyError, IndexError, TypeError):
                    text = None
                if text is None:
                    raise StoreError(f"{self.path}: article {name!r} is damaged; build it again")
                found[article_id] = text
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"{self.path}: no article of id {missing[0]} is stored")
        return [found[i] for i in ids]

    def wording_texts(self) -> dict[str, dict[int, str]]:
        """Every block's wordings, by block id and the key a shared segment names them by
        (`wording_column`), read once."""
        return self._wording_texts()

    def _wording_texts(self) -> dict[str, dict[int, str]]:
        """`_wordings`, read once."""
        if self._wording_cache is None:
            self._wording_cache = self._wordings()
        return self._wording_cache

    def _wordings(self) -> dict[str, dict[int, str]]:
        """Every block's wordings, by block id and the key segments name them by (read at
        once: an add rebuilds the stored articles its analysis reads). Each wording's stored
        edit is kept for `edits`."""
        canonical = dict(self._db.execute("SELECT id, canonical FROM blocks"))
        wordings: dict[str, dict[int, str]] = {block: {} for block in canonical}
        edits: dict[str, tuple[str, dict[str, str]]] = {
            block: (text, {}) for block, text in canonical.items()
        }
        rows = self._db.execute(
            f"SELECT block_id, variant, {self.wording_column}, edit, articles FROM variants "
            "ORDER BY block_id, variant"
        ).fetchall()
        damaged = StoreError(f"{self.path}: the stored wordings are damaged; build it again")
        try:  # every edit in one parse, not one parse a wording
            decoded = json.loads("[" + ",".join(row[3] for row in rows) + "]")
        except (TypeError, ValueError):
            raise damaged from None
        if len(decoded) != len(rows):
            raise damaged
        if self.digest_variants:
            self._variant_digests = _row_digests(rows)
        for (block_id, variant, key, edit, _), ops in zip(rows, decoded):
            found = wordings.get(block_id)
            if found is None or variant != len(found):
                raise StoreError(f"{self.path}: block {block_id} lacks a variant; build it again")
            try:
                text = apply_edit(canonical[block_id], ops) if ops else canonical[block_id]
            except (TypeError, ValueError):
                raise damaged from None
            found[key] = text
            edits[block_id][1][text] = edit
        self._edits = edits
        return wordings

    def variant_digests(self) -> dict[str, int]:
        """Per block id, a hash of its rows of ``variants`` (``block_id, variant, wording,
        edit, articles``), Python's own (compared within this process, never kept): an add
        writes again only the blocks whose rows change."""
        if self._variant_digests is None:
            rows = self._db.execute(
                f"SELECT block_id, variant, {self.wording_column}, edit, articles FROM variants "
                "ORDER BY block_id, variant"
            ).fetchall()
            self._variant_digests = _row_digests(rows)
        return self._variant_digests

    def edits(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Each block's canonical text and the stored edit (`make_edit`, as JSON) of each of
        its wordings, by block id: an add writes most of them again unchanged."""
        if self._edits is None:
            self._wording_texts()
        return self._edits

    def verified(self) -> tuple[int, np.ndarray] | None:
        """The number of units with a signature and the LSH's verified pairs between them, as
        the last build, add or remove kept them (`StoreWriter.set_verified`); None if it did
        not (a store made before they were kept)."""
        try:
            row = self._db.execute("SELECT signed, itemsize, pairs FROM verified").fetchone()
        except sqlite3.OperationalError:  # no such table
            return None
        if row is None:
            return None
        signed, itemsize, blob = row
        damaged = StoreError(f"{self.path}: the stored LSH pairs are damaged; build it again")
        if itemsize not in (4, 8) or not isinstance(blob, bytes) or len(blob) % (2 * itemsize):
            raise damaged
        pairs = np.frombuffer(blob, dtype=f"<u{itemsize}").astype(np.int64).reshape(-1, 2)
        if len(pairs) and (pairs.max() >= signed or (pairs[:, 0] >= pairs[:, 1]).any()):
            raise damaged
        return signed, pairs

    def answers(self) -> dict[str, dict[bytes, Any]] | None:
        """The analysis's answers as the last build, add or remove kept them
        (`StoreWriter.set_answers`), by kind and key; None if it did not keep them (a store
        made before they were kept), or if another version of newscorpus wrote the store (its
        analysis may answer differently)."""
        from newscorpus import __version__  # the package imports this module: import late

        row = self._db.execute("SELECT value FROM info WHERE key = 'newscorpus_version'")
        if row.fetchone() != (__version__,):
            return None
        try:
            rows = self._db.execute("SELECT kind, keys, answers FROM answers").fetchall()
        except sqlite3.OperationalError:  # no such table
            return None
        damaged = StoreError(f"{self.path}: the stored answers are damaged; build it again")
        found: dict[str, dict[bytes, Any]] = {}
        for kind, keys, text in rows:
            if (
                not isinstance(kind, str)
                or not isinstance(keys, bytes)
                or not isinstance(text, str)
            ):
                raise damaged
            try:
                answers = json.loads(text)
            except ValueError:
                raise damaged from None
            if not isinstance(answers, list) or len(keys) != _KEY_BYTES * len(answers):
                raise damaged
            cut = [keys[i : i + _KEY_BYTES] for i in range(0, len(keys), _KEY_BYTES)]
            found[kind] = dict(zip(cut, answers))
        return found

    def last_id(self) -> int | None:
        """The largest article id in the store, None if it holds no article (an add numbers
        its new articles after it)."""
        return self._db.execute("SELECT MAX(id) FROM articles").fetchone()[0]

    def checksums(self) -> dict[str, str]:
        """Every article's name with its text's checksum (`checksum`)."""
        return dict(self._db.execute("SELECT name, checksum FROM articles"))

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def _wording_text(self, block_id: str, key: int) -> str:
        """The text of block ``block_id``'s wording ``key`` (`wording_column`)."""
        cached = self._blocks.get(block_id)
        if cached is None:
            canonical = self._db.execute(
                "SELECT canonical FROM blocks WHERE id = ?", (block_id,)
            ).fetchone()[0]
            edits = {
                wording: json.loads(e)
                for wording, e in self._db.execute(
                    f"SELECT {self.wording_column}, edit FROM variants WHERE block_id = ?",
                    (block_id,),
                )
            }
            cached = self._blocks[block_id] = (canonical, edits)
        canonical, edits = cached
        return apply_edit(canonical, edits[key])

    _ARTICLE_COLUMNS = (
        "a.id, a.name, a.length, a.checksum, a.date, a.place, a.source, a.author, a.title, "
        "a.tags, a.fields, d.name"
    )

    def _load(self, row: tuple) -> Article:
        (
            article_id,
            name,
            length,
            check,
            date,
            place,
            source,
            author,
            title,
            tags,
            fields,
            duplicate_of,
        ) = row
        pieces = []
        segments = []
        for start, end, kind, text, block_id, wording in self._db.execute(
            f'SELECT start, "end", kind, text, block_id, {self.wording_column} FROM segments '
            "WHERE article_id = ? ORDER BY seq",
            (article_id,),
        ):
            pieces.append(text if kind != "shared" else self._wording_text(block_id, wording))
            segments.append(Segment(start, end, kind, block_id))
        text = _rebuilt(pieces, length, check)
        if text is None:
            raise StoreError(f"{self.path}: article {name!r} does not rebuild to its checksum")
        meta = Meta(
            date=date,
            place=place,
            source=source,
            author=author,
            title=title,
            tags=tuple(json.loads(tags)),
        )
        return Article(name, text, tuple(segments), meta, duplicate_of, json.loads(fields))

    def articles(self) -> Iterator[Article]:
        """Every article, in input order, rebuilt from its segments."""
        rows = self._db.execute(
            f"SELECT {self._ARTICLE_COLUMNS} FROM articles a "
            "LEFT JOIN articles d ON d.id = a.duplicate_of ORDER BY a.id"
        ).fetchall()
        for row in rows:
            yield self._load(row)

    def article(self, name: str) -> Article:
        """One article by name; `KeyError` if there is none."""
        row = self._db.execute(
            f"SELECT {self._ARTICLE_COLUMNS} FROM articles a "
            "LEFT JOIN articles d ON d.id = a.duplicate_of WHERE a.name = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise KeyError(name)
        return self._load(row)

    def blocks(self) -> list[Block]:
        """Every shared block, most widely carried first."""
        return [
            Block(*row)
            for row in self._db.execute(
                "SELECT id, canonical, articles, variants, first_date, last_date "
                "FROM blocks ORDER BY rank"
            )
        ]

    def block_articles(self, block_id: str) -> list[str]:
        """The names of the articles that carry a block, in input order."""
        return [
            name
            for (name,) in self._db.execute(
                "SELECT DISTINCT a.name FROM segments s JOIN articles a ON a.id = s.article_id "
                "WHERE s.block_id = ? ORDER BY a.id",
                (block_id,),
            )
        ]

    def variants(self, block_id: str) -> list[Variant]:
        """The distinct wordings of a block, canonical first."""
        rows = self._db.execute(
            f"SELECT {self.wording_column}, articles FROM variants WHERE block_id = ? "
            "ORDER BY variant",
            (block_id,),
        ).fetchall()
        if not rows:
            raise KeyError(block_id)
        return [Variant(self._wording_text(block_id, key), n) for key, n in rows]

    def duplicates(self) -> list[Duplicate]:
        """Every article that copies another, in input order."""
        return [
            Duplicate(name, of)
            for name, of in self._db.execute(
                "SELECT a.name, d.name FROM articles a JOIN articles d ON d.id = a.duplicate_of "
                "ORDER BY a.id"
            )
        ]
