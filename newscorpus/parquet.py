"""A built corpus as a partitioned Parquet dataset: a folder ``NAME.parquet`` written by the Dask
engine's workers, for corpora too big for one SQLite file or one writer.

    NAME.parquet/
        articles/part-00000.parquet ...   one part per piece of input, written by the worker
                                          that read it: the articles with their whole text,
                                          metadata, source fields, segments and copy
        blocks.parquet                    the blocks, most carried first
        variants/part-00000.parquet ...   each block's wordings, as edits of its canonical text,
                                          written by the workers that counted them: a part per
                                          part of the blocks
        _info.json                        written last: schema version, settings, stats

`ParquetCorpus` reads it with the reading API of `newscorpus.store.Corpus` (``Corpus.open``
opens either), so ``newscorpus export`` gives what it gives for the SQLite store of the same
build. A dataset is written whole, beside the old one, and moved into place when complete; it
cannot grow (``add`` and ``remove`` need the SQLite store).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from newscorpus.errors import StoreError
from newscorpus.meta import Meta
from newscorpus.settings import Settings
from newscorpus.store import (
    Article,
    Block,
    Duplicate,
    Segment,
    Variant,
    apply_edit,
    checksum,
    make_edit,
)

SCHEMA_VERSION = 2
# Versions this newscorpus reads: version 1 kept the variants in one file, variants.parquet.
_READS = (1, 2)
INFO = "_info.json"
_MISSING = 'the Parquet output needs pyarrow: pip install "newscorpus[dask]"'


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a Parquet dataset (its name ends with ``.parquet``)."""
    return os.fsdecode(path).rstrip("/").endswith(".parquet")


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise StoreError(_MISSING) from None
    return pyarrow, pyarrow.parquet


