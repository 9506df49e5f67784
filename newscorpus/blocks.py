"""Shared blocks and near-duplicate articles.

The method, stage by stage:

1. Every article's story text is cut into units (`newscorpus.units`): sentences (short lines
   and runs of short sentences stay whole). Units with the same normalised words are one
   *distinct* unit. A line of figures ("Shr 18 cts vs 13 cts", see `prepare`) is matched by its
   exact words only and is never a background.
2. Distinct units of ``min_minhash_words`` words or more get MinHash signatures
   (`newscorpus.minhash`); LSH banding (`newscorpus.lsh`) proposes candidate pairs, kept at an
   estimated Jaccard of ``unit_threshold`` (``strong_threshold`` when a unit is shorter than
   ``short_unit_words``). Strong pairs join clusters; weaker ones only attach a lone unit, so a
   unit gluing two passages together (a lost sentence break) cannot chain them into one. A
   *cluster* holds the variants of one passage. Shorter units (page furniture: "Advertisement",
   "Share this article") cluster by exact words, when they stand alone on a line in three or
   more articles, or are glued into a line elsewhere.
3. Copies of one story are found from the lede: its first units, skipping passages that open
   different stories (furniture or a background at the top, `_openers`). Articles whose ledes
   share a passage, and articles with the same words throughout, are compared in two passes:
   a generous one, where text an article shares only with third articles is left out (so that
   copies carrying different backgrounds are found), gives the backgrounds; then an exact one,
   where those backgrounds are left out of both sides and any other text one has and the other
   lacks counts against the pair. Copies must also agree on the figures of the passages they
   share, figures and names (two reports made from one template do not).
4. A cluster is a *background* when its articles belong to two or more different stories (copy
   groups). Story text that only copies of one story share stays each copy's own text.
5. Background clusters that follow each other within one paragraph, travel together (mostly the
   same articles) and are never put in different paragraphs by any article form one *block*
   (a background paragraph of several sentences). In each article a block's consecutive units
   make one shared segment. Where a unit glued the block to other text, the segment is cut at
   the block's edge (at the end of a sentence or label, `_trim_glued`); a furniture line glued
   to the start of a sentence is cut off too. Blocks that are wordings of one passage (similar
   over the whole paragraph, never in one article together) are merged.
6. Each block's canonical text is its most frequent wording (ties: the smallest text), and its
   id a hash of that text, so ids are stable across runs and machines.

Nothing depends on the order articles arrive in: buckets and ties are ordered by content
hashes, copy groups are represented by their earliest article (by date, then name), and
canonical texts are chosen by count and text.

The analysis works on the units' records; it reads text only through `Detector.map_texts`,
for the articles it needs, and gets back small answers: the facts of the passages that pass 2
asks about, the words of furniture lines, the furniture glued to loose units, the text of each
shared run. Where the texts stayed on a cluster's workers (`newscorpus.dask_engine`), those
are computed there; where they stayed in a store (an add or a remove), they are read from it,
and a stored article's runs found where its stored shared segments are take those segments'
stored wordings as their texts (`Detector._run_texts`).

A store keeps the answers to the analysis's most costly questions, each by a key (a 128-bit
hash) of everything the answer depends on: the verdict of each pair of possible copies
(`Detector._pair_keys`), the furniture glued to each article's loose units
(`Detector._remembered`), the cuts of each glued block (`Detector._trim_glued`), the
signatures of the blocks' most frequent wordings (`Detector._wording_signatures`). An add asks
again only where a key is new, so its answers are those of a build by construction; a key
stands for an article's text by its name, which a store never gives another text.
"""

from __future__ import annotations

import base64
import concurrent.futures
import functools
import itertools
import json
import multiprocessing
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np
import regex
import xxhash

from newscorpus.arrays import (
    KeyIndex,
    first_new,
    first_of_each,
    isin_sorted,
    positions,
    ranges,
    union,
    unique,
    unique_pairs,
)
from newscorpus.errors import EngineError
from newscorpus.lsh import (
    band_pairs,
    bucket_pairs,
    candidate_pairs,
    decode_pairs,
    grown_candidates,
    pair_codes,
)
from newscorpus.minhash import Signer, words
from newscorpus.settings import Settings
from newscorpus.tables import SegmentTable, TextSpool, UnitTable
from newscorpus.tokens import Words, mix64, sequence_key_halves, word_hash
from newscorpus.units import batch_units

_VERIFY_BATCH = 65536
# Pairs of blocks' most frequent wordings compared at a time (`Detector._joins`).
_JOIN_BATCH = 8192
# Multiplier of the polynomial that makes a k-gram's key from its words' hashes (odd).
_GRAM_MIX = np.uint64(0x9E3779B97F4A7C15)
_BLOCK_MIX = np.uint64(0xD6E8FEB86659FD93)
# Characters of block wordings tokenised at once when glued runs are trimmed: at 2**21 the
# arrays of one chunk (and the hash powers `newscorpus.tokens` keeps for the longest text)
# made the build's peak at 100 MB 573 MB; at 2**20, 518 MB, and trimming took 1.65 s, not 1.90.
# At 2**19 the trimming of a Dask build's building process (whose peak it was) peaks at 365 MB
# instead of 401 at 100 MB, and takes 1.42 and 1.53 s against 1.50 and 1.53 s.
_GRAMS_CHARS = 1 << 19
# The word k-grams that say which words of a glued run are its block's (`glued_cuts`).
_CUT_GRAMS = 3
# Articles whose runs' texts are asked for at once (`Detector._blocks`).
_TEXT_ARTICLES = 8192
# Wordings signed at a time (`Detector._wording_signatures`).
_SIGN_TEXTS = 4096
# Up to this share of new signed units, an add grows the stored LSH pairs (`grown_pairs`);
# beyond it, banding everything again is faster (on the 100 MB suite corpus: 3.0 s against
# 7.1 s for 1% more units, 8.9 s against 6.7 s for 5%). Either way the pairs are the same.
_GROWN_SHARE = 0.03
# A fact: a number as written ("200,000", "22.0", "6-3/4") or a capitalised word ("Egypt").
_FACT = regex.compile(r"\d(?:[\d,./-]*\d)?|\p{Lu}[\p{L}\p{N}'’-]*")
_NUMBER_WORDS = frozenset(
    "zero nil one two three four five six seven eight nine ten eleven twelve".split()
)
# A short line is furniture once it stands alone on a line in this many articles.
_FURNITURE_ARTICLES = 3
# A passage carried by this many articles or fewer may be one story's copies (`_openers`).
_FEW_COPIES = 10
# Units looked at beyond the lede, to find what follows furniture at the top of an article.
_HEAD_EXTRA = 6
_WORDS = regex.compile(r"\w+")
# Punctuation that ends a sentence or a label, with closing quotes and brackets.
_SENTENCE_END = regex.compile(r"[.!?:;…]+[\"'”’)\]]*")


# One occurrence of a block in an article: ``(start, end, block, variant)``, the span, the
# block's index, and the number of the block's variant it is (its position in
# `FoundBlock.variants`). A plain tuple: an analysis makes one per shared run (93,035 at 100
# MB, 1.5 million at 1 GB, where making them named tuples took 2 s of an add under cProfile).
SharedRun = tuple[int, int, int, int]


@attrs.define(eq=False)
class _Runs:
    """Every article's shared runs (`Detector._runs`) as columns, article after article and
    each article's in text order: ``[start, end)`` is consecutive units of ``block`` (a label
    of `Detector._blocks`), ``glued_start`` and ``glued_end`` where the unit at that end is not
    a whole line, ``wording`` the number of the run's text in ``texts`` (-1 until
    `Detector._run_texts` reads them). Columns, not a list per run (the 1 GB store has 952,593
    shared segments), so that a pass over every run is a numpy operation."""

    article: np.ndarray
    start: np.ndarray
    end: np.ndarray
    block: np.ndarray
    glued_start: np.ndarray
    glued_end: np.ndarray
    wording: np.ndarray
    texts: list[str] = attrs.field(factory=list)
    _numbers: dict[str, int] = attrs.field(factory=dict)

    @classmethod
    def empty(cls) -> _Runs:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none.astype(bool), none.astype(bool), none)

    def numbers(self, texts: Iterable[str]) -> list[int]:
        """The number of each of ``texts`` in `texts`, which those not there join (each
        once, in order)."""
        texts = list(texts)
        known = self._numbers
        fresh = [text for text in dict.fromkeys(texts) if text not in known]
        known.update(zip(fresh, range(len(self.texts), len(self.texts) + len(fresh))))
        self.texts.extend(fresh)
        return [known[text] for text in texts]

    def bounds(self, n: int) -> np.ndarray:
        """Where the runs of each of ``n`` articles start, then where the last ones end."""
        return np.searchsorted(self.article, np.arange(n + 1))


@attrs.frozen
class FoundBlock:
    """A block as found: its id, canonical text, the distinct variant texts with the number
    of articles carrying each (most carried first; none where the workers hold them,
    `Analysis.held_runs`), how many articles carry it, the first and last of their dates
    (None: none is dated), and how many variants it has. Which articles carry it is not
    kept: their segments say (1.1 million carriers at 1 GB)."""

    id: str
    canonical: str
    variants: tuple[tuple[str, int], ...]
    articles: int
    first_date: str | None
    last_date: str | None
    n_variants: int = attrs.field()

    @n_variants.default
    def _counted(self) -> int:
        return len(self.variants)


@attrs.frozen
class Analysis:
    """What the engine found: the blocks, for each article the index of the article it copies
    (or -1), and every article's shared runs as columns (``run_columns``: article, start, end,
    block and variant, article after article; `runs_of` gives one article's)."""

    blocks: tuple[FoundBlock, ...]
    duplicate_of: tuple[int, ...]
    stats: dict
    run_columns: tuple[np.ndarray, ...] = attrs.field(eq=False)
    #: The runs, where they were found (`Detector.run_finder`), placed in the blocks; then
    #: ``run_columns`` are empty.
    held_runs: HeldRuns | None = attrs.field(default=None, eq=False)
    # Where each article's runs start in the columns, then where the last ones end.
    _bounds: list[int] = attrs.field(init=False, eq=False, repr=False)

    @_bounds.default
    def _where(self) -> list[int]:
        n = len(self.duplicate_of)
        return np.searchsorted(self.run_columns[0], np.arange(n + 1)).tolist()

    def runs_of(self, article: int) -> list[SharedRun]:
        """Article ``article``'s shared runs, in text order."""
        lo, hi = self._bounds[article], self._bounds[article + 1]
        _, start, end, block, variant = (column[lo:hi].tolist() for column in self.run_columns)
        return list(zip(start, end, block, variant))


class Carriers(Mapping[int, list[int]]):
    """The clusters found in two or more articles, each with its sorted articles, as arrays:
    ``clusters`` (sorted), and each one's ``counts`` articles from ``starts`` in ``articles``
    (None where the articles are held elsewhere: a Dask build's workers, which count what
    the analysis asks of them, `HeldRuns.carried_both`). Read as a mapping, a cluster's
    list is made when asked for (the analysis asks for few). What the analysis reads of each
    cluster's distinct unit (the smallest in it), where it is known: its ``order`` key, and
    whether it is a line of ``figures``."""

    def __init__(
        self,
        clusters: np.ndarray,
        starts: np.ndarray,
        counts: np.ndarray,
        articles: np.ndarray | None,
        order: np.ndarray | None = None,
        figures: np.ndarray | None = None,
    ) -> None:
        self.clusters, self.starts, self.counts, self.articles = clusters, starts, counts, articles
        self.order, self.figures = order, figures
        self._at: dict[int, int] | None = None

    @classmethod
    def of(cls, found: Mapping[int, Sequence[int]]) -> Carriers:
        """The carriers of ``found``: per cluster, its sorted articles."""
        clusters = sorted(found)
        counts = np.array([len(found[c]) for c in clusters], dtype=np.int64)
        articles = np.array([a for c in clusters for a in found[c]], dtype=np.int64)
        starts = np.cumsum(counts) - counts
        return cls(np.array(clusters, dtype=np.int64), starts, counts, articles)

    @classmethod
    def of_rows(cls, rows: np.ndarray) -> Carriers:
        """The carriers of ``rows`` of (cluster, article), each once, sorted."""
        cluster = rows[:, 0]
        starts = np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]][: len(rows)])
        counts = np.diff(np.r_[starts, len(rows)])
        return cls(cluster[starts], starts, counts, rows[:, 1])

    def _held(self) -> np.ndarray:
        if self.articles is None:
            raise RuntimeError("internal error: the carriers' articles are held elsewhere")
        return self.articles

    def __getitem__(self, cluster: int) -> list[int]:
        if self._at is None:
            self._at = dict(zip(self.clusters.tolist(), range(len(self.clusters))))
        i = self._at[cluster]
        start = int(self.starts[i])
        return self._held()[start : start + int(self.counts[i])].tolist()

    def __iter__(self) -> Iterator[int]:
        return iter(self.clusters.tolist())

    def overlaps(
        self, pairs: np.ndarray, both: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per pair of these clusters (the rows of ``pairs``), how many articles carry both
        (``both``, where those were counted where the articles are held), and how many carry
        either. All pairs at once: each article of a pair's smaller cluster is looked up
        among the larger one's (a set per pair, at 1 GB, took 8.5 s of an add of 1%, where
        site furniture and common backgrounds are carried by thousands of articles).

        >>> c = Carriers.of({3: [0, 1, 2], 5: [1, 2, 7], 9: [4, 7]})
        >>> [x.tolist() for x in c.overlaps(np.array([[3, 5], [5, 9], [3, 9]]))]
        [[2, 1, 0], [4, 4, 5]]
        """
        n = len(pairs)
        if not n:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.clusters, pairs)
        if (at >= len(self.clusters)).any() or (self.clusters[at] != pairs).any():
            raise KeyError("a cluster carried by fewer than two articles")
        size = self.counts[at]
        if both is not None:
            return both, size.sum(axis=1) - both
        swap = size[:, 0] > size[:, 1]
        small = np.where(swap, at[:, 1], at[:, 0])
        large = np.where(swap, at[:, 0], at[:, 1])
        # The articles of each pair's smaller cluster, pair after pair.
        pair_of, members = self._members(small)
        # Those of the larger clusters, each once, keyed by (its place among them, article):
        # sorted, as each cluster's articles are.
        looked, place = np.unique(large, return_inverse=True)
        owner, articles = self._members(looked)
        width = int(self._held().max()) + 1
        keys = owner * width + articles
        wanted = place[pair_of] * width + members
        found = np.searchsorted(keys, wanted)
        hit = keys[np.minimum(found, len(keys) - 1)] == wanted
        both = np.bincount(pair_of[hit], minlength=n)
        return both, size.sum(axis=1) - both

    def _members(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The articles of the clusters at places ``at``, one cluster after the other, with
        the number in ``at`` of the one each belongs to."""
        counts = self.counts[at]
        owner = np.repeat(np.arange(len(at)), counts)
        offset = np.repeat(self.starts[at] - (np.cumsum(counts) - counts), counts)
        return owner, self._held()[offset + np.arange(len(owner))]

    def __len__(self) -> int:
        return len(self.clusters)

    def order_of(self, clusters: np.ndarray) -> np.ndarray:
        """The order keys of ``clusters`` (all of them carried)."""
        at = positions(self.clusters, clusters)
        if self.order is None or (at < 0).any():
            raise RuntimeError("internal error: the order key of a cluster not carried")
        return self.order[at]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@attrs.frozen