class ParquetWriter:
    """`newscorpus.store.StoreWriter`'s part for a Parquet dataset: this process keeps each
    article's name, copy and metadata spans, and writes the blocks and the info;
    ``engine.write_parts`` has the workers, which hold the articles' texts, metadata, source
    fields and shared runs, make each article's segments, check them against its text and
    write the articles."""

    def __init__(self, path: str | Path, settings: Settings, engine: Any) -> None:
        _pyarrow()
        self.path = Path(path)
        self.settings = settings
        self.engine = engine
        self.tmp = self.path.with_name(f".{self.path.name}.building")
        self.old = self.path.with_name(f".{self.path.name}.old")
        shutil.rmtree(self.tmp, ignore_errors=True)  # left by a build that was killed
        if self.old.exists() and not self.path.exists():
            # A build killed between its two moves: the dataset it replaced goes back in place.
            self.old.rename(self.path)
        (self.tmp / "articles").mkdir(parents=True)
        (self.tmp / "variants").mkdir()
        self.names: list[str] = []
        self.duplicate_of: dict[int, str] = {}
        engine.hold_texts()
        self._blocks_written = False
        self._runs: tuple[Sequence[Any], Any] | None = None

    def add_article(
        self, article_id: int, name: str, text: str, meta: Meta, fields: dict[str, Any]
    ) -> None:
        if article_id != len(self.names):
            raise RuntimeError(f"internal error: article {article_id} after {len(self.names)}")
        self.names.append(name)  # the rest of it is on the worker that read it

    #: A dataset does not grow: what an add reads (the LSH's pairs, the analysis's answers)
    #: is not kept, nor made (`newscorpus.blocks.Detector.keep_state`).
    keeps_state = False

    def add_prepared(self, article_id: int, units: bytes, signatures: bytes) -> None:
        pass  # a dataset does not grow: nothing is kept for an add

    def set_verified(self, signed: int, pairs: Any) -> None:
        pass  # nor the LSH's pairs

    def set_answers(self, answers: Any) -> None:
        pass  # nor what the texts answered

    def add_blocks(self, rows: Sequence[tuple], variant_rows: Iterable[tuple]) -> None:
        """The blocks, written at once (in the dataset being made). Their variants are held
        by the workers that counted them, which write them (``engine.write_parts``): none
        come here."""
        pa, pq = _pyarrow()
        if next(iter(variant_rows), None) is not None:
            raise RuntimeError("internal error: a block's variants given to a Parquet dataset")
        blocks = ["id", "rank", "canonical", "articles", "variants", "first_date", "last_date"]
        columns = {name: [row[i] for row in rows] for i, name in enumerate(blocks)}
        pq.write_table(pa.table(columns, schema=_BLOCKS(pa)), self.tmp / "blocks.parquet")
        self._blocks_written = True

    def known_edits(self) -> dict[str, tuple[str, dict[str, str]]]:
        """None: a dataset is written whole."""
        return {}

    def unchanged(self, article_id: int, same: bool) -> bool:
        """Never: a dataset is written whole."""
        return False

    def add_runs(self, meta_spans: Sequence[Any], ids: Sequence[str]) -> None:
        """Every article's metadata spans, and the blocks' ids by position, with which the
        workers make the segments from the shared runs they found
        (`newscorpus.dask_engine._write_part`)."""
        self._runs = (meta_spans, ids)

    def set_duplicates(self, pairs: Sequence[tuple[int, int]]) -> None:
        self.duplicate_of = {article: self.names[original] for article, original in pairs}

    def commit(self) -> None:
        pass

    def close(self, stats: dict[str, Any]) -> None:
        """Have the workers write the articles, write the info, and move the dataset into
        place (replacing an older one)."""
        if self._runs is None or not self._blocks_written:
            raise RuntimeError(
                "internal error: a Parquet dataset closed before its blocks and runs were given"
            )
        self.engine.write_parts(str(self.tmp), self.names, self.duplicate_of, *self._runs)
        info = {
            "schema_version": SCHEMA_VERSION,
            "settings": json.loads(self.settings.to_json()),
            "stats": stats,
        }
        (self.tmp / INFO).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        shutil.rmtree(self.old, ignore_errors=True)
        if self.path.exists():
            self.path.rename(self.old)
        self.tmp.rename(self.path)
        shutil.rmtree(self.old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_variants(path: str, blocks: Iterable[tuple[str, Sequence[tuple[str, int]]]]) -> int:
    """On a worker: write one part of the blocks' variants, each block ``(id, variants)``
    with its wordings ``(text, articles)`` most carried first (the first is its canonical
    text), as rows ``(block_id, variant, edit, articles)``: a wording as the edit of its
    block's canonical text (`newscorpus.store.make_edit`). Returns the rows written."""
    pa, pq = _pyarrow()
    columns: dict[str, list[Any]] = {"block_id": [], "variant": [], "edit": [], "articles": []}
    for block_id, variants in blocks:
        canonical = variants[0][0]
        for i, (text, n) in enumerate(variants):
            columns["block_id"].append(block_id)
            columns["variant"].append(i)
            columns["edit"].append(_json(make_edit(canonical, text)))
            columns["articles"].append(n)
    pq.write_table(pa.table(columns, schema=_VARIANTS(pa)), path)
    return len(columns["variant"])


def write_part(path: str, texts: Sequence[str], rows: Sequence[list[Any]]) -> int:
    """On a worker: write one part of the articles, ``rows`` ``[id, name, meta, fields,
    segments, duplicate_of]`` (segments ``(start, end, kind, block_id, variant)``, the name of
    the article it copies or None) and ``texts`` in the same order; returns the articles
    written."""
    pa, pq = _pyarrow()
    if len(texts) != len(rows):
        raise RuntimeError(f"internal error: {len(texts)} texts for {len(rows)} articles")
    columns: dict[str, list[Any]] = {name: [] for name in _ARTICLE_COLUMNS}
    for text, (article_id, name, meta, fields, segments, duplicate_of) in zip(texts, rows):
        for key, value in (
            ("id", article_id),
            ("name", name),
            ("text", text),
            ("length", len(text)),
            ("checksum", checksum(text)),
            ("date", meta.date),
            ("place", meta.place),
            ("source", meta.source),
            ("author", meta.author),
            ("title", meta.title),
            ("tags", list(meta.tags)),
            ("fields", _json(fields)),
            ("duplicate_of", duplicate_of),
            (
                "segments",
                [
                    {"start": s, "end": e, "kind": k, "block": b, "variant": v}
                    for s, e, k, b, v in segments
                ],
            ),
        ):
            columns[key].append(value)
    pq.write_table(pa.table(columns, schema=_ARTICLES(pa)), path)
    return len(rows)


_ARTICLE_COLUMNS = (
    "id name text length checksum date place source author title tags fields duplicate_of segments"
).split()


def _ARTICLES(pa: Any) -> Any:
    segment = pa.struct(
        [
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("kind", pa.string()),
            ("block", pa.string()),
            ("variant", pa.int32()),
        ]
    )
    return pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("text", pa.large_string()),
            ("length", pa.int64()),
            ("checksum", pa.string()),
            ("date", pa.string()),
            ("place", pa.string()),
            ("source", pa.string()),
            ("author", pa.string()),
            ("title", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("fields", pa.string()),
            ("duplicate_of", pa.string()),
            ("segments", pa.list_(segment)),
        ]
    )


def _BLOCKS(pa: Any) -> Any:
    return pa.schema(
        [
            ("id", pa.string()),
            ("rank", pa.int64()),
            ("canonical", pa.string()),
            ("articles", pa.int64()),
            ("variants", pa.int64()),
            ("first_date", pa.string()),
            ("last_date", pa.string()),
        ]
    )


def _VARIANTS(pa: Any) -> Any:
    return pa.schema(
        [
            ("block_id", pa.string()),
            ("variant", pa.int64()),
            ("edit", pa.string()),
            ("articles", pa.int64()),
        ]
    )


class ParquetCorpus:
    """A Parquet dataset, read with the reading API of `newscorpus.store.Corpus`."""

    def __init__(self, path: Path, info: dict[str, Any]) -> None:
        self.path = path
        self.settings = Settings.from_json(json.dumps(info["settings"]))
        self.stats: dict[str, Any] = info.get("stats", {})
        self.schema_version = int(info["schema_version"])
        self._parts = sorted((path / "articles").glob("part-*.parquet"))
        self._blocks: dict[str, tuple[str, list[Any]]] | None = None

    @classmethod
    def open(cls, path: str | Path) -> ParquetCorpus:
        path = Path(path)
        try:
            info = json.loads((path / INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: not a newscorpus Parquet dataset ({exc})") from None
        if info.get("schema_version") not in _READS:
            raise StoreError(
                f"{path}: Parquet dataset version {info.get('schema_version')} is not supported "
                f"(this newscorpus reads versions {', '.join(map(str, _READS))}); build it again "
                "from its input"
            )
        _pyarrow()
        return cls(path, info)

    def close(self) -> None:
        pass

    def __enter__(self) -> ParquetCorpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        _, pq = _pyarrow()
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self._parts)

    def _rows(self, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every article's row in input order: its ``columns``, or all of them."""
        _, pq = _pyarrow()
        for part in self._parts:
            parquet = pq.ParquetFile(part)
            for group in range(parquet.num_row_groups):
                yield from parquet.read_row_group(group, columns=columns).to_pylist()

    def _article(self, row: dict[str, Any]) -> Article:
        text = row["text"]
        if len(text) != row["length"] or checksum(text) != row["checksum"]:
            raise StoreError(f"{self.path}: article {row['name']!r} does not match its checksum")
        segments = tuple(
            Segment(s["start"], s["end"], s["kind"], s["block"]) for s in row["segments"]
        )
        meta = Meta(
            date=row["date"],
            place=row["place"],
            source=row["source"],
            author=row["author"],
            title=row["title"],
            tags=tuple(row["tags"]),
        )
        return Article(
            row["name"], text, segments, meta, row["duplicate_of"], json.loads(row["fields"])
        )

    def articles(self) -> Iterator[Article]:
        """Every article, in input order."""
        for row in self._rows():
            yield self._article(row)

    def article(self, name: str) -> Article:
        """One article by name; `KeyError` if there is none. Each part is searched on its
        names (Parquet skips the row groups whose names cannot hold it), and only the rows
        found are read whole."""
        _, pq = _pyarrow()
        for part in self._parts:
            found = pq.read_table(part, filters=[("name", "==", name)]).to_pylist()
            if found:
                return self._article(found[0])
        raise KeyError(name)

    def blocks(self) -> list[Block]:
        """Every shared block, most widely carried first."""
        _, pq = _pyarrow()
        rows = pq.read_table(self.path / "blocks.parquet").to_pylist()
        return [
            Block(
                r["id"],
                r["canonical"],
                r["articles"],
                r["variants"],
                r["first_date"],
                r["last_date"],
            )
            for r in sorted(rows, key=lambda r: r["rank"])
        ]

    def block_articles(self, block_id: str) -> list[str]:
        """The names of the articles that carry a block, in input order."""
        return [
            row["name"]
            for row in self._rows(["name", "segments"])  # not the texts
            if any(s["block"] == block_id for s in row["segments"])
        ]

    def variants(self, block_id: str) -> list[Variant]:
        """The distinct wordings of a block, canonical first."""
        if self._blocks is None:
            _, pq = _pyarrow()
            canonical = {b.id: b.text for b in self.blocks()}
            edits: dict[str, list[Any]] = {}
            found = sorted((self.path / "variants").glob("part-*.parquet"))
            if self.schema_version == 1:
                found = [self.path / "variants.parquet"]
            rows = [row for part in found for row in pq.read_table(part).to_pylist()]
            for r in sorted(rows, key=lambda r: (r["block_id"], r["variant"])):
                edits.setdefault(r["block_id"], []).append((json.loads(r["edit"]), r["articles"]))
            self._blocks = {b: (canonical[b], e) for b, e in edits.items()}
        if block_id not in self._blocks:
            raise KeyError(block_id)
        canonical, edits = self._blocks[block_id]
        return [Variant(apply_edit(canonical, edit), n) for edit, n in edits]

    def duplicates(self) -> list[Duplicate]:
        """Every article that copies another, in input order."""
        return [
            Duplicate(row["name"], row["duplicate_of"])
            for row in self._rows()
            if row["duplicate_of"] is not None
        ]

    def checksums(self) -> dict[str, str]:
        raise StoreError(f"{self.path}: a Parquet dataset cannot grow; build it again")

    def prepared(self) -> Iterator[Any]:
        raise StoreError(f"{self.path}: a Parquet dataset cannot grow; build it again")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)  # as the SQLite store keeps them