class Prepared:
    """A batch of articles made ready for the `Detector`: every unit of the batch as one
    `UNIT_RECORD` (its span, paragraph, whether it is a whole line, its word count, whether it
    is a line of figures, and its key: a 128-bit hash of its normalised words), article after
    article (article ``i``'s are ``records[offsets[i]:offsets[i + 1]]``); and one signature row
    per unit of ``min_minhash_words`` words or more, in order.

    Compact, to travel between processes (a few numpy arrays, no object per unit): a signature
    keeps the low 16 bits of each MinHash value, which halves the engine's largest table and
    changes an estimated Jaccard by at most 2**-16 (two different minima agree in their low
    bits by chance that rarely)."""

    records: np.ndarray
    offsets: np.ndarray
    signatures: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def record(self, article: int) -> np.ndarray:
        """Article ``article``'s unit records."""
        return self.records[self.offsets[article] : self.offsets[article + 1]]

    @classmethod
    def unpack(
        cls, packed: Sequence[bytes], signatures: Sequence[bytes], num_perm: int
    ) -> Prepared:
        """The batch of articles whose unit records the store kept as ``packed`` bytes (each
        article's `record`), with the signature rows that the `Detector` kept for them (for
        ``Detector.add(..., replayed=True)``)."""
        sizes = [len(data) // UNIT_RECORD.itemsize for data in packed]
        records = np.frombuffer(b"".join(packed), dtype=UNIT_RECORD)
        rows = np.frombuffer(b"".join(signatures), dtype=np.uint16).reshape(-1, num_perm)
        return cls(records, np.cumsum([0, *sizes], dtype=np.int64), rows)


# One stored unit (`Prepared.record`): little-endian on every machine.
UNIT_RECORD = np.dtype(
    [
        ("start", "<i8"),
        ("end", "<i8"),
        ("paragraph", "<i4"),
        ("whole", "i1"),
        ("figure", "i1"),
        ("n_words", "<i4"),
        ("key_low", "<u8"),
        ("key_high", "<u8"),
    ]
)


# What the building process receives of the units of a batch that a worker holds and
# numbered (a Dask build's Parquet output; `Detector.add`): nothing of each unit, nor of each
# distinct unit, but per article, how many distinct units its units bring first (not seen
# before) and how many of those are signed. 8 bytes an article, where a `UNIT_RECORD` is 40
# bytes a unit: what the LSH and the clustering read of the units stays on the workers.
FRESH_COUNTS = np.dtype([("fresh", "<i4"), ("signed", "<i4")])


def prepare(
    texts: Sequence[str],
    meta_spans: Sequence[Sequence[tuple[int, int]]],
    signer: Signer,
    settings: Settings,
) -> Prepared:
    """Cut a batch of articles into units (`newscorpus.units.batch_units`), then key, count and
    sign them, with one tokenising pass over the whole batch (`newscorpus.tokens`).

    A unit is a line of *figures* when it has fewer than 12 words and a quarter or more of them
    are numbers (with a digit, or a number word up to twelve): templated data such as "Shr 18
    cts vs 13 cts" or "Qtly div 25 cts vs 25 cts prior" resembles, or even equals, the same
    line of another company's results without being shared text.
    """
    bases, position = [], 0
    for text in texts:
        bases.append(position)
        position += len(text) + 1
    breaks = [b + edge for b, spans in zip(bases, meta_spans) for span in spans for edge in span]
    found = Words.of("\n".join(texts), breaks)
    starts, ends, paragraph, whole, sizes = batch_units(
        texts, meta_spans, found.starts, min_words=settings.min_minhash_words
    )
    base = np.repeat(np.asarray(bases, dtype=np.int64), sizes)
    unit_starts, unit_ends = base + starts, base + ends

    first_word = np.searchsorted(found.starts, unit_starts)
    end_word = np.searchsorted(found.starts, unit_ends)
    n_words = end_word - first_word
    keys = sequence_key_halves(found.hashes, first_word, end_word)
    numeric = found.has_digit | np.isin(found.hashes, _number_word_hashes())
    numeric_before = np.r_[0, np.cumsum(numeric)]
    numbers = numeric_before[end_word] - numeric_before[first_word]
    figures = (n_words > 0) & (n_words < 12) & (4 * numbers >= n_words)

    signed = np.flatnonzero(signed_units(n_words, figures, settings.min_minhash_words))
    lengths = n_words[signed]
    offsets = np.cumsum(lengths) - lengths
    word_index = np.repeat(first_word[signed] - offsets, lengths) + np.arange(int(lengths.sum()))
    signatures = signer.sign_hashes(found.hashes[word_index], lengths).astype(np.uint16)

    records = np.empty(len(unit_starts), dtype=UNIT_RECORD)
    records["start"], records["end"] = starts, ends
    records["paragraph"], records["whole"] = paragraph, whole
    records["n_words"], records["figure"] = n_words, figures
    records["key_low"], records["key_high"] = keys
    return Prepared(records, np.cumsum([0, *sizes], dtype=np.int64), signatures)


def signed_units(n_words: np.ndarray, figure: np.ndarray, min_words: int) -> np.ndarray:
    """Which units are signed (a row of a batch's signatures each, in order): those of
    ``min_words`` words or more that are not lines of figures (``figure``: a flag each)."""
    return (n_words >= min_words) & (figure == 0)


@functools.cache
def _number_word_hashes() -> np.ndarray:
    return np.array([word_hash(w) for w in sorted(_NUMBER_WORDS)], dtype=np.uint64)


class Detector:
    """Collects articles one at a time, then finds blocks and copies across all of them.

    Memory is bounded by design: article texts go to a scratch file in ``scratch`` (a folder;
    the system's temporary folder if None) and are read back when needed; units are kept in
    flat arrays; of the signatures `prepare` computes, one per distinct unit is kept for the
    clustering, which takes them (a second analysis cannot): in memory, where the clustering
    would hold them all anyway, or, with ``spool_signatures``, in a second scratch file (where
    the pairs are found elsewhere, on a cluster's workers, and may never be read here). `close`
    deletes the scratch files.
    """

    def __init__(
        self,
        settings: Settings,
        scratch: str | Path | None = None,
        *,
        spool_signatures: bool = False,
        expected_distinct: int = 0,
    ) -> None:
        self.settings = settings
        # A distinct unit's id by its key; made ready for ``expected_distinct`` of them (an
        # add or remove knows how many the store had).
        self._distinct = KeyIndex(expected_distinct)
        self._distinct_words = array("i")
        self._distinct_order = array("Q")
        self._distinct_figures = array("b")
        self._sig_ids: list[np.ndarray] = []
        # Of batches numbered elsewhere (`_add_fresh`): their distinct units and signed ones.
        self._distinct_elsewhere = 0
        self._signed_elsewhere = 0
        # One signature per distinct unit, until the analysis: appended in memory (a large
        # bytearray grows in place, by mremap), or spooled to a scratch file.
        self._sig_bytes: bytearray | None = bytearray()
        self._sigs = (
            tempfile.TemporaryFile(prefix=".newscorpus-", dir=scratch) if spool_signatures else None
        )
        self.texts = TextSpool(scratch)
        self.names: list[str] = []
        self.dates: list[str | None] = []
        self.units = UnitTable()
        # Every unit's distinct unit (-1 for a unit without words), in the units' order.
        self._unit_distinct = array("q")
        # Per distinct unit, whether it stands alone on a line in enough articles to be
        # furniture (`_occurrence_clusters`).
        self._alone = np.zeros(0, dtype=bool)
        # The analysis's clusters of every unit: per article (views), and flat.
        self._flat_clusters: tuple[list[np.ndarray], np.ndarray] = ([], np.zeros(0, np.int64))
        self._replayed_signed = 0  # signed units of the replayed batches, which come first
        #: The verified pairs of the signed units of the articles replayed from a store, as
        #: the store kept them (`verified`), if it did: an add then bands only what is new.
        self.known: tuple[int, np.ndarray] | None = None
        #: Once analysed: the number of signed units and their verified pairs (the LSH's
        #: result, which a store keeps for the next add).
        self.verified: tuple[int, np.ndarray] = (0, np.zeros((0, 2), dtype=np.int64))
        #: A remove: what it took from the stored signed units (`newscorpus.build.Removal`:
        #: each one's new number or -1, and the signatures and order keys of those gone), so
        #: that the stored pairs (`known`) shrink (`shrunk_pairs`).
        self.removed: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        #: Where the texts are read, if not here (`TextMap`): then `add` keeps no text.
        self.text_map: TextMap | None = None
        #: Where the shared runs are found, with their texts, if not here (`RunFinder`: the
        #: workers that hold the texts and the units).
        self.run_finder: RunFinder | None = None
        #: Where the texts of the articles replayed from a store are read (an add or a
        #: remove): called with their numbers, it returns their texts, read from the store.
        #: Then `add` keeps none of them, and the analysis reads only those it asks for.
        self.stored_texts: Callable[[Sequence[int]], list[str]] | None = None
        self._n_stored = 0  # the replayed articles whose texts stayed in the store
        #: The answers to the analysis's costliest questions that an earlier analysis of the
        #: store gave, as the store kept them, by kind, then by a key of everything an answer
        #: depends on: "verdicts" (`_pair_keys`), "glued" (`_remembered`), "cuts"
        #: (`_trim_glued`), "signatures" (`_wording_signatures`). An add asks again only where
        #: a key is new. And, once analysed,
        #: the answers of this analysis (lists and bools, as JSON gives them back).
        self.known_answers: dict[str, dict[bytes, Any]] | None = None
        #: Where `known_answers` are read (the store's answers), once the LSH is done: an add
        #: then does not hold them through its costliest stage (about 150 MB at 1 GB).
        self.read_answers: Callable[[], dict[str, dict[bytes, Any]] | None] | None = None
        #: Per article replayed from a store, its stored shared segments ``(start, end,
        #: block id, variant)``, whose texts are those of the runs found there again
        #: (`_run_texts`), from the stored wordings: `read_wordings` reads them, once the LSH
        #: is done (not held through it: about 150 MB at 1 GB), and an article whose segments
        #: name a wording the store lacks is refused (`damaged`).
        self.stored_runs = SegmentTable()
        self.read_wordings: Callable[[], dict[str, dict[int, str]]] | None = None
        self.damaged: Callable[[int], Exception] = lambda article: ValueError(
            f"article {article} names a stored wording the store lacks"
        )
        self.answers: dict[str, dict[bytes, Any]] = {}
        #: Whether what an add of the store reads is made and kept: the LSH's pairs
        #: (`verified`) and the analysis's answers (`answers`). A Parquet dataset, which does
        #: not grow, keeps neither (at 100 MB, 15 MB less of the building process's traced
        #: memory as it writes).
        self.keep_state = True

    def add(
        self,
        batch: Prepared,
        texts: Sequence[str],
        names: Sequence[str],
        dates: Sequence[str | None],
        *,
        replayed: bool = False,
    ) -> list[np.ndarray]:
        """Add a batch of articles prepared by `prepare`. Only the signatures of units not seen
        before are kept; returns, per article, its rows of ``batch.signatures`` that were kept.

        ``replayed``: ``batch.signatures`` holds only the rows that were kept when these
        articles were first added, after the same articles in the same order (as a store keeps
        them, `newscorpus.store.Corpus.prepared_batches`), so nothing is signed again.

        A batch numbered where its units are held (`FRESH_COUNTS`: a Dask build's workers)
        gives only how many distinct units each article brings, and how many of those are
        signed: every batch of the build must be (`_add_fresh`).
        """
        before = len(self._distinct_words)
        fresh_only = "fresh" in (batch.records.dtype.names or ())
        mixed = before > 0 if fresh_only else self._distinct_elsewhere > 0
        if mixed or len(self._distinct) != (0 if fresh_only else before):
            raise RuntimeError("internal error: units numbered here and units numbered elsewhere")
        if fresh_only and not replayed:
            return self._add_fresh(batch, texts, names, dates)
        if fresh_only:
            raise RuntimeError("internal error: a stored batch numbered elsewhere")
        min_words = self.settings.min_minhash_words
        records = batch.records
        n_words = records["n_words"].astype(np.int64)
        figures = records["figure"] != 0
        signed = signed_units(n_words, figures, min_words)
        worded = np.flatnonzero(n_words > 0)
        ids = np.full(len(records), -1, dtype=np.int64)
        ids[worded] = self._distinct.add(records["key_low"][worded], records["key_high"][worded])
        # The units that bring a distinct unit not seen before: the first of each new id.
        fresh = first_new(ids, before)
        self._distinct_words.frombytes(n_words[fresh].astype(np.int32).tobytes())
        self._distinct_order.frombytes((records["key_high"][fresh] >> np.uint64(1)).tobytes())
        self._distinct_figures.frombytes(figures[fresh].astype(np.int8).tobytes())
        brings = np.zeros(len(records), dtype=bool)
        brings[fresh] = True
        # Signature rows: one per signed unit; a replayed batch has them only for the units
        # that bring a new distinct unit.
        has_row = signed & brings if replayed else signed
        row_of = np.cumsum(has_row) - 1
        if replayed and int(has_row.sum()) != len(batch.signatures):
            raise ValueError(
                f"{len(batch.signatures)} stored signatures for {int(has_row.sum())} new units"
            )
        kept_units = np.flatnonzero(signed & brings)
        new_rows = row_of[kept_units]
        cuts = np.searchsorted(kept_units, batch.offsets)
        kept_rows = [new_rows[cuts[i] : cuts[i + 1]] for i in range(len(batch))]
        if replayed and self.stored_texts is not None:
            if len(self.names) != self._n_stored:
                raise RuntimeError("internal error: a stored article added after a new one")
            self._n_stored += len(batch)
        elif self.text_map is None:
            self.texts.extend(texts)
        self.names.extend(names)
        self.dates.extend(dates)
        self._unit_distinct.frombytes(ids.tobytes())
        self.units.extend(records, batch.offsets)
        if replayed:
            self._replayed_signed += len(kept_units)
        if len(kept_units):
            self._sig_ids.append(ids[kept_units])
            # A replayed batch's rows are all kept, in order: they are kept as they are.
            kept = batch.signatures if replayed else batch.signatures[new_rows]
            self._keep_signatures(kept)
        return kept_rows

    def _add_fresh(
        self,
        batch: Prepared,
        texts: Sequence[str],
        names: Sequence[str],
        dates: Sequence[str | None],
    ) -> list[np.ndarray]:
        """`add` of a batch whose units are held and numbered elsewhere, where they are read
        (`run_finder`) and their pairs found (`analyse`'s ``pairs``): per article, how many
        distinct units it brings and how many of those are signed (`FRESH_COUNTS`, a row an
        article). ``batch.signatures`` holds a row (of no values) per signed one, in order:
        each article's rows are returned, and nothing of them is kept."""
        counts = batch.records
        signed = counts["signed"].astype(np.int64)
        if len(counts) != len(batch) or int(signed.sum()) != len(batch.signatures):
            raise RuntimeError("internal error: a batch numbered elsewhere miscounted")
        self._distinct_elsewhere += int(counts["fresh"].sum())
        self._signed_elsewhere += int(signed.sum())
        if self.text_map is None:
            self.texts.extend(texts)
        self.names.extend(names)
        self.dates.extend(dates)
        cuts = np.r_[0, np.cumsum(signed)].tolist()
        return [np.arange(cuts[i], cuts[i + 1], dtype=np.int64) for i in range(len(batch))]

    def forget_units(self) -> None:
        """Drop what the analysis read of every unit (the units, their distinct units and
        clusters, the store's kept pairs and answers), once it is done: what is left is what
        the writing reads (the names and dates, the texts, the stored shared segments, the
        verified pairs and this analysis's answers)."""
        self._distinct = KeyIndex()
        self._distinct_words, self._distinct_order = array("i"), array("Q")
        self._distinct_figures = array("b")
        self._sig_ids, self._unit_distinct, self.units = [], array("q"), UnitTable()
        self._distinct_elsewhere = self._signed_elsewhere = 0
        self._flat_clusters = ([], np.zeros(0, np.int64))
        self.known, self.known_answers = None, None
        self.removed = None
        self._alone = np.zeros(0, dtype=bool)

    def close(self) -> None:
        """Delete the scratch files."""
        self.texts.close()
        if self._sigs is not None:
            self._sigs.close()
        self._sig_bytes = None

    def _keep_signatures(self, rows: np.ndarray) -> None:
        """Keep signature rows, after those kept before (`_take_signatures`)."""
        if self._sig_bytes is None:
            raise RuntimeError("internal error: the signatures were taken by an analysis")
        data = np.ascontiguousarray(rows, dtype=np.uint16).data
        if self._sigs is not None:
            self._sigs.write(data)
        else:
            self._sig_bytes += data

    def map_texts(
        self,
        function: Callable[[str, Any], Any],
        articles: Sequence[int],
        args: Sequence[Any],
        workers: int = 1,
    ) -> list[Any]:
        """``function(text, arg)`` for each article of ``articles``, with its text and its
        ``arg``, in order: where the texts are (`text_map`), or here, by ``workers`` processes.
        The analysis reads text only through this, and only the articles it needs."""
        if self.text_map is not None:
            return self.text_map(function, articles, args)
        # The stored texts asked for are read here, before any process is forked.
        held = self._stored_texts(articles)
        spool, n = self.texts, self._n_stored

        def run(span: tuple[int, int]) -> list[Any]:
            lo, hi = span
            return [
                function(held[a] if a < n else spool[a - n], arg)
                for a, arg in zip(articles[lo:hi], args[lo:hi])
            ]

        shares = _fork_map(run, _spans(len(articles), workers), workers)
        return list(itertools.chain.from_iterable(shares))

    def read_texts(self, articles: Sequence[int]) -> list[str]:
        """The texts of ``articles`` (kept here, not where `text_map` reads them)."""
        held, n = self._stored_texts(articles), self._n_stored
        return [held[a] if a < n else self.texts[a - n] for a in articles]

    def _stored_texts(self, articles: Sequence[int]) -> dict[int, str]:
        """The texts of the stored articles among ``articles`` (`stored_texts`), in one read."""
        stored = sorted({a for a in articles if a < self._n_stored})
        if not stored or self.stored_texts is None:
            return {}
        return dict(zip(stored, self.stored_texts(stored)))

    def _remembered(
        self,
        kind: str,
        salt: bytes,
        function: Callable[[str, Any], Any],
        articles: Sequence[int],
        args: Sequence[np.ndarray],
        workers: int = 1,
        fits: Callable[[np.ndarray, Any], bool] = lambda arg, answer: True,
    ) -> list[Any]:
        """`map_texts`, where an earlier analysis of the store asked the same: an answer is
        kept by a key of ``salt`` (everything else ``function`` reads), the article's name
        (which stands for its text: a stored name never changes its text) and its ``arg`` (an
        array), and only the articles whose key is new are read. A kept answer that does not
        ``fits`` its ``arg`` (a damaged store) is asked again. ``answers[kind]`` keeps this
        analysis's answers (lists, what JSON gives back) for the next."""
        known = (self.known_answers or {}).get(kind, {})
        keys = []
        for a, arg in zip(articles, args):
            name = self.names[a].encode("utf-8", "surrogatepass")
            # The shape and the values as little-endian int64, in C order.
            shape = b"".join(n.to_bytes(8, "little", signed=True) for n in arg.shape)
            data = arg.astype("<i8", copy=False).tobytes()
            keys.append(
                xxhash.xxh3_128_digest(
                    b"".join((salt, len(name).to_bytes(8, "little"), name, shape, data))
                )
            )
        found = [known.get(key) for key in keys]
        todo = [
            i
            for i, (arg, answer) in enumerate(zip(args, found))
            if answer is None or not fits(arg, answer)
        ]
        asked = self.map_texts(
            function, [articles[i] for i in todo], [args[i] for i in todo], workers
        )
        for i, answer in zip(todo, asked):
            found[i] = answer
        self._answered(kind, keys, found)
        return found

    # -- analysis ---------------------------------------------------------------------------

    def analyse(self, pairs: PairFinder | None = None, workers: int = 1) -> Analysis:
        """Find clusters, copies and blocks across every article added.

        ``pairs``, if given, finds the verified pairs of signed units elsewhere (on a cluster's
        workers, which hold the signatures; `PairFinder`), or returns None to have them found
        here, by ``workers`` processes.
        """
        # Every text is written through before any forked process reads texts (`_fork_map`),
        # so that none of them writes the same appends again.
        self.texts.flush()
        # No unit is added once analysed: the ids by key go.
        self._distinct = KeyIndex()
        n_distinct = len(self._distinct_words) + self._distinct_elsewhere
        labels = self._cluster_distinct(pairs, workers)
        if self.read_answers is not None:
            self.known_answers, self.read_answers = self.read_answers(), None
        held: HeldRuns | None = None
        if self.run_finder is None:
            distinct_cluster = np.arange(n_distinct, dtype=np.int64)
            distinct_cluster[labels[0]] = labels[1]
            occ_cluster = self._occurrence_clusters(distinct_cluster)
            del distinct_cluster
            cluster_articles = self._multi_article_clusters(occ_cluster)
        else:
            # Where the units and texts are held (a Dask build's workers, which numbered the
            # units), what is found of them is found there, from the clusters of the
            # distinct units not their own cluster, which go there: each unit's cluster and
            # the clusters two articles carry (`HeldRuns.occurrences`), the copies' heads,
            # profiles and facts, which clusters are backgrounds, the furniture lines, the
            # neighbouring and separated background clusters, and the runs, which stay there.
            held = self.run_finder(labels, self.settings.min_minhash_words, len(self.names))
            cluster_articles = held.occurrences()
            # Every article, its units held there: what the analysis asks of them goes there.
            occ_cluster = _HeldClusters(len(self.names))
        groups, duplicate_of = self._copies(occ_cluster, cluster_articles, workers, held)
        background = self._backgrounds(occ_cluster, groups, cluster_articles, held)
        blocks, columns = self._blocks(occ_cluster, background, cluster_articles, workers, held)
        stats = {
            "distinct_units": n_distinct,
            "clusters": len(cluster_articles),
            "background_clusters": len(background),
        }
        return Analysis(tuple(blocks), tuple(duplicate_of), stats, columns, held)

    def _cluster_distinct(
        self, finder: PairFinder | None, workers: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The distinct units that are not their own cluster (sorted), and each one's cluster:
        the smallest distinct unit in it (short ones are their own cluster). Only the units of
        the verified pairs are clustered (`_linked`), not every distinct unit: where the
        units were numbered elsewhere (a Dask build's workers), this process holds nothing
        of each."""
        s = self.settings
        if self._signed_elsewhere:
            if self.keep_state:
                raise RuntimeError("internal error: a growing store's units numbered elsewhere")
            found = finder(None, None, None) if finder is not None else None
            if found is None:
                raise RuntimeError("internal error: units signed elsewhere, their pairs not")
            # A store that does not grow keeps no pairs: their numbers here are not known.
            self.verified = (self._signed_elsewhere, np.zeros((0, 2), dtype=np.int64))
            return found  # linked where the pairs are
        if not self._sig_ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ids = np.concatenate(self._sig_ids)
        order_key = np.frombuffer(self._distinct_order, dtype=np.uint64)[ids]
        n_words = np.frombuffer(self._distinct_words, dtype=np.int32)[ids]
        known, removed = self.known, self.removed
        grown = (
            known is not None
            and removed is None
            and known[0] == self._replayed_signed
            and len(ids) - known[0] <= _GROWN_SHARE * len(ids)
        )
        shrunk = (
            known is not None
            and removed is not None
            and len(removed[0]) == known[0]
            and len(ids) == self._replayed_signed
            and len(removed[1]) <= _GROWN_SHARE * known[0]
        )
        found = None
        if finder is not None and not grown and not shrunk:
            found = finder(ids, order_key, n_words)
        if found is not None:
            pairs, similarity, keys = found  # of distinct units: those of signed units, kept
            signed = np.searchsorted(ids, pairs) if self.keep_state else pairs[:0]
        else:
            if shrunk:
                renumber, gone_sigs, gone_order = removed
                both = self._take_signatures(len(ids), after=gone_sigs)
                found = shrunk_pairs(both, order_key, n_words, s, known[1], renumber, gone_order)
            elif grown:
                sigs = self._take_signatures(len(ids))
                found = grown_pairs(sigs, order_key, n_words, s, *known)
            else:
                sigs = self._take_signatures(len(ids))
                found = verified_pairs(sigs, order_key, n_words, s, workers)
            signed, similarity = found
            pairs, keys = ids[signed], order_key[signed]
        self.verified = (len(ids), signed if self.keep_state else signed[:0])
        return _linked(pairs, similarity, keys, s.unit_threshold, s.strong_threshold)

    def _take_signatures(self, n: int, after: np.ndarray | None = None) -> np.ndarray:
        """The kept signatures (``n`` rows) as one array, with the rows ``after`` after them;
        the detector keeps none of them once taken. No second copy of them is made: those
        kept in memory are viewed as they are, those spooled are read in place."""
        width = self.settings.num_perm
        extra = 0 if after is None else len(after)
        kept = self._sig_bytes
        if kept is None:
            raise RuntimeError("internal error: the signatures were taken by an analysis")
        self._sig_bytes = None
        if self._sigs is None:
            if extra:
                kept += np.ascontiguousarray(after, dtype=np.uint16).data
            sigs = np.frombuffer(kept, dtype=np.uint16).reshape(-1, width)
            if len(sigs) != n + extra:
                raise RuntimeError("internal error: the kept signatures are cut short")
            return sigs
        sigs = np.empty((n + extra, width), dtype=np.uint16)
        self._sigs.seek(0)
        if self._sigs.readinto(memoryview(sigs[:n]).cast("B")) != sigs[:n].nbytes:
            raise RuntimeError("internal error: the spooled signatures are cut short")
        if extra:
            sigs[n:] = after
        return sigs

    def _occurrence_clusters(self, distinct_cluster: np.ndarray) -> list[np.ndarray]:
        """Per article, the cluster of each unit, or -1: a unit with no words, or a short unit
        glued into a longer line whose words never stand alone on a line in three or more
        articles ("He said." is not furniture; "Advertisement" glued into a one-line article
        is). Units of figures (see `prepare`) are matched by their exact words only."""
        min_words = self.settings.min_minhash_words
        n_words = np.frombuffer(self._distinct_words, dtype=np.int32)
        n = len(self.units)
        whole, offsets = self.units.whole_lines()
        ids = self._distinct_ids()
        article = self.units.articles()
        # The articles in which each distinct unit stands alone on a line, each counted once.
        on_line = (ids >= 0) & whole
        pairs = unique(ids[on_line] * n + article[on_line])
        alone_in = np.bincount(pairs // n, minlength=len(n_words)) if n else np.zeros(0, np.int64)
        alone = alone_in >= _FURNITURE_ARTICLES
        self._alone = alone
        # A unit without words has id -1: index past the end, into a sentinel.
        cluster_of = np.append(distinct_cluster, -1)
        n_words = np.append(n_words, 0)
        figures = np.append(np.frombuffer(self._distinct_figures, dtype=np.int8) > 0, False)
        alone = np.append(alone, False)
        safe = np.where(ids >= 0, ids, len(cluster_of) - 1)
        clusters = cluster_of[safe]
        short = (ids >= 0) & (n_words[safe] < min_words)
        clusters[short & ~whole & ~alone[safe] & ~figures[safe]] = -1
        # Views of one flat array, which `_flat` gives back without copying.
        occ_cluster = np.split(clusters, offsets[1:-1]) if n else []
        self._flat_clusters = (occ_cluster, clusters)
        return occ_cluster

    def _multi_article_clusters(self, occ_cluster: list[np.ndarray]) -> Carriers:
        """The clusters found in two or more articles, with their sorted article indices.
        Every other unit's cluster is set to -1 in place: it is its article's own text."""
        # (cluster, article) pairs, once each, sorted: a numpy pass, not a set per cluster.
        n = len(occ_cluster)
        flat, article_of = self._flat(occ_cluster)
        found = flat >= 0
        code = unique(flat[found] * n + article_of[found])
        cluster, article = code // n, code % n
        starts = np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]][: len(cluster)])
        counts = np.diff(np.r_[starts, len(cluster)])
        multi = counts >= 2
        carried = cluster[starts[multi]]
        keep = isin_sorted(flat, carried)
        flat[~keep] = -1  # and so in ``occ_cluster``, its views
        order = np.frombuffer(self._distinct_order, dtype=np.uint64)[carried]
        figures = np.frombuffer(self._distinct_figures, dtype=np.int8)[carried] != 0
        return Carriers(carried, starts[multi], counts[multi], article, order, figures)

    def _profiles(
        self, articles: Iterable[int], occ_cluster: list[np.ndarray]
    ) -> dict[int, tuple[Counter, int]]:
        """Per article of ``articles``: its characters per shared cluster, and its characters
        in no shared cluster (`profiles_of`: one numpy pass over their units)."""
        chosen = np.array(sorted(articles), dtype=np.int64)
        if not len(chosen):
            return {}
        start, end, _, _, offsets = self.units.arrays()
        return article_profiles(chosen, offsets, self._flat(occ_cluster)[0], start, end)

    def _copies(
        self,
        occ_cluster: list[np.ndarray],
        cluster_articles: Carriers,
        workers: int = 1,
        held: HeldRuns | None = None,
    ) -> tuple[np.ndarray, list[int]]:
        """Copy groups (per article, the smallest article of its group: `_components`, numpy
        arrays, not a Python int per article) and, per article, the article it copies; the
        pairs of pass 2 are judged by ``workers`` processes."""
        s = self.settings
        n = len(self.names)
        head = self._heads(occ_cluster, s.lede_units + _HEAD_EXTRA, held)
        openers = _openers(head, cluster_articles, s.lede_max_articles)
        # A unit found in no other article cannot pair it with a copy: the lede is the first
        # passages it shares (a title or dateline line that a copy glued to its first
        # sentence is found nowhere else), openers left out.
        opener_clusters = np.array(sorted(openers), dtype=np.int64)
        shares = (head >= 0) & ~isin_sorted(head.ravel(), opener_clusters).reshape(head.shape)
        in_lede = shares & (np.cumsum(shares, axis=1) <= s.lede_units)
        article, at = np.nonzero(in_lede)
        found, _ = unique_pairs(head[article, at], article)  # by cluster, then article
        firsts = np.flatnonzero(np.r_[True, found[1:, 0] != found[:-1, 0]][: len(found)])
        members = found[:, 1].tolist()
        lede_articles = {
            c: members[lo:hi]
            for c, lo, hi in zip(found[firsts, 0].tolist(), firsts, [*firsts[1:], len(found)])
        }
        identical = self._identical_pairs(held)
        pairs = self._lede_pairs(lede_articles) | identical
        ordered = sorted(pairs)
        # The articles' profiles, where the units are held (``held``), stay there, and the
        # pairs are judged there (`HeldRuns.verdicts`).
        profiles = (
            self._profiles({a for pair in pairs for a in pair}, occ_cluster) if held is None else {}
        )

        # Pass 1, generous: text one article shares only with third articles is left out, so
        # copies carrying different backgrounds are found; exact copies always are.
        if held is not None:
            rest = [pair for pair in ordered if pair not in identical]
            judged = iter(held.verdicts(np.array(rest, np.int64).reshape(-1, 2), None, s))
            first = [pair in identical or next(judged) for pair in ordered]
        else:
            first = [
                (x, y) in identical or _is_copy(profiles[x], profiles[y], s) for x, y in ordered
            ]
        first_groups = _components(n, _chosen(ordered, first))
        background = self._backgrounds(occ_cluster, first_groups, cluster_articles, held)

        # Pass 2, exact: the backgrounds pass 1 found are left out of both sides; any other
        # text one has and the other lacks counts against the pair (two stories opening with
        # the same line, each with copies of its own, are told apart here). The pairs are
        # judged a share at a time (by ``workers`` processes); those that pass and share
        # passages then need the facts of those passages (`_facts_agree`), read from the texts.
        # A pair whose key (everything its verdict depends on) an earlier analysis of the
        # store judged keeps that verdict: an add judges only the pairs it changed.
        known = (self.known_answers or {}).get("verdicts", {})
        keys: Sequence[bytes | None] = (
            self._pair_keys(ordered, identical, background, occ_cluster)
            if self.keep_state or known
            else [None] * len(ordered)  # neither asked nor kept
        )
        # A kept verdict that is not a bool (a damaged store) is judged again.
        verdicts = [v if type(v := known.get(key)) is bool else None for key in keys]
        todo = [pair for pair, verdict in zip(ordered, verdicts) if verdict is None]
        if held is not None:
            rest = [pair for pair in todo if pair not in identical]
            behind = np.array(sorted(background), dtype=np.int64)
            strict = iter(held.verdicts(np.array(rest, np.int64).reshape(-1, 2), behind, s))
            # The facts too are judged there: only the verdicts come here.
            found = iter([True if pair in identical else next(strict) for pair in todo])
        else:
            judge = functools.partial(self._copies_strict, todo, identical, profiles, background)
            spans = _spans(len(todo), workers)
            judged = list(itertools.chain.from_iterable(_fork_map(judge, spans, workers)))
            passages: dict[int, set[int]] = defaultdict(set)  # per article, those asked
            for (x, y), common in zip(todo, judged):
                if isinstance(common, list):
                    passages[x].update(common)
                    passages[y].update(common)
            facts = self._facts(passages, occ_cluster, workers)
            found = iter(
                common is True
                or (
                    isinstance(common, list)
                    and _facts_agree(facts[x], facts[y], common, s.duplicate_facts)
                )
                for (x, y), common in zip(todo, judged)
            )
        verdicts = [next(found) if verdict is None else verdict for verdict in verdicts]
        self._answered("verdicts", keys, verdicts)
        groups = _components(n, _chosen(ordered, verdicts))
        return groups, self._first_copies(groups)

    def _first_copies(self, groups: np.ndarray) -> list[int]:
        """Per article, the article of its copy group (``groups``) that it copies: the group's
        first by date (the undated last), then by name; -1 for that one, and for an article
        alone. Only the articles with a copy are sorted."""
        sizes = np.bincount(groups, minlength=len(groups))
        copied = np.flatnonzero(sizes[groups] >= 2).tolist()
        dates, names = self.dates, self.names
        copied.sort(key=lambda a: (dates[a] is None, dates[a] or "", names[a]))
        duplicate_of = [-1] * len(groups)
        first: dict[int, int] = {}
        for a, g in zip(copied, groups[copied].tolist()):
            if first.setdefault(g, a) != a:
                duplicate_of[a] = first[g]
        return duplicate_of

    def _answered(self, kind: str, keys: Sequence[Any], answers: Sequence[Any]) -> None:
        """Keep the answers of ``kind`` by their keys, for the next add (`keep_state`)."""
        if self.keep_state:
            self.answers[kind] = dict(zip(keys, answers))

    def _pair_keys(
        self,
        ordered: list[tuple[int, int]],
        identical: set[tuple[int, int]],
        background: set[int],
        occ_cluster: list[np.ndarray],
    ) -> list[bytes]:
        """Per pair of pass 2 of `_copies`, a key (16 bytes) of everything its verdict
        depends on: the settings; per side, its name (which stands for its text and units: a
        stored name never changes its text), the cluster of each of its units and which of
        them are backgrounds; and whether the two are the same words throughout. Asked where the
        units are held elsewhere (a Parquet build), which keeps no answers: never."""
        articles = sorted({a for pair in ordered for a in pair})
        if not articles:
            return []
        behind = self._member(background)
        settings = self.settings.to_json().encode("utf-8")
        side: dict[int, bytes] = {}
        for a in articles:
            clusters = occ_cluster[a]
            digest = xxhash.xxh3_128()
            name = self.names[a].encode("utf-8", "surrogatepass")
            digest.update(len(name).to_bytes(8, "little") + name)
            digest.update(len(clusters).to_bytes(8, "little"))
            digest.update(clusters.astype("<i8", copy=False).tobytes())
            digest.update(np.packbits(behind[clusters]).tobytes())
            side[a] = digest.digest()
        return [
            xxhash.xxh3_128_digest(
                b"".join((side[x], side[y], b"\x01" if (x, y) in identical else b"\x00", settings))
            )
            for x, y in ordered
        ]

    def _heads(
        self, occ_cluster: list[np.ndarray], size: int, held: HeldRuns | None = None
    ) -> np.ndarray:
        """Per article (a row), the clusters (or -1) of its first ``size`` units of
        ``min_minhash_words`` words or more, then -2 (`article_heads`: one numpy pass over
        every unit, here or where the units are held, ``held``)."""
        n, min_words = len(occ_cluster), self.settings.min_minhash_words
        if held is not None:
            return held.heads(size, min_words)
        if not n:
            return np.full((0, size), -2, dtype=np.int64)
        clusters, article = self._flat(occ_cluster)
        # A unit without words has id -1: it reads the appended 0 words.
        n_words = np.append(np.frombuffer(self._distinct_words, dtype=np.int32), 0)
        return article_heads(clusters, article, n_words[self._distinct_ids()], n, size, min_words)

    def _copies_strict(
        self,
        ordered: list[tuple[int, int]],
        identical: set[tuple[int, int]],
        profiles: dict[int, tuple[Counter, int]],
        background: set[int],
        span: tuple[int, int],
    ) -> list[bool | list[int]]:
        """Pass 2 of `_copies` on the pairs ``ordered[span[0]:span[1]]``, but the facts: per
        pair, True (a copy), False (not one), or the passages the two share, backgrounds left
        out, on whose facts it depends (`_facts_agree`; none shared: a copy)."""
        s = self.settings
        return [
            True
            if (x, y) in identical
            else _strict_verdict(profiles[x], profiles[y], background, s)
            for x, y in ordered[span[0] : span[1]]
        ]

    def _facts(
        self, asked: dict[int, set[int]], occ_cluster: list[np.ndarray], workers: int
    ) -> dict[int, dict[int, int]]:
        """Per article of ``asked``, the facts (`_unit_facts`) of each passage asked of it, of
        all its units in that cluster, as a digest (`_passage_facts`), read from the texts by
        ``workers`` processes. (Where the texts and units are held elsewhere, the facts are
        judged there: `HeldRuns.verdicts`.)"""
        articles = sorted(asked)
        start, end, _, _, offsets = self.units.arrays()
        args = [
            passage_units(
                start[offsets[a] : offsets[a + 1]],
                end[offsets[a] : offsets[a + 1]],
                occ_cluster[a],
                asked[a],
            )
            for a in articles
        ]
        found = dict(zip(articles, self.map_texts(_passage_facts, articles, args, workers)))
        # Read here, the units' facts were kept for the passages that recur; no more are read.
        _unit_facts.cache_clear()
        return found

    def _lede_pairs(self, lede_articles: dict[int, list[int]]) -> set[tuple[int, int]]:
        """Pairs of articles whose ledes share a passage (a large bucket: a star and a chain)."""
        buckets = [sorted(set(arts), key=self.names.__getitem__) for arts in lede_articles.values()]
        buckets = [b for b in buckets if len(b) > 1]
        if not buckets:
            return set()
        sizes = np.fromiter(map(len, buckets), dtype=np.int64, count=len(buckets))
        members = np.fromiter(itertools.chain.from_iterable(buckets), np.int64, int(sizes.sum()))
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        found = bucket_pairs(members, starts, sizes, self.settings.max_bucket_pairs)
        low, high = np.minimum(found[:, 0], found[:, 1]), np.maximum(found[:, 0], found[:, 1])
        return set(zip(low.tolist(), high.tolist()))

    def _identical_pairs(self, held: HeldRuns | None = None) -> set[tuple[int, int]]:
        """Pairs of articles whose story units are the same words in the same order (by
        `content_digests` of their distinct units, or of their keys where they are held,
        ``held``, which groups them there): each with the first of them by name."""
        groups: Iterable[list[int]]
        if held is not None:
            groups = held.identical()
        else:
            _, offsets = self.units.whole_lines()
            digests = content_digests(self._distinct_ids(), offsets)
            by_content: dict[bytes, list[int]] = defaultdict(list)
            for a, digest in enumerate(digests):
                if digest is not None:
                    by_content[digest].append(a)
            groups = by_content.values()
        pairs: set[tuple[int, int]] = set()
        for arts in groups:
            arts = sorted(arts, key=self.names.__getitem__)
            pairs.update((min(arts[0], y), max(arts[0], y)) for y in arts[1:])
        return pairs

    def _backgrounds(
        self,
        occ_cluster: list[np.ndarray],
        groups: np.ndarray,
        cluster_articles: Carriers,
        held: HeldRuns | None = None,
    ) -> set[int]:
        """Clusters carried by articles of two or more different stories (``groups``: each
        article's copy group), found where the units are held (``held``) or here
        (`cluster_groups`). A line of figures is never a background: the same results line in
        two companies' reports is a coincidence of numbers, not shared text."""
        if not occ_cluster:
            return set()
        # The clusters of the units: those two or more articles carry.
        labels, figures = cluster_articles.clusters, cluster_articles.figures
        if figures is None:
            raise RuntimeError("internal error: the carried clusters' figures not known")
        figure_labels = labels[figures]  # the clusters of lines of figures
        group_of = np.asarray(groups, dtype=np.int64)
        if held is not None:
            return set(held.cluster_groups(group_of, figure_labels).tolist())
        clusters, article = self._flat(occ_cluster)
        found = cluster_groups(clusters, group_of[article], figure_labels)
        return set(merged_groups(found).tolist())

    def _furniture_lines(
        self, occ_cluster: list[np.ndarray], background: set[int], held: HeldRuns | None = None
    ) -> dict[tuple[str, ...], int]:
        """Short background lines (share widgets, "Advertisement"), by their words: the
        clusters of units under ``min_minhash_words`` words that stand alone on a line (read
        where the units are held, ``held``, or here)."""
        lines: dict[tuple[str, ...], int] = {}
        if not occ_cluster or not background:
            return lines
        if held is not None:
            for key, cluster in held.furniture_lines(np.array(sorted(background), np.int64)):
                if len(key) >= 2 or len(key[0]) >= 8:
                    lines.setdefault(key, cluster)
            return lines
        whole, _ = self.units.whole_lines()
        clusters, article = self._flat(occ_cluster)
        distinct = self._distinct_ids()
        short = (
            np.frombuffer(self._distinct_words, dtype=np.int32) < self.settings.min_minhash_words
        )
        # A unit of a background cluster has words: its distinct id is never -1.
        line = self._member(background)[clusters] & whole
        line[line] &= self._alone[distinct[line]] & short[distinct[line]]
        start, end, _, _, _ = self.units.arrays()
        chosen = np.flatnonzero(line)
        # The units of one distinct unit have the same words: only its first is read.
        _, first = np.unique(distinct[chosen], return_index=True)
        chosen = chosen[np.sort(first)]
        # The chosen units, article by article (units are in article order).
        edges = np.flatnonzero(np.diff(article[chosen])) + 1
        groups = np.split(chosen, edges) if len(chosen) else []
        articles = [int(article[g[0]]) for g in groups]
        args = [list(zip(start[g].tolist(), end[g].tolist())) for g in groups]
        found = self.map_texts(_span_words, articles, args)
        for g, keys in zip(groups, found):
            for u, key in zip(g.tolist(), keys):
                # One common word ("And", "In", "MORE") is no widget name.
                if len(key) >= 2 or len(key[0]) >= 8:
                    lines.setdefault(key, int(clusters[u]))
        return lines

    def _distinct_ids(self) -> np.ndarray:
        """Every unit's distinct unit (-1 for a unit without words), in one flat array."""
        if not self._unit_distinct:
            return np.zeros(0, np.int64)
        return np.frombuffer(self._unit_distinct, dtype=np.int64)

    def _flat(self, occ_cluster: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every unit's cluster in one flat array, the one whose views ``occ_cluster`` is
        (`_occurrence_clusters`), and the article of every unit."""
        views, flat = self._flat_clusters
        if occ_cluster is not views:
            raise RuntimeError("internal error: clusters not made by _occurrence_clusters")
        return flat, self.units.articles()

    def _member(self, clusters: Iterable[int]) -> np.ndarray:
        """A lookup by cluster label: True for ``clusters``; label -1 reads its last entry,
        always False."""
        lookup = np.zeros(len(self._distinct_words) + 1, dtype=bool)
        lookup[np.fromiter(clusters, dtype=np.int64)] = True
        lookup[-1] = False
        return lookup

    def _run_texts(self, runs: _Runs, workers: int = 1) -> None:
        """The text of every run (``runs.wording``): what the rest reads of the articles.

        A stored article whose runs are all where its stored shared segments are takes their
        texts from the stored wordings (`stored_runs`): the text of a stored name never
        changes, nor so the text of its spans. The others are read, a share of the articles
        at a time, so that the runs' texts are never all in memory at once.
        """
        n = len(self.names)
        bounds = runs.bounds(n)
        # Per run, whether its text is a stored wording: a stored segment of its article
        # has its span, and names a wording of that length.
        kept = np.zeros(len(runs.article), dtype=bool)
        found = np.full(len(runs.article), -1, dtype=np.int64)  # per run, its stored segment
        pair_of, pair_texts = np.zeros(0, dtype=np.int64), []
        wordings = self._stored_wordings()
        if wordings is not None:
            s_article, s_start, s_end, s_block, s_wording = self.stored_runs.columns()
            pair_of, pair_texts = self._stored_segment_texts(wordings, s_block, s_wording)
            found = _matched(s_article, s_start, runs.article, runs.start)
            has = np.flatnonzero(found >= 0)
            segment = found[has]
            lengths = np.fromiter(map(len, pair_texts), dtype=np.int64, count=len(pair_texts))
            kept[has] = (s_end[segment] == runs.end[has]) & (
                lengths[pair_of[segment]] == runs.end[has] - runs.start[has]
            )
        # An article is read when one of its runs is not kept (a damaged store's stored
        # wording of another length is read, and refused, `newscorpus.store.Corpus.texts`).
        read = np.zeros(n, dtype=bool)
        read[runs.article[~kept]] = True
        from_store = np.flatnonzero(~read[runs.article])
        if len(from_store):
            pairs = pair_of[found[from_store]]
            used = unique(pairs)
            numbers = np.full(len(pair_texts), -1, dtype=np.int64)
            numbers[used] = runs.numbers(pair_texts[k] for k in used.tolist())
            runs.wording[from_store] = numbers[pairs]
        todo = np.flatnonzero(read).tolist()
        starts, ends = runs.start.tolist(), runs.end.tolist()
        for lo in range(0, len(todo), _TEXT_ARTICLES):
            share = todo[lo : lo + _TEXT_ARTICLES]
            spans = [
                list(zip(starts[bounds[a] : bounds[a + 1]], ends[bounds[a] : bounds[a + 1]]))
                for a in share
            ]
            for a, texts in zip(share, self.map_texts(_span_texts, share, spans, workers)):
                runs.wording[bounds[a] : bounds[a + 1]] = runs.numbers(texts)

    def _stored_segment_texts(
        self, wordings: dict[str, dict[int, str]], block: np.ndarray, wording: np.ndarray
    ) -> tuple[np.ndarray, list[str]]:
        """The stored shared segments' distinct ``(block, wording)`` (their columns of
        `stored_runs`): per segment its number among those, and per number its text, from
        ``wordings``. Every stored article's segments must name a wording the store has,
        whether or not it has runs now: the first article that names another is refused
        (`damaged`)."""
        ids = self.stored_runs.ids
        first, pair_of = first_of_each(block, wording)
        texts, bad = [], []
        for k, (b, w) in enumerate(zip(block[first].tolist(), wording[first].tolist())):
            try:
                texts.append(wordings[ids[b]][w])
            except (KeyError, IndexError, TypeError):
                texts.append("")
                bad.append(k)
        if bad:
            first = int(np.flatnonzero(isin_sorted(pair_of, np.array(bad)))[0])
            article = int(np.searchsorted(self.stored_runs.offsets(), first, side="right")) - 1
            raise self.damaged(article)
        return pair_of, texts

    def _stored_wordings(self) -> dict[str, dict[int, str]] | None:
        """The texts of the stored wordings by block id and wording (`stored_runs`), read
        now, once; None where no article was taken up from a store."""
        if not len(self.stored_runs) or self.read_wordings is None:
            return None
        wordings, self.read_wordings = self.read_wordings(), None
        return wordings

    def _trim_glued(self, runs: _Runs, workers: int = 1) -> None:
        """Cut runs at the block's edges where a unit glued a block to other text (a lost
        sentence break: "... in Atlantic City, N.J. Meanwhile, the minister said ...").
        ``runs`` (`_Runs`, with their texts) are changed in place: their distinct glued
        wordings (`glued_pairs`) are cut (`_cuts`) and the cuts applied (`apply_cuts`)."""
        pairs = glued_pairs(runs, glued_blocks(runs))
        lo_at, hi_at = self._cuts(pairs, workers)
        apply_cuts(runs, pairs.pair_of, lo_at, hi_at)

    def _cuts(self, pairs: GluedPairs, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """`glued_cuts` of ``pairs``, by ``workers`` processes, but of the blocks an earlier
        analysis of the store cut as they are now: its answer is taken.

        A block's cuts depend on its wordings, whether each is in two or more runs (a k-gram
        is the block's from two runs on), and the ends each is cut at: by a key of those, an
        earlier analysis of the store gives them, and only the blocks that changed are cut.
        """
        glued_ends = _glued_ends(pairs.bits)
        by_block = _wordings_by_block(pairs)
        pair_text, runs_with = pairs.text, pairs.runs_with
        salt = json.dumps(["cuts", _CUT_GRAMS]).encode("utf-8")
        keys: dict[int, bytes] = {}
        for b, members in by_block.items():
            digest = xxhash.xxh3_128(salt)
            for i in members:
                text = pair_text[i].encode("utf-8", "surrogatepass")
                ends = glued_ends[i]
                digest.update(len(text).to_bytes(8, "little") + text)
                digest.update(bytes([min(runs_with[i], 2), len(ends)]))
                digest.update(bytes(int(x) for end in ends for x in end))
            keys[b] = digest.digest()
        known = (self.known_answers or {}).get("cuts", {})
        cuts: dict[tuple[int, bool, bool], tuple[int, int]] = {}
        kept: dict[bytes, list] = {}
        for b, members in by_block.items():
            answer = known.get(keys[b])
            if not _fits_cuts(answer, [(pair_text[i], glued_ends[i]) for i in members]):
                continue
            kept[keys[b]] = answer
            for i, found in zip(members, answer):
                for glued_start, glued_end, lo, hi in found:
                    cuts[(i, glued_start, glued_end)] = (lo, hi)
        asked = {b: members for b, members in by_block.items() if keys[b] not in kept}
        cuts.update(_cut_blocks(pairs, glued_ends, asked, workers))
        if self.keep_state:
            self.answers["cuts"] = {
                keys[b]: kept.get(keys[b])
                or [[[*ends, *cuts[(i, *ends)]] for ends in glued_ends[i]] for i in members]
                for b, members in by_block.items()
            }
        return _cut_arrays(len(pairs.block), cuts)

    def _joins(
        self, top: dict[int, str], carriers: Callable[[list[int]], Mapping[int, np.ndarray]]
    ) -> dict[int, int]:
        """Which blocks join another as wordings of one passage: their most frequent
        wordings (``top``) are similar (the units' threshold, over the whole passage) and no
        article carries both. Returns the block each block joined (those that joined
        another); `_merged` joins their wordings. ``carriers`` gives the sorted articles of
        the blocks asked: only of those in a pair similar enough to join (where the runs
        are held, `HeldRuns.carriers`, no others come here).

        A passage reworded sentence by sentence can fall apart into several clusters that share
        no sentence pair above the threshold; over the whole paragraph the wordings still
        resemble each other, and two wordings of one passage do not appear in one article,
        while two passages of one background do.
        """
        s = self.settings
        # Ties (blocks of one most frequent wording) by block: the blocks are numbered from
        # the background clusters, the same wherever the runs were found.
        roots = sorted(top, key=lambda b: (top[b], b))
        if len(roots) < 2:
            return {}
        texts = [top[b] for b in roots]
        sigs, lengths = self._wording_signatures(texts)
        keys = np.array([xxhash.xxh3_64_intdigest(t.encode("utf-8")) for t in texts], np.uint64)
        pairs = candidate_pairs(sigs, s.lsh_bands, s.lsh_rows, keys, s.max_bucket_pairs)
        if not len(pairs):
            return {}
        # A share of the pairs at a time: all at once, both sides' signatures are 1 KB a pair.
        similarity = _pair_similarity(sigs, lengths, pairs, s, _JOIN_BATCH)
        needed = np.where(
            np.minimum(lengths[pairs[:, 0]], lengths[pairs[:, 1]]) < s.short_unit_words,
            s.strong_threshold,
            s.unit_threshold,
        )
        similar = similarity >= needed
        pairs, similarity = pairs[similar], similarity[similar]
        if not len(pairs):
            return {}
        # Only blocks of these pairs can join: theirs are the only carriers asked.
        carried = carriers([roots[i] for i in unique(pairs.ravel()).tolist()])
        uf = _UnionFind(len(roots))
        members = {i: {i} for i in range(len(roots))}
        for k in np.lexsort((pairs[:, 1], pairs[:, 0], -similarity)):
            a, b = uf.find(int(pairs[k, 0])), uf.find(int(pairs[k, 1]))
            if a == b:
                continue
            same_text = texts[int(pairs[k, 0])] == texts[int(pairs[k, 1])]
            if not same_text and any(
                isin_sorted(carried[roots[x]], carried[roots[y]]).any()
                for x in members[a]
                for y in members[b]
            ):
                continue
            uf.union(a, b)
            members[uf.find(a)] = members.pop(a) | members.pop(b)
        target = {roots[i]: roots[uf.find(i)] for i in range(len(roots))}
        return {b: t for b, t in target.items() if b != t}

    def _wording_signatures(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The MinHash signatures of ``texts`` (blocks' most frequent wordings) and their
        numbers of words. An earlier analysis of the store keeps both by a key of the text
        (and the settings that sign it): only the texts it did not sign are signed."""
        s = self.settings
        salt = json.dumps(["signatures", s.shingle_size, s.num_perm, s.seed]).encode("utf-8")
        keys = [xxhash.xxh3_128_digest(salt + t.encode("utf-8", "surrogatepass")) for t in texts]
        known = (self.known_answers or {}).get("signatures", {})
        sigs = np.empty((len(texts), s.num_perm), dtype="<u4")
        lengths = np.empty(len(texts), dtype=np.int64)
        answers = [known.get(key) for key in keys]
        todo = []
        for i, answer in enumerate(answers):
            kept = _kept_signature(answer, s.num_perm)
            if kept is None:
                todo.append(i)
            else:
                lengths[i], sigs[i] = kept
        signer = Signer(s.shingle_size, s.num_perm, s.seed)
        # A share at a time: the words of every wording at once are Python strings (about
        # 450 MB at 1 GB of input, for 90,000 wordings), the signatures alone 46 MB.
        for lo in range(0, len(todo), _SIGN_TEXTS):
            share = todo[lo : lo + _SIGN_TEXTS]
            tokens = [words(texts[i]) for i in share]
            sigs[share] = signer.sign_tokens(tokens)
            lengths[share] = [len(t) for t in tokens]
        if self.keep_state:
            for i in todo:
                answers[i] = [int(lengths[i]), base64.b64encode(sigs[i].tobytes()).decode("ascii")]
            self._answered("signatures", keys, answers)
        return sigs, lengths

    def _mergeable(
        self,
        joined: Counter,
        occ_cluster: list[np.ndarray],
        cluster_articles: Carriers,
        held: HeldRuns | None = None,
    ) -> list[tuple[int, int]]:
        """The joined pairs of background clusters that can be merged into one block, such
        that no block holds two clusters that some article puts in different paragraphs
        (`separated_pairs`, found where the runs are held, ``held``, or here).

        Pairs are taken most often joined first (ties by cluster label), and a pair is refused
        when merging would put two separated clusters in one block.
        """
        if not joined:
            return []
        # Candidate groups: connected components of the joined graph. Separation is only
        # recorded between clusters of one candidate group, which keeps it small.
        pairs = np.array(list(joined), dtype=np.int64)
        nodes = unique(pairs.ravel())
        ends = np.searchsorted(nodes, pairs)
        group = _components(len(nodes), ends)  # per node, its candidate group
        if held is not None:
            found = held.separated(nodes, group)
        else:
            _, _, paragraph, _, _ = self.units.arrays()
            clusters, article = self._flat(occ_cluster)
            found = separated_pairs(clusters, article, paragraph, nodes, group)
        separated = set(zip(found[:, 0].tolist(), found[:, 1].tolist()))
        blocks: dict[int, set[int]] = {c: {c} for c in nodes.tolist()}
        out = []
        # Most often joined first, then by the two clusters' content keys.
        key_one, key_two = (cluster_articles.order_of(pairs[:, i]) for i in (0, 1))
        counts = np.fromiter(joined.values(), dtype=np.int64, count=len(joined))
        ranked = np.lexsort((np.maximum(key_one, key_two), np.minimum(key_one, key_two), -counts))
        for c1, c2 in pairs[ranked].tolist():
            b1, b2 = blocks[c1], blocks[c2]
            if b1 is b2:
                continue
            if any((min(x, y), max(x, y)) in separated for x in b1 for y in b2):
                continue
            merged = b1 | b2
            for c in merged:
                blocks[c] = merged
            out.append((c1, c2))
        return out

    def _runs(
        self,
        occ_cluster: list[np.ndarray],
        block_of: np.ndarray,
        furniture: dict[tuple[str, ...], int],
        workers: int = 1,
    ) -> _Runs:
        """Every article's shared runs (`find_runs`), their texts not read yet; the furniture
        lines glued to units are looked for in the texts (`map_texts`), but where an
        earlier analysis of the store looked already (`_remembered`)."""
        if not occ_cluster:
            return _Runs.empty()
        start, end, paragraph, whole, _ = self.units.arrays()
        clusters, article = self._flat(occ_cluster)
        # What an earlier analysis of the store found is kept: an add reads again only the
        # articles whose loose units, or the furniture lines, changed.
        salt = json.dumps(["glued", self.settings.to_json(), sorted(map(list, furniture.items()))])
        key = xxhash.xxh3_128_digest(salt.encode("utf-8"))

        def search(function: Any, articles: list[int], args: list[np.ndarray], fits: Any) -> list:
            return self._remembered("glued", key, function, articles, args, workers, fits)

        return find_runs(
            (start, end, paragraph, whole, article),
            block_codes(clusters, block_of),
            furniture,
            {c: int(block_of[c]) for c in furniture.values()},
            self.settings.min_minhash_words,
            search,
        )

    def _blocks(
        self,
        occ_cluster: list[np.ndarray],
        background: set[int],
        cluster_articles: Carriers,
        workers: int = 1,
        held: HeldRuns | None = None,
    ) -> tuple[list[FoundBlock], tuple[np.ndarray, ...]]:
        """Join background clusters into blocks and cut each article's shared runs (as
        `Analysis.run_columns`, or held where the units are, ``held``)."""
        # Pairs of different background clusters on neighbouring units of one paragraph, how
        # often they are joined so. Sentences of one background paragraph travel together: a
        # joined pair whose clusters are carried by mostly different articles is two passages
        # that happened to meet (it is kept if the articles carrying both are at least half of
        # those carrying either: a Jaccard of 0.5, in integers).
        together: Counter = Counter()
        behind = np.array(sorted(background), dtype=np.int64)
        if occ_cluster and background:
            carried: np.ndarray | None = None
            if held is not None:
                pairs, counts = held.joined(behind)
                carried = held.carried_both(pairs)
            else:
                _, _, paragraph, _, _ = self.units.arrays()
                clusters, article = self._flat(occ_cluster)
                pairs, counts = joined_pairs(clusters, article, paragraph, behind)
            both, either = cluster_articles.overlaps(pairs, carried)
            kept = 2 * both >= either
            together.update(dict(zip(map(tuple, pairs[kept].tolist()), counts[kept].tolist())))
        index = {c: i for i, c in enumerate(sorted(background))}
        uf = _UnionFind(len(index))
        for c1, c2 in self._mergeable(together, occ_cluster, cluster_articles, held):
            uf.union(index[c1], index[c2])

        furniture = self._furniture_lines(occ_cluster, background, held)
        # The block of each background cluster (``behind``, the order of ``index``).
        block_behind = np.array([uf.find(i) for i in range(len(index))], dtype=np.int64)
        found: list[tuple[str, FoundBlock, int]] = []  # per block, its id, and as the runs name it
        if held is not None:
            # The workers find the runs, cut them and count their wordings, and keep those.
            held.find_runs(
                behind,
                block_behind,
                furniture,
                {c: int(block_behind[index[c]]) for c in furniture.values()},
                self.settings.min_minhash_words,
            )
            # The runs are cut there, and their wordings stay there; what comes here is each
            # block's most frequent wording and how many it has, the carriers of blocks that
            # may join, then all the wordings of blocks joined, and per block once joined how
            # many articles carry it and their first and last dates.
            tops = held.trimmed()
            target = self._joins({b: text for b, (text, _) in tops.items()}, held.carriers)
            group = sorted({*target, *target.values()})
            variants = _merged(held.wordings(group), target)
            summaries = held.summaries(target)
            for block, (text, n) in tops.items():
                if block in target or block in variants:
                    continue  # joined another, or joined by another
                block_id = "b" + xxhash.xxh3_64_hexdigest(text.encode("utf-8"))
                summary = summaries[block]
                found.append((block_id, FoundBlock(block_id, text, (), *summary, n), block))
        else:
            block_of = np.full(len(self._distinct_words) + 1, -1, dtype=np.int64)
            block_of[behind] = block_behind  # label -1 reads the last entry, always -1
            runs = self._runs(occ_cluster, block_of, furniture, workers)
            self._run_texts(runs, workers)
            self._trim_glued(runs, workers)
            variants, carriers, pair_of, pair_block, pair_wording = _variants(runs)
            tops = {b: (_most_frequent(counter), len(counter)) for b, counter in variants.items()}
            target = self._joins({b: text for b, (text, _) in tops.items()}, lambda asked: carriers)
            variants = _merged(variants, target)
            summaries = carried_summaries(carriers, target, self.dates)
        for block, counter in variants.items():
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            canonical = ranked[0][0]  # the most frequent (`_most_frequent`)
            block_id = "b" + xxhash.xxh3_64_hexdigest(canonical.encode("utf-8"))
            found.append(
                (
                    block_id,
                    FoundBlock(block_id, canonical, tuple(ranked), *summaries[block]),
                    block,
                )
            )
        # Most carried first, then by id (then by block: the same wherever the runs were found):
        # a deterministic order.
        found.sort(key=lambda t: (-t[1].articles, t[0], t[2]))
        position = {block: i for i, (_, _, block) in enumerate(found)}
        blocks = [fb for _, fb, _ in found]
        named = list(tops)  # the blocks as the runs name them, before any joins
        if held is not None:
            # Per block as the runs name it, the position of the block it is, or joined; the
            # wordings of the blocks joined, ranked: the workers rank the others' and number
            # them by their places among the block's variants.
            held.place(
                {b: position[target.get(b, b)] for b in named},
                {block: fb.variants for _, fb, block in found if fb.variants},
            )
            return blocks, (np.zeros(0, dtype=np.int64),) * 5
        # Per block as the runs name it, the position and the variants' numbers of the block
        # it is, or joined.
        number = {t: {w: i for i, (w, _) in enumerate(fb.variants)} for _, fb, t in found}
        place = {b: (position[t], number[t]) for b in named for t in [target.get(b, b)]}
        # Per distinct (block, wording) of the runs, the block's position and the wording's
        # number there; per run, those of its (block, wording).
        at = np.array([place[b][0] for b in pair_block], dtype=np.int64)
        variant = np.array(
            [place[b][1][runs.texts[w]] for b, w in zip(pair_block, pair_wording)],
            dtype=np.int64,
        )
        columns = (runs.article, runs.start, runs.end, at[pair_of], variant[pair_of])
        return blocks, columns


# Where the verified pairs of signed units are found (`Detector.analyse`): called with the
# signed units' distinct ids (increasing), order keys and word counts, it returns the pairs
# that `verified_pairs` finds on their signatures, as pairs of distinct ids, with their
# similarity and the order keys of each pair's two units; or None, to have them found here.
# Called with None each (the units were numbered where they are held, and the store keeps no
# pairs), it returns the clusters `_linked` makes of those pairs, linked there.
PairFinder = Callable[
    [np.ndarray | None, np.ndarray | None, np.ndarray | None],
    "tuple[np.ndarray, np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray] | None",
]
# Where the texts are (`Detector.map_texts`): called with a function, articles and an argument
# for each, it returns ``function(text, arg)`` for each article, in order.
TextMap = Callable[[Callable[[str, Any], Any], Sequence[int], Sequence[Any]], list[Any]]


class HeldRuns(Protocol):
    """Every article's units, with the cluster of each, and its shared runs once found, with
    their texts, held where the articles are (`Detector.run_finder`): the analysis asks for
    what the blocks are made of."""

    #: The characters of the runs once cut (`trimmed`).
    shared_chars: int

    def heads(self, size: int, min_words: int) -> np.ndarray:
        """`article_heads` of every article, in order."""

    def identical(self) -> list[list[int]]:
        """The groups of two or more articles of one `content_digests` of their units' keys
        (a unit without words as one key of its own), in any order."""

    def verdicts(
        self, pairs: np.ndarray, background: np.ndarray | None, settings: Settings
    ) -> list[bool]:
        """Per pair of articles (rows ``x < y``), judged on their `profiles_of`: pass 1 of
        `Detector._copies` (`_is_copy`), or with the ``background`` clusters (sorted), pass 2
        (`_strict_verdict`), a pair that shares passages a copy if their `_passage_facts`
        agree (`_facts_agree`)."""

    def cluster_groups(self, groups: np.ndarray, figures: np.ndarray) -> np.ndarray:
        """`merged_groups` of the `cluster_groups` of all the units, each article's copy
        group given (``groups``) and the labels of the clusters of lines of figures
        (``figures``): the clusters of two or more groups, sorted."""

    def occurrences(self) -> Carriers:
        """Each unit's cluster, as `Detector._occurrence_clusters` and
        `_multi_article_clusters` make them, held there; the clusters two or more articles
        carry, with their articles."""

    def furniture_lines(self, background: np.ndarray) -> Iterator[tuple[tuple[str, ...], int]]:
        """The words and cluster of each furniture line's unit (`Detector._furniture_lines`,
        of the ``background`` clusters, sorted), the first of each distinct unit only, in
        order."""

    def joined(self, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`joined_pairs` of all the units."""

    def carried_both(self, pairs: np.ndarray) -> np.ndarray:
        """Per pair of clusters (the rows of ``pairs``), how many articles carry both
        (as `Carriers.overlaps`)."""

    def separated(self, nodes: np.ndarray, group: np.ndarray) -> np.ndarray:
        """`separated_pairs` of all the units."""

    def find_runs(
        self,
        background: np.ndarray,
        blocks: np.ndarray,
        furniture: dict[tuple[str, ...], int],
        furniture_blocks: dict[int, int],
        min_words: int,
    ) -> None:
        """Find the runs (`find_runs`, with `sparse_block_codes` of ``background``, sorted,
        in ``blocks``), with their texts (`runs_with_texts`), and hold them."""

    def trimmed(self) -> dict[int, tuple[str, int]]:
        """The runs cut where a unit glued their block to other text (as `Detector._trim_glued`
        cuts them: the distinct wordings of the blocks with a glued run, `glued_pairs`, cut
        by `glued_cuts`), and per block its wordings counted (as `_variants`) and its
        carriers, held there; here, per block its most frequent wording (ties: the smallest
        text) and how many it has."""

    def carriers(self, blocks: list[int]) -> dict[int, np.ndarray]:
        """Of ``blocks`` (as the runs name them), each one's articles, sorted."""

    def summaries(self, target: dict[int, int]) -> dict[int, tuple[int, str | None, str | None]]:
        """Per block once joined (``target``: the block each block joined), as
        `carried_summaries`: how many articles carry it, and their first and last dates."""

    def wordings(self, blocks: Sequence[int]) -> dict[int, Counter]:
        """Of ``blocks``, each one's wordings with the articles carrying each."""

    def place(self, place: dict[int, int], ranked: dict[int, tuple[tuple[str, int], ...]]) -> None:
        """Where each block of the runs (as they name it) is placed: its position among the
        blocks found; and the variants of each block that others joined (``ranked``, most
        carried first). A wording's number is its place among its block's variants, most
        carried first (ties: the smallest text)."""


# Where the texts and the units are, numbered there (`Detector.run_finder`): called with the
# distinct units that are not their own cluster (sorted) and their clusters, the settings'
# ``min_minhash_words`` and the number of articles (those held there, checked), it holds the
# units' clusters there, with the articles (`HeldRuns`).
RunFinder = Callable[[tuple[np.ndarray, np.ndarray], int, int], HeldRuns]


class _HeldClusters(Sequence[np.ndarray]):
    """In place of every article's units' clusters (`Detector._occurrence_clusters`) where
    the units are held elsewhere (`HeldRuns`): as many as the articles, none read here."""

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index: Any) -> Any:
        raise RuntimeError("internal error: the units' clusters are held where the units are")


def verified_pairs(
    sigs: np.ndarray,
    order_key: np.ndarray,
    n_words: np.ndarray,
    s: Settings,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)``, ``i < j``, sorted, of signature rows that share an LSH band and
    pass verification (`similarity` at ``s.unit_threshold`` or more), with their similarity.

    Candidates are verified band by band and only those that pass are kept: most candidates
    of a 64-band LSH are pairs with a common phrase or two, whose number grows with the square
    of the corpus (1.7 million at 100 MB, 85% failing), so they are never held all at once.
    With ``workers`` > 1 (and ``fork``), that many processes take the bands between them; the
    pairs are the same.
    """
    n = len(sigs)
    step = -(-s.lsh_bands // (2 * workers))
    ranges = [(lo, min(lo + step, s.lsh_bands)) for lo in range(0, s.lsh_bands, step)]
    passing = functools.partial(_passing, sigs, order_key, n_words, s)
    parts = _fork_map(passing, ranges if n > 1 else [], workers)
    codes = unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    pairs = decode_pairs(codes, n)
    return pairs, _pair_similarity(sigs, n_words, pairs, s)


def grown_pairs(
    sigs: np.ndarray,
    order_key: np.ndarray,
    n_words: np.ndarray,
    s: Settings,
    n_old: int,
    old_pairs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`verified_pairs` of all signature rows, from ``old_pairs``, those of the first ``n_old``
    rows: the LSH bands only the buckets the added rows join (`grown_candidates`), and only
    pairs with an added row are verified. The same pairs, with the same similarity."""
    n = len(sigs)
    kept = pair_codes(old_pairs, n) if len(old_pairs) else np.zeros(0, dtype=np.int64)
    added, lost = grown_candidates(
        sigs, s.lsh_bands, s.lsh_rows, order_key, s.max_bucket_pairs, n_old, among=kept
    )
    kept = kept[~isin_sorted(kept, lost)]
    candidates = decode_pairs(added, n)
    passed = added[_pair_similarity(sigs, n_words, candidates, s) >= s.unit_threshold]
    pairs = decode_pairs(union(kept, passed), n)
    return pairs, _pair_similarity(sigs, n_words, pairs, s)


def shrunk_pairs(
    both: np.ndarray,
    order_key: np.ndarray,
    n_words: np.ndarray,
    s: Settings,
    old_pairs: np.ndarray,
    renumber: np.ndarray,
    gone_order: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`verified_pairs` of the signature rows left by a remove, from ``old_pairs``, those of
    the rows before it: ``both`` holds the rows left (``len(order_key)`` of them, with their
    ``order_key`` and ``n_words``), then the gone rows (with their ``gone_order``);
    ``renumber`` gives each old row's number now (-1 for a row gone).

    Removing rows never makes two rows left stop being candidates: a small bucket pairs all
    its members, and in a large one (`candidate_pairs`) rows next to each other in the chain
    stay next to each other, the star's first member stays first or gives way to the next.
    Pairs appear: the rows on both sides of a gone one in a chain, a new star, a bucket that
    becomes small. Those are what `grown_candidates` finds lost when the gone rows join the
    rows left; only they are verified. They are not checked against the other bands: a pair
    that stays a candidate in one of them and passes is among ``old_pairs`` already. The same
    pairs, with the same similarity."""
    n = len(order_key)
    _, appearing = grown_candidates(
        both,
        s.lsh_bands,
        s.lsh_rows,
        np.concatenate([order_key, gone_order]),
        s.max_bucket_pairs,
        n,
        checked=False,
    )
    kept = renumber[old_pairs] if len(old_pairs) else np.zeros((0, 2), dtype=np.int64)
    kept = pair_codes(kept[(kept >= 0).all(axis=1)], n)
    candidates = decode_pairs(appearing, len(both))  # rows left only
    similar = _pair_similarity(both, n_words, candidates, s) >= s.unit_threshold
    pairs = decode_pairs(union(kept, pair_codes(candidates[similar], n)), n)
    return pairs, _pair_similarity(both, n_words, pairs, s)


def _passing(
    sigs: np.ndarray, order_key: np.ndarray, n_words: np.ndarray, s: Settings, only: tuple
) -> np.ndarray:
    """The codes (`pair_codes`) of the candidate pairs of bands ``only`` that pass, sorted.

    A pair similar enough to pass shares many bands (at a Jaccard of 0.5, 16 of 64 on
    average), so it is verified in the first band that finds it and skipped in the others:
    on the 10 MB suite corpus, 88% of the candidates of all bands are pairs that passed before.
    """
    n = len(sigs)
    passed = np.zeros(0, dtype=np.int64)
    bands = band_pairs(sigs, s.lsh_bands, s.lsh_rows, order_key, s.max_bucket_pairs, only)
    for candidates in bands:
        codes = pair_codes(candidates, n)
        new = ~isin_sorted(codes, passed)
        candidates, codes = candidates[new], codes[new]
        found = []
        for lo in range(0, len(candidates), _VERIFY_BATCH):
            p = candidates[lo : lo + _VERIFY_BATCH]
            passed_here = similarity(
                sigs[p[:, 0]], sigs[p[:, 1]], n_words[p[:, 0]], n_words[p[:, 1]], s
            )
            found.append(codes[lo : lo + _VERIFY_BATCH][passed_here >= s.unit_threshold])
        if found:
            # A merge of two sorted arrays: one copy of ``passed``, not a sort.
            fresh = unique(np.concatenate(found))
            passed = np.insert(passed, np.searchsorted(passed, fresh), fresh)
    return passed


def _fork_map(function: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    """``[function(item) for item in items]``, shared by up to ``workers`` forked processes,
    which see this process's memory as it is (nothing of it is pickled, only the items and
    the results); in this process when ``workers`` is 1 or the system cannot fork.

    A process that dies (the kernel's OOM killer, a SIGKILL) fails it with `EngineError`: an
    executor, not a `multiprocessing.Pool`, which waits for a dead process's share for ever."""
    global _FORKED
    if workers <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    _FORKED = function
    pool = concurrent.futures.ProcessPoolExecutor(
        min(workers, len(items)), mp_context=multiprocessing.get_context("fork")
    )
    try:
        return list(pool.map(_call_forked, items))
    except concurrent.futures.process.BrokenProcessPool as error:
        raise EngineError(f"a process of the analysis died ({error})") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _FORKED = None


_FORKED: Callable[[Any], Any] | None = None


def _spans(n: int, workers: int) -> list[tuple[int, int]]:
    """``range(n)`` in consecutive spans for `_fork_map`: four per worker, so that a slow span
    does not leave the other workers idle.

    >>> _spans(10, 1), _spans(0, 2)
    ([(0, 3), (3, 6), (6, 9), (9, 10)], [])
    """
    step = max(1, -(-n // (4 * workers)))
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def _call_forked(item: Any) -> Any:
    """`_fork_map`'s function, in a forked process."""
    if _FORKED is None:
        raise RuntimeError("_fork_map did not set the function")
    return _FORKED(item)


def _pair_similarity(
    sigs: np.ndarray, n_words: np.ndarray, pairs: np.ndarray, s: Settings, batch: int = 0
) -> np.ndarray:
    """`similarity` of each of ``pairs`` (rows of ``sigs``), ``batch`` pairs at a time
    (`_VERIFY_BATCH` unless given)."""
    batch = batch or _VERIFY_BATCH
    return np.concatenate(
        [
            similarity(sigs[p[:, 0]], sigs[p[:, 1]], n_words[p[:, 0]], n_words[p[:, 1]], s)
            for p in (pairs[lo : lo + batch] for lo in range(0, len(pairs), batch))
        ]
        or [np.zeros(0)]
    )


def similarity(
    sig_a: np.ndarray, sig_b: np.ndarray, words_a: np.ndarray, words_b: np.ndarray, s: Settings
) -> np.ndarray:
    """Estimated Jaccard of signature rows ``sig_a[k]`` and ``sig_b[k]``. A short sentence
    shares a few word triples with a templated one by chance ("X said it expects to report a
    loss"): a pair with a short unit (under ``s.short_unit_words``) counts only when strongly
    similar (else 0)."""
    found = (sig_a == sig_b).mean(axis=1)
    shortest = np.minimum(words_a, words_b)
    found[(shortest < s.short_unit_words) & (found < s.strong_threshold)] = 0.0
    return found


def _passage_facts(text: str, units: list[tuple[int, int, int]]) -> dict[int, int]:
    """The facts (`_unit_facts`) of an article's units ``(start, end, cluster)``, joined per
    cluster (`Detector._facts`): per cluster that has any, a 128-bit digest of them (an int),
    which is all `_facts_agree` compares (a few bytes a passage, where its set of facts took
    hundreds, and are sent back from where the texts are)."""
    found: dict[int, set[str]] = {}
    for start, end, c in units:
        facts = _unit_facts(text[start:end])
        if c in found:
            found[c] |= facts
        else:
            found[c] = set(facts)
    # A fact holds no NUL (`_FACT`): sets of facts joined by it are the same only if equal.
    return {
        c: xxhash.xxh3_128_intdigest("\x00".join(sorted(facts)).encode("utf-8", "surrogatepass"))
        for c, facts in found.items()
        if facts
    }


def _facts_agree(
    facts_x: dict[int, int],
    facts_y: dict[int, int],
    common: list[int],
    share: float,
) -> bool:
    """Copies of one story carry the same facts: figures and names. Two reports made from
    one template ("Egypt has been authorized to purchase about 200,000 tonnes of U.S.
    wheat ..." and "Zaire ... 30,000 tonnes of U.S. rice ...", or "Bank of New York said
    it raised its prime lending rate ..." and "Security Pacific ... said they increased
    ...") do not. Of the ``common`` passages (backgrounds left out) that hold figures or
    capitalised words past their first word on both sides, at least ``share`` must hold the
    same ones (``facts_*``: `_passage_facts`)."""
    with_facts = [c for c in common if c in facts_x and c in facts_y]
    if not with_facts:
        return True
    same = sum(1 for c in with_facts if facts_x[c] == facts_y[c])
    return same >= share * len(with_facts)


def _glued_furniture(
    furniture: dict[tuple[str, ...], int],
    first_words: set[str],
    max_words: int,
    text: str,
    spans: np.ndarray,
) -> list[tuple[int, int, int]]:
    """Of the units of ``text`` whose starts and ends are ``spans`` (two rows), those that
    start with a furniture line glued to them (`_furniture_prefix`): their positions in
    ``spans``, with where the line ends and its cluster."""
    found = []
    first_word = _WORDS.search
    # A unit that starts with an ASCII letter, digit or underscore starts its first word with
    # it, whose lower case starts that word's: where no first word of a line starts so, the
    # unit is ruled out at its first character, before its first word is searched for.
    ruled_out = _ruled_out(tuple(sorted(first_words)))
    for i, (start, end) in enumerate(zip(spans[0].tolist(), spans[1].tolist())):
        if text[start : start + 1] in ruled_out:
            continue
        # Most units are ruled out at their first word, here rather than in a call.
        word = first_word(text, start, end)
        if word is None or word.group().lower() not in first_words:
            continue
        prefix = _furniture_prefix(text, start, end, furniture, first_words, max_words)
        if prefix is not None:
            found.append((i, *prefix))
    return found


def _kept_signature(answer: Any, num_perm: int) -> tuple[int, np.ndarray] | None:
    """A kept answer of `Detector._wording_signatures` (a number of words and a signature
    in base64) as the two, or None if it is not one (a damaged store)."""
    if not (
        isinstance(answer, list)
        and len(answer) == 2
        and type(answer[0]) is int
        and answer[0] >= 0
        and isinstance(answer[1], str)
    ):
        return None
    try:
        raw = base64.b64decode(answer[1], validate=True)
    except ValueError:
        return None
    if len(raw) != 4 * num_perm:
        return None
    return answer[0], np.frombuffer(raw, dtype="<u4")


def _fits_cuts(answer: Any, asked: list[tuple[str, list[tuple[bool, bool]]]]) -> bool:
    """Whether a kept answer of `Detector._trim_glued` gives, for each wording of a block
    ``asked`` (its text and the glued ends it is cut at, in order), a cut at each of those
    ends, in that order, within the text (not so in a damaged store)."""
    if type(answer) is not list or len(answer) != len(asked):
        return False
    for found, (text, ends) in zip(answer, asked):
        if type(found) is not list or len(found) != len(ends):
            return False
        for cut, (glued_start, glued_end) in zip(found, ends):
            if not (
                type(cut) is list
                and len(cut) == 4
                and cut[0] is glued_start
                and cut[1] is glued_end
                and type(cut[2]) is int
                and type(cut[3]) is int
                and 0 <= cut[2] <= cut[3] <= len(text)
            ):
                return False
    return True


@functools.lru_cache(maxsize=16)
def _ruled_out(first_words: tuple[str, ...]) -> frozenset[str]:
    """The ASCII word characters (`_WORDS`) whose lower case starts none of ``first_words``."""
    leads = {w[:1] for w in first_words}
    return frozenset(
        c for c in map(chr, range(128)) if _WORDS.match(c) is not None and c.lower() not in leads
    )


def _span_words(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, ...]]:
    """The normalised words (`words`) of each span ``(start, end)`` of ``text``."""
    return [tuple(words(text[start:end])) for start, end in spans]


def same_segments(
    stored: SegmentTable,
    columns: Sequence[np.ndarray],
    ids: Sequence[str],
    keys: Sequence[Sequence[int]],
) -> np.ndarray:
    """Per stored article (of ``stored``), whether its runs (``columns``:
    `Analysis.run_columns`) are its stored shared segments: the same spans, block ids
    (``ids``, by block) and wordings (``keys``: per block, each variant's key), in order.

    >>> table = SegmentTable()
    >>> table.extend(np.array([1, 1, 0]), [0, 2], [5, 4], ["b1", "b1"], [70, 71])
    >>> runs = [np.array(c) for c in ([0, 1, 3], [0, 2, 0], [5, 4, 9], [0, 0, 0], [0, 0, 1])]
    >>> same_segments(table, runs, ["b1"], [[70, 71]]).tolist()
    [True, False, True]
    """
    s_article, s_start, s_end, s_block, s_wording = stored.columns()
    article, start, end, block, variant = columns
    n = len(stored)
    # Each block's id as the table numbers it (-1: none of its segments named it), and each
    # run's wording's key.
    code = {b: i for i, b in enumerate(stored.ids)}
    block_code = np.array([code.get(b, -1) for b in ids], dtype=np.int64)
    sizes = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    flat_keys = np.fromiter(itertools.chain.from_iterable(keys), np.int64, int(sizes.sum()))
    first_key = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    mine = np.flatnonzero(article < n)
    old_bounds = stored.offsets()
    new_bounds = np.searchsorted(article, np.arange(n + 1))
    same = np.diff(new_bounds) == np.diff(old_bounds)
    # Where the counts agree, the run k of an article against its stored segment k.
    run = mine[same[article[mine]]]
    at = old_bounds[article[run]] + run - new_bounds[article[run]]
    differs = (
        (s_start[at] != start[run])
        | (s_end[at] != end[run])
        | (s_block[at] != block_code[block[run]])
        | (s_wording[at] != flat_keys[first_key[block[run]] + variant[run]])
    )
    same[article[run[differs]]] = False
    return same


def _matched(
    article: np.ndarray, start: np.ndarray, run_article: np.ndarray, run_start: np.ndarray
) -> np.ndarray:
    """Per run (``run_article``, ``run_start``), the stored segment (``article``,
    ``start``: within an article, none starts where another does) that starts where it does,
    or -1.

    >>> stored = np.array([0, 0, 2]), np.array([5, 9, 5])
    >>> _matched(*stored, np.array([0, 1, 2]), np.array([9, 5, 5])).tolist()
    [1, -1, 2]
    """
    n = len(article)
    both_article = np.concatenate([article, run_article])
    both_start = np.concatenate([start, run_start])
    is_run = np.r_[np.zeros(n, dtype=bool), np.ones(len(run_article), dtype=bool)]
    order = np.lexsort((is_run, both_start, both_article))
    before, after = order[:-1], order[1:]
    same = (
        (both_article[before] == both_article[after])
        & (both_start[before] == both_start[after])
        & ~is_run[before]
        & is_run[after]
    )
    found = np.full(len(run_article), -1, dtype=np.int64)
    found[after[same] - n] = before[same]
    return found


def sparse_block_codes(
    clusters: np.ndarray, background: np.ndarray, blocks: np.ndarray
) -> np.ndarray:
    """`block_codes`, the blocks given for the ``background`` clusters (sorted) only."""
    at = np.minimum(np.searchsorted(background, clusters), max(len(background) - 1, 0))
    found = (background[at] == clusters) if len(background) else np.zeros(len(clusters), bool)
    codes = np.where(found, blocks[at] if len(blocks) else -1, -1).astype(np.int64)
    codes[clusters < 0] = -2
    return codes


def article_heads(
    clusters: np.ndarray,
    article: np.ndarray,
    n_words: np.ndarray,
    n: int,
    size: int,
    min_words: int,
) -> np.ndarray:
    """Per article of ``n`` (a row), the clusters (``clusters``, or -1) of its first ``size``
    units (of ``article``, in order) of ``min_words`` words (``n_words``) or more, then -2."""
    head = np.full((n, size), -2, dtype=np.int64)
    kept = np.flatnonzero(n_words >= min_words)
    owner = article[kept]
    rank = np.arange(len(kept)) - np.searchsorted(owner, owner)
    first = rank < size
    head[owner[first], rank[first]] = clusters[kept[first]]
    return head


def content_digests(codes: np.ndarray, offsets: np.ndarray) -> list[bytes | None]:
    """Per article (its units ``offsets[i]:offsets[i + 1]``), a 128-bit digest of its units'
    codes in order (``codes``: a row per unit, the same row for the same words), or None
    for an article without units: articles whose story units are the same words in the same
    order have one digest."""
    raw = np.ascontiguousarray(codes).view(np.uint8).ravel()
    data, width = memoryview(raw), len(raw) // len(codes) if len(codes) else 0
    return [
        xxhash.xxh3_128_digest(data[lo * width : hi * width]) if hi > lo else None
        for lo, hi in itertools.pairwise(offsets.tolist())
    ]


def article_profiles(
    chosen: np.ndarray, offsets: np.ndarray, clusters: np.ndarray, start: Any, end: Any
) -> dict[int, tuple[Counter, int]]:
    """`profiles_of` the ``chosen`` articles (sorted), from every unit's cluster (or -1) and
    span (``start``, ``end``), each article's units from ``offsets``: its range of these."""
    counts = offsets[chosen + 1] - offsets[chosen]
    units = ranges(offsets[chosen], counts)
    chars = (end[units] - start[units]).astype(np.int64)
    return profiles_of(chosen, np.repeat(chosen, counts), clusters[units], chars)


def profiles_of(
    chosen: np.ndarray, article: np.ndarray, clusters: np.ndarray, chars: np.ndarray
) -> dict[int, tuple[Counter, int]]:
    """Per article of ``chosen`` (sorted): its characters per shared cluster, and its
    characters in no shared cluster, from its units (``article``, ``clusters`` or -1,
    ``chars``)."""
    alone = clusters < 0
    own = np.bincount(np.searchsorted(chosen, article[alone]), chars[alone], len(chosen))
    shared = ~alone
    base = int(clusters.max()) + 1 if len(clusters) else 1
    keys, inverse = np.unique(article[shared] * base + clusters[shared], return_inverse=True)
    sums = np.bincount(inverse.ravel(), chars[shared], len(keys)).astype(np.int64)
    shared_of: dict[int, Counter] = {a: Counter() for a in chosen.tolist()}
    for a, c, n in zip((keys // base).tolist(), (keys % base).tolist(), sums.tolist()):
        shared_of[a][c] = n
    return {a: (shared_of[a], n) for a, n in zip(chosen.tolist(), own.astype(np.int64).tolist())}


def passage_units(
    starts: np.ndarray, ends: np.ndarray, clusters: np.ndarray, wanted: Iterable[int]
) -> list[tuple[int, int, int]]:
    """An article's units ``(start, end, cluster)`` in the ``wanted`` clusters, in order:
    what `_passage_facts` reads."""
    chosen = np.flatnonzero(np.isin(clusters, np.fromiter(wanted, dtype=np.int64)))
    return list(zip(starts[chosen].tolist(), ends[chosen].tolist(), clusters[chosen].tolist()))


def cluster_groups(clusters: np.ndarray, groups: np.ndarray, figures: np.ndarray) -> np.ndarray:
    """Per shared cluster of the units (``clusters``, -1 for none; ``groups``: each unit's
    article's copy group) but those of lines of figures (``figures``: their labels, sorted),
    one row ``(cluster, group, more)``: a group of its articles, and whether they are of two
    groups or more; sorted by cluster (`merged_groups` makes several of these one)."""
    kept = (clusters >= 0) & ~isin_sorted(clusters, figures)
    # Each (cluster, group) once, sorted by cluster: a cluster found twice has two groups.
    pairs, _ = unique_pairs(clusters[kept], groups[kept])
    if not len(pairs):
        return np.zeros((0, 3), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]])
    more = np.diff(np.r_[starts, len(pairs)]) > 1
    return np.column_stack((pairs[starts], more)).astype(np.int64)


def merged_groups(found: np.ndarray) -> np.ndarray:
    """The clusters of two or more groups, sorted, of rows of `cluster_groups` (of parts of
    the units, concatenated): those of two or more groups in a part, or of two different
    groups in two parts."""
    if not len(found):
        return np.zeros(0, dtype=np.int64)
    pairs = np.unique(found[:, :2], axis=0)  # by cluster, then group
    twice = pairs[1:, 0][pairs[1:, 0] == pairs[:-1, 0]]
    return unique(np.r_[twice, found[found[:, 2] > 0, 0]].astype(np.int64))


def joined_pairs(
    clusters: np.ndarray, article: np.ndarray, paragraph: np.ndarray, background: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(low, high)`` of different ``background`` clusters (sorted) on neighbouring
    units of one paragraph of whole articles' units (``clusters``, with their ``article`` and
    ``paragraph``), sorted, each with how often it is so joined."""
    on = isin_sorted(clusters, background)
    c1, c2 = clusters[:-1], clusters[1:]
    next_to = (
        on[:-1]
        & on[1:]
        & (c1 != c2)
        & (article[1:] == article[:-1])
        & (paragraph[1:] == paragraph[:-1])
    )
    return unique_pairs(np.minimum(c1, c2)[next_to], np.maximum(c1, c2)[next_to])


def separated_pairs(
    clusters: np.ndarray,
    article: np.ndarray,
    paragraph: np.ndarray,
    nodes: np.ndarray,
    group: np.ndarray,
) -> np.ndarray:
    """Pairs ``(low, high)`` of clusters of ``nodes`` (sorted) in one candidate group
    (``group``, per node) that an article (of whole articles' units: ``clusters``, with their
    ``article`` and ``paragraph``) puts in two paragraphs, sorted, each once."""
    chosen = np.flatnonzero(isin_sorted(clusters, nodes))
    # The chosen units by article and candidate group, each in text order; every two of
    # one article and group, of two clusters in two paragraphs, separate their clusters.
    cluster, par = clusters[chosen], paragraph[chosen]
    where = article[chosen], group[np.searchsorted(nodes, cluster)]
    order = np.lexsort((chosen, where[1], where[0]))
    cluster, par = cluster[order], par[order]
    same = (where[0][order][1:] == where[0][order][:-1]) & (
        where[1][order][1:] == where[1][order][:-1]
    )
    starts = np.flatnonzero(np.r_[True, ~same])
    sizes = np.diff(np.r_[starts, len(order)])
    # Each unit with every one after it in its article and group.
    after = np.repeat(sizes, sizes) - (np.arange(len(order)) - np.repeat(starts, sizes)) - 1
    first = np.repeat(np.arange(len(order)), after)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after)
    apart = (cluster[first] != cluster[second]) & (par[first] != par[second])
    low = np.minimum(cluster[first], cluster[second])[apart]
    high = np.maximum(cluster[first], cluster[second])[apart]
    return unique_pairs(low, high)[0]


def block_codes(clusters: np.ndarray, block_of: np.ndarray) -> np.ndarray:
    """Per unit, what `find_runs` reads of its cluster (``clusters``, -1 for none): its block
    (``block_of``, by cluster), or -1 in a cluster of no block, or -2 in no cluster."""
    codes = block_of[clusters]
    codes[(clusters < 0) & (codes < 0)] = -2
    return codes


def find_runs(
    units: tuple[np.ndarray, ...],
    codes: np.ndarray,
    furniture: dict[tuple[str, ...], int],
    furniture_blocks: dict[int, int],
    min_words: int,
    search: Callable[[Any, list[int], list[np.ndarray], Callable[[np.ndarray, Any], bool]], list],
) -> _Runs:
    """The shared runs (`_Runs`, their texts not read yet) of whole articles' ``units``
    (columns: start, end, paragraph, whether a whole line, article; article after article,
    each in text order): consecutive units of one block (``codes``: `block_codes`) within one
    paragraph; ``glued_*`` where the unit at that end is not a whole line. A sentence that
    matched no passage between two units of one block, in one paragraph, goes with the block
    (a heavily reworded one). A furniture line (``furniture``: by its words, its cluster; its
    block in ``furniture_blocks``) glued to the start of a unit outside any block is a run of
    its own (`_furniture_prefix`): ``search(function, articles, args, fits)`` gives
    ``function(text, arg)`` for each article (``fits`` an answer to its ``arg``). One numpy
    pass over every unit."""
    start, end, paragraph, whole, article = units
    if not len(start):
        return _Runs.empty()
    block = np.maximum(codes, -1)
    # ``same[i]``: unit i is in unit i - 1's article and paragraph.
    same = np.r_[False, (article[1:] == article[:-1]) & (paragraph[1:] == paragraph[:-1])]
    middle = np.flatnonzero(same[:-1] & same[1:]) if len(same) > 1 else np.zeros(0, int)
    before, after = block[middle - 1], block[middle + 1]
    fill = (codes[middle] == -2) & (before >= 0) & (before == after)
    block[middle[fill]] = before[fill]
    inside = block >= 0
    goes_on = inside & same & np.r_[False, block[1:] == block[:-1]]
    first = np.flatnonzero(inside & ~goes_on)
    last = np.flatnonzero(inside & ~np.r_[goes_on[1:], False])
    # Each run as columns, from the unit it starts at; made lists per article at the end.
    at = [first]
    columns = [[start[first]], [end[last]], [block[first]], [~whole[first]], [~whole[last]]]
    if furniture:
        loose = np.flatnonzero(~inside & ~whole)
        # The loose units, article by article (units are in article order): per article,
        # the first of its loose units and its spans, as a view of one array of two rows
        # (a tuple per loose unit, all at once, cost 70 MB at 100 MB).
        owner = article[loose]
        bounds = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]][: len(owner)])
        articles = owner[bounds].tolist()
        spans = np.stack((start[loose], end[loose]))
        firsts = bounds.tolist()
        lasts = [*firsts[1:], len(loose)]
        args = [spans[:, lo:hi] for lo, hi in zip(firsts, lasts)]
        first_words = {key[0] for key in furniture}
        glued = functools.partial(_glued_furniture, furniture, first_words, min_words - 1)
        lines = set(furniture.values())

        def fits(spans: np.ndarray, hits: Any) -> bool:
            return isinstance(hits, list) and all(
                isinstance(hit, (list, tuple))
                and len(hit) == 3
                and all(type(x) is int for x in hit)
                and 0 <= hit[0] < spans.shape[1]
                and spans[0, hit[0]] < hit[1] <= spans[1, hit[0]]
                and hit[2] in lines
                for hit in hits
            )

        found_hits = search(glued, articles, args, fits)
        # Per furniture line glued to a loose unit: that unit (its place among the loose
        # ones), where the line ends, and its cluster.
        hit = [
            (lo + i, prefix_end, cluster)
            for lo, hits in zip(firsts, found_hits)
            for i, prefix_end, cluster in hits
        ]
        if hit:
            u = loose[np.array([h[0] for h in hit], dtype=np.int64)]
            no = np.zeros(len(u), dtype=bool)
            at.append(u)
            for column, part in zip(
                columns,
                (
                    start[u],
                    np.array([h[1] for h in hit], dtype=np.int64),
                    np.array([furniture_blocks[h[2]] for h in hit], dtype=np.int64),
                    no,
                    no,
                ),
            ):
                column.append(part)
    units_at = np.concatenate(at)
    order = np.argsort(units_at, kind="stable")
    starts, ends, blocks, glued_start, glued_end = (np.concatenate(c)[order] for c in columns)
    return _Runs(
        article[units_at[order]],
        starts.astype(np.int64),
        ends.astype(np.int64),
        blocks.astype(np.int64),
        glued_start.astype(bool),
        glued_end.astype(bool),
        np.full(len(units_at), -1, dtype=np.int64),
    )


@attrs.frozen
class GluedPairs:
    """The distinct (block, wording) of the runs of some blocks (`glued_pairs`), in the order
    of their first run: each one's ``block``, ``text``, the number of runs that have it
    (``runs_with``) and the glued ends they are cut at (``bits``: a bit per end code, 2 *
    glued start + glued end, 1 to 3); ``pair_of``: each run's number among them, or -1."""

    block: list[int]
    text: list[str]
    runs_with: list[int]
    bits: list[int]
    pair_of: np.ndarray


def glued_blocks(runs: _Runs) -> np.ndarray:
    """The blocks with a run glued at an end (sorted)."""
    return unique(runs.block[runs.glued_start | runs.glued_end])


def glued_pairs(runs: _Runs, blocks: np.ndarray) -> GluedPairs:
    """The distinct (block, wording) of the runs (with their texts) of ``blocks`` (sorted):
    only blocks with a glued run need their 3-gram counts (`glued_cuts`). Runs of one
    block mostly repeat a few wordings: each is read once, with the number of runs that have
    it and the glued ends it is cut at."""
    glued = runs.glued_start | runs.glued_end
    chosen = np.flatnonzero(isin_sorted(runs.block, blocks))
    block, wording = runs.block[chosen], runs.wording[chosen]
    first, inverse = first_of_each(block, wording)
    rank = np.argsort(first)  # the distinct ones by their first run
    number = np.empty(len(rank), dtype=np.int64)
    number[rank] = np.arange(len(rank))
    pair_of = np.full(len(runs.article), -1, dtype=np.int64)
    pair_of[chosen] = number[inverse]
    runs_with = np.bincount(pair_of[chosen], minlength=len(rank)).tolist()
    end_code = 2 * runs.glued_start.astype(np.int64) + runs.glued_end
    bits = np.zeros(len(rank), dtype=np.int64)
    at = np.flatnonzero(glued & (pair_of >= 0))
    np.bitwise_or.at(bits, pair_of[at], 1 << end_code[at])
    return GluedPairs(
        block[first[rank]].tolist(),
        [runs.texts[w] for w in wording[first[rank]].tolist()],
        runs_with,
        bits.tolist(),
        pair_of,
    )


def glued_cuts(pairs: GluedPairs, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Where each wording of ``pairs`` is cut (`_Grams`), at each of its glued ends, by
    ``workers`` processes: per pair, per end code (2 * glued start + glued end), the span
    kept in the wording (`Detector._cuts` where no earlier analysis answers).

    A word is the block's when a word 3-gram around it occurs in two or more of the block's
    occurrences; two or more words at the glued edge of a run that are not the block's are
    cut off (they stay the article's own text), where punctuation that ends a sentence or a
    label separates them from the block's words. A block's cuts are its own: its wordings
    cut with other blocks', or alone, are cut the same.
    """
    glued_ends = _glued_ends(pairs.bits)
    cuts = _cut_blocks(pairs, glued_ends, _wordings_by_block(pairs), workers)
    return _cut_arrays(len(pairs.block), cuts)


def _glued_ends(bits: Sequence[int]) -> list[list[tuple[bool, bool]]]:
    """Per wording, the glued ends (glued start, glued end) it is cut at, from its ``bits``
    (`GluedPairs`)."""
    all_ends = [(False, True), (True, False), (True, True)]
    return [[ends for c, ends in enumerate(all_ends, 1) if b >> c & 1] for b in bits]


def _wordings_by_block(pairs: GluedPairs) -> dict[int, list[int]]:
    """Per block (in the order of its first pair), its pairs' numbers, by their texts."""
    by_block: dict[int, list[int]] = defaultdict(list)
    for i, b in enumerate(pairs.block):
        by_block[b].append(i)
    for members in by_block.values():
        members.sort(key=pairs.text.__getitem__)
    return by_block


def _cut_blocks(
    pairs: GluedPairs,
    glued_ends: list[list[tuple[bool, bool]]],
    by_block: dict[int, list[int]],
    workers: int,
) -> dict[tuple[int, bool, bool], tuple[int, int]]:
    """The cuts (`glued_cuts`) of the wordings of the blocks of ``by_block`` (each one's
    pairs), by ``workers`` processes: per (pair, glued start, glued end), the span kept."""
    pair_block, pair_text, runs_with = pairs.block, pairs.text, pairs.runs_with
    # Blocks a few at a time (whole: a block's counts are its own), so that the words of
    # all wordings are never in memory at once.
    chunks: list[list[int]] = [[]]
    size = 0
    for members in by_block.values():
        if size >= _GRAMS_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].extend(members)
        size += sum(len(pair_text[i]) for i in members)

    def cut(chunk: list[int]) -> dict[tuple[int, bool, bool], tuple[int, int]]:
        grams = _Grams(
            [pair_text[i] for i in chunk],
            [pair_block[i] for i in chunk],
            [runs_with[i] for i in chunk],
            _CUT_GRAMS,
        )
        return {
            (i, *ends): grams.cut(j, *ends) for j, i in enumerate(chunk) for ends in glued_ends[i]
        }

    cuts: dict[tuple[int, bool, bool], tuple[int, int]] = {}
    for found in _fork_map(cut, [c for c in chunks if c], workers):
        cuts.update(found)
    return cuts


def _cut_arrays(
    n: int, cuts: dict[tuple[int, bool, bool], tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """``cuts`` of ``n`` pairs as two arrays, a row per pair, a column per end code: where
    each span kept starts and ends."""
    lo_at = np.zeros((n, 4), dtype=np.int64)
    hi_at = np.zeros((n, 4), dtype=np.int64)
    for (i, glued_start, glued_end), (lo, hi) in cuts.items():
        lo_at[i, 2 * glued_start + glued_end] = lo
        hi_at[i, 2 * glued_start + glued_end] = hi
    return lo_at, hi_at


def apply_cuts(runs: _Runs, pair_of: np.ndarray, lo_at: np.ndarray, hi_at: np.ndarray) -> None:
    """Cut each glued run (``pair_of``: its number among `glued_pairs`) where its wording is
    cut at its glued ends (``lo_at``, ``hi_at``: per pair, per end code, the span kept, as
    `Detector._cuts` gives them), in place: its span, and its text's number."""
    glued = runs.glued_start | runs.glued_end
    end_code = 2 * runs.glued_start.astype(np.int64) + runs.glued_end
    at = np.flatnonzero(glued)
    if len(at) and (pair_of[at] < 0).any():
        raise RuntimeError("internal error: a glued run of a block not cut")
    lo, hi = lo_at[pair_of[at], end_code[at]], hi_at[pair_of[at], end_code[at]]
    moved = (lo != 0) | (hi != runs.end[at] - runs.start[at])
    trimmed = zip(runs.wording[at[moved]].tolist(), lo[moved].tolist(), hi[moved].tolist())
    runs.wording[at[moved]] = runs.numbers(runs.texts[w][a:z] for w, a, z in trimmed)
    runs.start[at[moved]], runs.end[at[moved]] = (
        runs.start[at[moved]] + lo[moved],
        runs.start[at[moved]] + hi[moved],
    )


def runs_with_texts(runs: _Runs, texts: Sequence[str]) -> _Runs:
    """``runs`` (of articles whose ``texts`` these are, by their numbers in ``runs.article``)
    with the text of each run (``runs.wording``)."""
    bounds = runs.bounds(len(texts)).tolist()
    starts, ends = runs.start.tolist(), runs.end.tolist()
    for a, text in enumerate(texts):
        lo, hi = bounds[a], bounds[a + 1]
        if hi > lo:
            spans = list(zip(starts[lo:hi], ends[lo:hi]))
            runs.wording[lo:hi] = runs.numbers(_span_texts(text, spans))
    return runs


def _variants(
    runs: _Runs,
) -> tuple[dict[int, Counter], dict[int, np.ndarray], np.ndarray, list[int], list[int]]:
    """Per block (in the order of its first run), the articles carrying each of its wordings
    (an article counts once) and those carrying the block (sorted); and the runs' distinct
    (block, wording): each run's number among them, and their blocks and wordings."""
    block, wording, article = runs.block, runs.wording, runs.article
    if not len(block):
        return {}, {}, np.zeros(0, dtype=np.int64), [], []
    first, pair_of = first_of_each(block, wording)
    pair_block, pair_wording = block[first].tolist(), wording[first].tolist()
    # Per (block, wording), its articles: the distinct (pair, article), counted by pair.
    carried = np.bincount(unique_pairs(pair_of, article)[0][:, 0], minlength=len(first))
    # The blocks in the order of their first run (the first of a block's runs sorted stably).
    by_block = np.argsort(block, kind="stable")
    firsts = by_block[np.r_[True, block[by_block][1:] != block[by_block][:-1]]]
    variants: dict[int, Counter] = {b: Counter() for b in block[np.sort(firsts)].tolist()}
    for b, w, count in zip(pair_block, pair_wording, carried.tolist()):
        variants[b][runs.texts[w]] = count
    # Distinct (block, article), sorted: each block's articles.
    rows, _ = unique_pairs(block, article)
    return variants, carriers_by_block(rows[:, 0], rows[:, 1]), pair_of, pair_block, pair_wording


def carriers_by_block(blocks: np.ndarray, articles: np.ndarray) -> dict[int, np.ndarray]:
    """Per block of ``blocks`` (sorted), its ``articles`` (views of one array).

    >>> found = carriers_by_block(np.array([3, 3, 7]), np.array([1, 4, 2]))
    >>> {b: a.tolist() for b, a in found.items()}
    {3: [1, 4], 7: [2]}
    """
    if not len(blocks):
        return {}
    articles = np.ascontiguousarray(articles, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]]).tolist()
    return {
        b: articles[lo:hi]
        for b, lo, hi in zip(blocks[starts].tolist(), starts, [*starts[1:], len(articles)])
    }


def _span_texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The text of each span ``(start, end)`` of ``text``."""
    return [text[start:end] for start, end in spans]


@functools.lru_cache(maxsize=1 << 16)
def _unit_facts(unit: str) -> frozenset[str]:
    """The figures and capitalised words of a unit past its first word (`Detector._facts`);
    kept for the units seen last, as shared passages recur."""
    found = _FACT.findall(unit)
    # A match at the very start is the first one found; and the first one found starts the
    # unit only if it matched there (a match's first character, a digit or a capital, would
    # match there alone).
    return frozenset(found[1:] if found and unit.startswith(found[0]) else found)


class _Grams:
    """The word ``k``-grams of some blocks' wordings, all tokenised at once (`Words`), and the
    words of each that a k-gram found in two or more of its block's runs covers
    (`Detector._trim_glued`).

    ``texts[i]`` is a wording of block ``blocks[i]`` found in ``runs_with[i]`` runs.
    """

    def __init__(self, texts: list[str], blocks: list[int], runs_with: list[int], k: int) -> None:
        self.texts = texts
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        # One text, a line break between wordings: no word crosses it.
        self.offsets = np.r_[0, np.cumsum(lengths + 1)[:-1]]
        words = Words.of("\n".join(texts))
        self.starts, self.ends = words.starts, words.ends
        text_of = np.searchsorted(self.offsets, self.starts, side="right") - 1
        # Per text, its first word and the end of its words.
        self.first_word = np.searchsorted(text_of, np.arange(len(texts)))
        self.end_word = np.searchsorted(text_of, np.arange(len(texts)), side="right")
        n = max(len(words.hashes) - k + 1, 0)
        valid = np.arange(n) + k <= self.end_word[text_of[:n]]
        keys = words.hashes[:n].copy()
        for j in range(1, k):
            keys = keys * _GRAM_MIX + words.hashes[j : j + n]
        # A gram's key within its block, so that blocks' grams never meet.
        block_of = np.asarray(blocks, dtype=np.uint64)[text_of[:n]]
        codes = mix64(keys ^ (block_of * _BLOCK_MIX))
        grams = np.flatnonzero(valid)
        # Each text counts a gram once, times its runs; a gram supports its block's words
        # when those come to two or more.
        text, code = text_of[grams], codes[grams]
        order = np.lexsort((code, text))
        text, code = text[order], code[order]
        once = np.r_[True, (text[1:] != text[:-1]) | (code[1:] != code[:-1])]
        support, inverse = np.unique(code[once], return_inverse=True)
        weight = np.bincount(inverse, weights=np.asarray(runs_with, np.float64)[text[once]])
        supported = np.zeros(n, dtype=bool)
        supported[grams] = isin_sorted(codes[grams], support[weight >= 2])
        self.covered = np.zeros(len(words.hashes), dtype=bool)
        for j in range(k):
            self.covered[j : j + n] |= supported

    def cut(self, i: int, glued_start: bool, glued_end: bool) -> tuple[int, int]:
        """Where a run of wording ``i`` is cut: the span to keep, in the wording. Two or more
        words at a glued edge that no k-gram of the block supports are cut off, where the
        glued text ends a sentence or a label ("... N.J. Meanwhile", "Read more: This
        article"), never inside a sentence."""
        wording, base = self.texts[i], int(self.offsets[i])
        lo, hi = int(self.first_word[i]), int(self.end_word[i])
        start, end = 0, len(wording)
        covered = np.flatnonzero(self.covered[lo:hi])
        if not len(covered):
            return start, end
        first, last = int(covered[0]) + lo, int(covered[-1]) + lo
        starts, ends = self.starts, self.ends
        if (
            glued_start
            and first - lo >= 2
            and _SENTENCE_END.search(
                wording, int(ends[first - 1]) - base, int(starts[first]) - base
            )
        ):
            start = int(starts[first]) - base
        if glued_end and hi - 1 - last >= 2:
            gap = _SENTENCE_END.search(
                wording, int(ends[last]) - base, int(starts[last + 1]) - base
            )
            if gap:
                end = gap.end()
        return start, end


def _link(
    pairs: np.ndarray,
    similarity: np.ndarray,
    order_key: np.ndarray,
    threshold: float,
    strong: float,
) -> np.ndarray:
    """Cluster nodes from verified pairs; returns, per node, the smallest node of its cluster.

    Pairs at ``strong`` similarity or more join their clusters outright. A weaker pair (at
    ``threshold`` or more) only attaches a lone node to a cluster, strongest pair first, and
    never joins two clusters: a unit that glues two passages together (a lost sentence break)
    resembles both, and must not chain them into one.

    >>> pairs = np.array([[0, 1], [1, 2], [2, 3]])
    >>> _link(pairs, np.array([0.9, 0.45, 0.9]), np.arange(4), 0.3, 0.5).tolist()
    [0, 0, 2, 2]
    """
    n = int(pairs.max()) + 1 if len(pairs) else 0
    n = max(n, len(order_key))
    strong_mask = similarity >= strong
    label = _components(n, pairs[strong_mask])  # every node's root: its cluster's smallest
    sizes = np.bincount(label, minlength=n)
    # A weak pair whose two sides are both in clusters of two or more already can never join
    # anything (clusters only grow): only the others are taken, one at a time.
    weak = np.flatnonzero(
        ~strong_mask
        & (similarity >= threshold)
        & ((sizes[label[pairs[:, 0]]] == 1) | (sizes[label[pairs[:, 1]]] == 1))
    )
    # Strongest first; ties by the content keys, so the order the corpus came in does not matter.
    ka, kb = order_key[pairs[weak, 0]], order_key[pairs[weak, 1]]
    order = np.lexsort((np.maximum(ka, kb), np.minimum(ka, kb), -similarity[weak]))
    taken = pairs[weak[order]]
    # The joins are made over the roots of ``label`` that the weak pairs reach, numbered in
    # their order (so that the smaller root stays the smaller number): lists of those, not
    # of every node (6 million at 1 GB, 250 MB as Python lists).
    roots = unique(label[taken].ravel())
    at = np.searchsorted(roots, label[taken])
    parent = list(range(len(roots)))
    size = sizes[roots].tolist()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _as_tuples(at):
        ra, rb = find(a), find(b)
        if ra != rb and (size[ra] == 1 or size[rb] == 1):
            low, high = min(ra, rb), max(ra, rb)
            parent[high] = low
            size[low] = size[ra] + size[rb]
    remap = np.arange(n, dtype=np.int64)
    remap[roots] = roots[[find(x) for x in range(len(roots))]]
    return remap[label]


def _linked(
    pairs: np.ndarray, similarity: np.ndarray, keys: np.ndarray, threshold: float, strong: float
) -> tuple[np.ndarray, np.ndarray]:
    """`_link` over the nodes of ``pairs`` alone (distinct units, ``i < j``; ``keys``: the
    order keys of each pair's two): the nodes not the smallest of their cluster (sorted),
    and that smallest of each. The nodes are numbered in their order, so the smallest stays
    the smallest, and the clusters are those of `_link` over every node. Made as the Dask
    engine makes it from pairs found in parts (`_linked_forest` of the strong pairs'
    `_forest`).

    >>> _linked(np.array([[3, 9], [9, 20]]), np.array([0.9, 0.9]),
    ...         np.array([[5, 1], [1, 2]], np.uint64), 0.3, 0.5)
    (array([ 9, 20]), array([3, 3]))
    """
    strong_pairs = similarity >= strong
    weak = ~strong_pairs & (similarity >= threshold)
    return _linked_forest(
        _forest(pairs[strong_pairs]), pairs[weak], similarity[weak], keys[weak], threshold, strong
    )


def _forest(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The connected components of the graph of ``pairs`` (of any node ids), as the nodes not
    the smallest of their component (sorted) and that smallest of each: the same components
    with an edge a node (but one a component). The forest of the edges of forests of parts
    of a graph is the whole graph's forest, so it can be made in parts, where the pairs are.

    >>> _forest(np.array([[7, 3], [9, 7], [4, 5]]))
    (array([5, 7, 9]), array([4, 3, 3]))
    """
    nodes = unique(pairs.ravel())
    label = _components(len(nodes), np.searchsorted(nodes, pairs))
    moved = np.flatnonzero(label != np.arange(len(nodes)))
    return nodes[moved].astype(np.int64), nodes[label[moved]].astype(np.int64)


def _linked_forest(
    forest: tuple[np.ndarray, np.ndarray],
    weak: np.ndarray,
    similarity: np.ndarray,
    keys: np.ndarray,
    threshold: float,
    strong: float,
) -> tuple[np.ndarray, np.ndarray]:
    """`_linked` of the pairs whose strong ones' components are ``forest`` (`_forest`) and
    whose weak ones (below ``strong``; ``i < j``, each pair once, in any order) are ``weak``,
    with their ``similarity`` and their units' order ``keys``. A weak pair only counts where
    one of its units is in no strong pair (`_link`): those alone may be given."""
    moved, roots = forest
    order = np.lexsort((weak[:, 1], weak[:, 0]))  # the order of their codes, as `_link` ties
    weak, similarity, keys = weak[order], similarity[order], keys[order]
    pairs = np.concatenate([np.stack([moved, roots], axis=1), weak.astype(np.int64)])
    nodes = unique(pairs.ravel())
    at = np.searchsorted(nodes, pairs)
    key = np.zeros(len(nodes), dtype=np.uint64)
    key[at[len(moved) :].ravel()] = keys.ravel()  # a unit has one order key: any pair's
    found = np.concatenate([np.full(len(moved), np.inf), similarity])
    component = _link(at, found, key, threshold, strong)
    moved = np.flatnonzero(component != np.arange(len(nodes)))
    return nodes[moved].astype(np.int64), nodes[component[moved]].astype(np.int64)


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Per node of ``n``, the smallest node of its connected component in the graph of
    ``pairs``, in numpy: each round hooks every edge's larger root onto the smaller, then
    follows parents to the roots, until nothing changes.

    >>> _components(5, np.array([[3, 4], [1, 4], [0, 2]])).tolist()
    [0, 1, 0, 1, 1]
    """
    label = np.arange(n, dtype=np.int64)
    while len(pairs):
        low = np.minimum(label[pairs[:, 0]], label[pairs[:, 1]])
        hooked = label.copy()
        np.minimum.at(hooked, label[pairs[:, 0]], low)
        np.minimum.at(hooked, label[pairs[:, 1]], low)
        hooked = _roots(hooked)
        if np.array_equal(hooked, label):
            break
        label = hooked
    return label


def _chosen(pairs: Sequence[tuple[int, int]], chosen: Sequence[bool]) -> np.ndarray:
    """The ``pairs`` whose ``chosen`` is true, as rows of an array."""
    found = [pair for pair, keep in zip(pairs, chosen) if keep]
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def _roots(parent: np.ndarray) -> np.ndarray:
    """Per node, the root it reaches by following ``parent`` (a forest: roots are their own
    parents)."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


def _as_tuples(pairs: np.ndarray) -> Iterator[tuple[int, int]]:
    """The rows of a pair array as Python ints, a batch at a time (a list of millions of pairs
    costs about 100 bytes a pair)."""
    for lo in range(0, len(pairs), _VERIFY_BATCH):
        part = pairs[lo : lo + _VERIFY_BATCH]
        yield from zip(part[:, 0].tolist(), part[:, 1].tolist())


def _furniture_prefix(
    text: str,
    unit_start: int,
    unit_end: int,
    furniture: dict[tuple[str, ...], int],
    first_words: set[str],
    max_words: int,
) -> tuple[int, int] | None:
    """Where a furniture line glued to the start of a unit (``text[unit_start:unit_end]``)
    ends, and its cluster: "Share this article The dollar rose ..." (the next word must open a
    sentence, so "Advertisement spending rose" keeps its first word). ``first_words``: the
    first words of the furniture lines, which rule out most units at their first word."""
    first = _WORDS.search(text, unit_start, unit_end)
    if first is None or first.group().lower() not in first_words:
        return None
    found = None
    tokens = []
    for m in _WORDS.finditer(text, unit_start, unit_end):
        tokens.append(m)
        if len(tokens) > max_words:
            break
    for n in range(1, len(tokens)):
        key = tuple(t.group().lower() for t in tokens[:n])
        if key in furniture and tokens[n].group()[:1].isupper():
            end = tokens[n - 1].end()
            while end < unit_end and not text[end].isspace() and not text[end].isalnum():
                end += 1
            found = (end, furniture[key])
    return found


def _merged(variants: dict[int, Counter], target: dict[int, int]) -> dict[int, Counter]:
    """The wordings of the blocks once joined (``target``: the block each block joined,
    `Detector._joins`): each joined by another has the counts of all its group summed; one
    that joined another is gone. A block of ``variants`` that joined none and none joined
    keeps its own (most blocks: they are not copied)."""
    into = set(target.values())
    merged: dict[int, Counter] = {}
    for block, counter in variants.items():
        t = target.get(block, block)
        if t not in into:
            merged[t] = counter
            continue
        merged.setdefault(t, Counter()).update(counter)
    return merged


def carried_summaries(
    carriers: Mapping[int, np.ndarray], target: dict[int, int], dates: Sequence[str | None]
) -> dict[int, tuple[int, str | None, str | None]]:
    """Per block once joined (``target``, as `_merged`), from every block's sorted articles
    (``carriers``): how many articles carry it or a block joined into it, and the first and
    last of their ``dates`` (None: none is dated).

    >>> carried_summaries({1: np.array([0, 2]), 4: np.array([1, 2]), 5: np.array([1])},
    ...                   {4: 1}, ["2020-01-02", None, "2019-05-01"])
    {1: (3, '2019-05-01', '2020-01-02'), 5: (1, None, None)}
    """
    joined: dict[int, list[np.ndarray]] = {}
    for block, articles in carriers.items():
        joined.setdefault(target.get(block, block), []).append(articles)
    found = {}
    for block, arrays in joined.items():
        articles = arrays[0] if len(arrays) == 1 else unique(np.concatenate(arrays))
        known = [d for a in articles.tolist() if (d := dates[a])]
        found[block] = (len(articles), min(known, default=None), max(known, default=None))
    return found


def _most_frequent(counter: Counter) -> str:
    """The most frequent wording (ties: the smallest text)."""
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def head_array(heads: Sequence[Sequence[int]]) -> np.ndarray:
    """Heads given as lists (each article's first units' clusters) as `_openers` takes them:
    one row each, -2 past a head's end.

    >>> head_array([[4, -1], [], [7]]).tolist()
    [[4, -1], [-2, -2], [7, -2]]
    """
    n, width = len(heads), max(map(len, heads), default=0)
    lengths = np.fromiter(map(len, heads), dtype=np.int64, count=n)
    head = np.full((n, width), -2, dtype=np.int64)
    head[np.arange(width) < lengths[:, None]] = np.fromiter(
        itertools.chain.from_iterable(heads), np.int64, int(lengths.sum())
    )
    return head


def _openers(head: np.ndarray, cluster_articles: Carriers, max_articles: int) -> set[int]:
    """Clusters that open articles of different stories (site furniture, a background put at
    the top): those followed by three or more different continuations, or carried by more than
    ``max_articles`` articles. ``head`` holds each article's first units' clusters (-1: a unit
    found nowhere else), a row each, then -2 (`Detector._heads`, `head_array`). A continuation
    is the next unit that is not itself an opener, so a two-sentence furniture line is found
    sentence by sentence. A passage carried by a few articles (up to `_FEW_COPIES`) counts only
    continuations less common than itself: a short story whose copies go on to different
    backgrounds opens no other story, while a template's first sentence (carried by many)
    followed by its other sentences still opens different stories.
    """
    clusters, counts = cluster_articles.clusters, cluster_articles.counts
    openers = set(clusters[counts > max_articles].tolist())
    n, width = head.shape
    if not n or not width:
        return openers
    # With each cluster's number of articles, every round is a few numpy passes over the
    # heads, not a loop over every unit. The clusters in the heads are numbered by their
    # place among them: arrays as long as those, not as the distinct units (a cluster's
    # number is its smallest distinct unit's, up to 6.3 million at 1 GB).
    known = head >= 0
    values = unique(head[known])
    if not len(values):
        return openers
    place = np.searchsorted(values, head).astype(np.int32)
    at = positions(clusters, values)
    carried = np.where(at >= 0, counts[np.maximum(at, 0)], 0)
    # A continuation, as one int: a cluster's place; the end of the head (-1); a unit found
    # nowhere else, which is its own continuation (-2 - its position in ``head``).
    value = np.where(known, place, -2 - np.arange(n * width, dtype=np.int64).reshape(n, width))
    value[head == -2] = -1
    for _ in range(4):
        is_opener = isin_sorted(values, np.array(sorted(openers), dtype=np.int64))
        skipped = known & is_opener[np.where(known, place, 0)]
        following = np.full((n, width), -1, dtype=np.int64)
        for i in range(width - 2, -1, -1):
            following[:, i] = np.where(skipped[:, i + 1], following[:, i + 1], value[:, i + 1])
        asked = known & ~skipped
        c, nxt = place[asked], following[asked]
        few = carried[c] <= _FEW_COPIES
        # A passage as common follows: a background after a short story.
        as_common = (nxt >= 0) & few & (carried[np.maximum(nxt, 0)] >= carried[c])
        pairs, _ = unique_pairs(c[~as_common].astype(np.int64), nxt[~as_common])
        continuations = np.bincount(pairs[:, 0], minlength=len(values))
        found = set(values[continuations >= 3].tolist())
        if found <= openers:
            break
        openers |= found
    return openers


def _strict_verdict(
    px: tuple[Counter, int], py: tuple[Counter, int], background: set[int], s: Settings
) -> bool | list[int]:
    """Pass 2 of `Detector._copies` on a pair that is not the same words throughout, but the
    facts: False (not a copy), or the passages the two share, backgrounds left out, on whose
    facts it depends (`_facts_agree`; none shared: True, a copy)."""
    if not _is_copy_strict(px, py, background, s):
        return False
    # A profile names every shared cluster its article's units are in.
    return sorted((px[0].keys() & py[0].keys()) - background) or True


def _is_copy_strict(
    px: tuple[Counter, int], py: tuple[Counter, int], background: set[int], s: Settings
) -> bool:
    """Whether two articles are copies of one story, on their text outside ``background``:
    each side's own text is everything it carries but the backgrounds."""
    shared_x, alone_x = px
    shared_y, alone_y = py
    # Set operations on the keys run in C; the sums are over the few clusters they leave.
    common = (shared_x.keys() & shared_y.keys()) - background
    matched_x = sum(shared_x[c] for c in common)
    matched_y = sum(shared_y[c] for c in common)
    if not matched_x or not matched_y:
        return False
    behind_x, behind_y = shared_x.keys() & background, shared_y.keys() & background
    own_x = alone_x + sum(shared_x.values()) - sum(shared_x[c] for c in behind_x)
    own_y = alone_y + sum(shared_y.values()) - sum(shared_y[c] for c in behind_y)
    rx, ry = matched_x / own_x, matched_y / own_y
    return min(rx, ry) >= s.duplicate_min_side and (rx + ry) / 2 >= s.duplicate_threshold


def _is_copy(px: tuple[Counter, int], py: tuple[Counter, int], s: Settings) -> bool:
    """Whether two articles are copies of one story, judged on their own text.

    Each side's own text is what it shares with the other plus what it shares with nobody;
    text it shares only with third articles (a background the other copy lacks) is left out.
    """
    shared_x, alone_x = px
    shared_y, alone_y = py
    common = shared_x.keys() & shared_y.keys()
    matched_x = sum(shared_x[c] for c in common)
    matched_y = sum(shared_y[c] for c in common)
    if not matched_x or not matched_y:
        return False
    rx = matched_x / (matched_x + alone_x)
    ry = matched_y / (matched_y + alone_y)
    return min(rx, ry) >= s.duplicate_min_side and (rx + ry) / 2 >= s.duplicate_threshold
