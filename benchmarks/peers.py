"""The tools a user would reach for instead of newscorpus, each run as its users run it.

    .venv/bin/python benchmarks/peers.py PEER INPUT.jsonl ANSWER.jsonl

PEER is one of:

- ``exact``: exact paragraph hashing as CCNet does: every line normalised (lower case, accents
  and punctuation removed, digits as 0), hashed (the first 8 bytes of SHA-1); a line whose hash
  is seen in two or more documents is shared. Two passes over the input, hashes in numpy.
- ``datasketch``: datasketch ``MinHash`` (128 permutations, ``update_batch``) of each line's
  word 3-grams, ``MinHashLSH(threshold=0.5)`` (newscorpus's threshold for joining clusters; its
  weaker 0.25 only attaches lone sentences), each line queried, then inserted; a line with a
  neighbour in another document is shared.
- ``rensa``: rensa ``RMinHash`` (128 permutations) of each line's word 3-grams and its
  ``RMinHashLSH`` (32 bands of 4 rows, the divisor of 128 nearest datasketch's choice for 0.5),
  candidates kept at estimated Jaccard 0.5 as rensa's README does.
- ``datatrove``: datatrove's MinHash deduplication of whole documents, its four stages run by
  its ``LocalPipelineExecutor`` as in its example (word 5-grams of its spaCy tokens, 14 buckets
  of 8 hashes, one task); it finds duplicate documents only. Its shingles are hashed with its
  ``sha1`` option: its default ``xxhash`` one passes ``str`` to xxhash, which xxhash 4 (the
  version newscorpus installs) refuses; ``datatrove[processing]`` pins xxhash < 4 for that.
  Besides datatrove itself it needs spaCy (English tokeniser), tokenizers and orjson.

Paragraph peers write one JSON line per article, in input order: the ``[start, end, cluster]``
of each line they call shared. ``datatrove`` writes one JSON object: the ``groups`` of article
indices (input order) it calls duplicates. `suite.py` scores both against the labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality  # noqa: E402
import synth  # noqa: E402

#: Largest corpus each peer is run on. Measured at 10 MB on a 2-core machine: datatrove runs at
#: ~0.1 MB/s (its spaCy tokeniser), datasketch at ~0.25 MB/s with ~30 MB of RSS per MB of
#: input, rensa at ~1 MB/s with ~13 MB per MB (it keeps every sketch to verify candidates).
MAX_SIZE = {"exact": "100MB", "datasketch": "100MB", "rensa": "100MB", "datatrove": "10MB"}
#: What each peer answers: "paragraphs" (shared lines) or "documents" (duplicate groups).
KIND = {
    "exact": "paragraphs",
    "datasketch": "paragraphs",
    "rensa": "paragraphs",
    "datatrove": "documents",
}
NAMES = {
    "exact": "exact paragraph hashing (CCNet-style)",
    "datasketch": "datasketch MinHashLSH per paragraph",
    "rensa": "rensa RMinHashLSH per paragraph",
    "datatrove": "datatrove MinHash dedup (whole documents)",
}


def iter_texts(path: Path) -> Iterator[str]:
    """The text of every article of a JSON lines file, in order."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)["text"]


def trigrams(text: str) -> list[str]:
    """Word 3-grams of a line, as quality.py makes them (one gram for a shorter line)."""
    w = synth.words(text)
    return [" ".join(w[i : i + 3]) for i in range(max(len(w) - 2, 1))]


class _Unions:
    """Union-find over line ids that have a neighbour; the root is the cluster label."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _write_line_answers(path: Path, out: Path, label: Callable[[int], int | None]) -> None:
    """One JSON line per article: its lines whose ``label(line id)`` is not None."""
    line_id = 0
    with open(out, "w", encoding="utf-8") as f:
        for text in iter_texts(path):
            spans = []
            for s, e in quality._lines(text):
                if synth.words(text[s:e]):
                    cluster = label(line_id)
                    if cluster is not None:
                        spans.append([s, e, cluster])
                    line_id += 1
            f.write(json.dumps(spans) + "\n")


# -- exact paragraph hashing -----------------------------------------------------------------


def _line_hash(line: str) -> int:
    key = quality._ccnet_normalise(line).encode("utf-8")
    return int.from_bytes(hashlib.sha1(key).digest()[:8], "little")


def run_exact(path: Path, out: Path) -> None:
    """Pass 1 hashes every line; lines whose hash is in two or more documents are shared."""
    hashes, docs = array("Q"), array("I")
    for doc, text in enumerate(iter_texts(path)):
        for s, e in quality._lines(text):
            if synth.words(text[s:e]):
                hashes.append(_line_hash(text[s:e]))
                docs.append(doc)
    h = np.frombuffer(hashes, dtype=np.uint64)
    d = np.frombuffer(docs, dtype=np.uint32)
    order = np.lexsort((d, h))
    hs, ds = h[order], d[order]
    new_doc = np.ones(len(hs), dtype=bool)
    new_doc[1:] = (hs[1:] != hs[:-1]) | (ds[1:] != ds[:-1])
    distinct = hs[new_doc]
    starts = np.flatnonzero(np.r_[True, distinct[1:] != distinct[:-1]])
    counts = np.diff(np.r_[starts, len(distinct)])
    shared = np.isin(h, distinct[starts][counts >= 2])
    _write_line_answers(path, out, lambda i: int(h[i]) if shared[i] else None)


# -- MinHash per paragraph -------------------------------------------------------------------


def _paragraph_lsh(path: Path, out: Path, sketch, lsh_query, lsh_insert, similar) -> None:
    """Each line is sketched, queried against the lines before it, then inserted (the same
    candidate pairs as inserting all, then querying all). A line with a neighbour in another
    document is shared; neighbours form clusters."""
    unions = _Unions()
    doc_of = array("I")
    line_id = 0
    for doc, text in enumerate(iter_texts(path)):
        for s, e in quality._lines(text):
            if not synth.words(text[s:e]):
                continue
            m = sketch(trigrams(text[s:e]))
            for other in lsh_query(m):
                if doc_of[other] != doc and similar(m, other):
                    unions.union(line_id, other)
            lsh_insert(line_id, m)
            doc_of.append(doc)
            line_id += 1
    _write_line_answers(path, out, lambda i: unions.find(i) if i in unions.parent else None)


def run_datasketch(path: Path, out: Path) -> None:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)

    def sketch(grams: list[str]) -> MinHash:
        m = MinHash(num_perm=128)
        m.update_batch([g.encode("utf-8") for g in grams])
        return m

    _paragraph_lsh(path, out, sketch, lsh.query, lsh.insert, lambda m, other: True)


def run_rensa(path: Path, out: Path) -> None:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32)
    kept: list = []

    def sketch(grams: list[str]) -> RMinHash:
        m = RMinHash(num_perm=128, seed=42)
        m.update(grams)
        return m

    def insert(key: int, m: RMinHash) -> None:
        lsh.insert(key, m)
        kept.append(m)

    def similar(m: RMinHash, other: int) -> bool:
        return m.jaccard(kept[other]) >= 0.5

    _paragraph_lsh(path, out, sketch, lsh.query, insert, similar)


# -- datatrove -------------------------------------------------------------------------------


def _datatrove_stages(path: Path, work: Path) -> list:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    config = MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))

    def reader() -> JsonlReader:
        return JsonlReader(str(path.parent), glob_pattern=path.name, id_key="name")

    def executor(pipeline: list, tasks: int, logs: str) -> LocalPipelineExecutor:
        return LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(work / "logs" / logs)
        )

    return [
        executor([reader(), MinhashDedupSignature(str(work / "sigs"), config=config)], 1, "1"),
        executor(
            [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)],
            config.num_buckets,
            "2",
        ),
        executor(
            [
                MinhashDedupCluster(
                    str(work / "buckets"), str(work / "ids"), config=config, save_cluster_id=True
                )
            ],
            1,
            "3",
        ),
        executor(
            [
                reader(),
                MinhashDedupFilter(
                    str(work / "ids"), exclusion_writer=JsonlWriter(str(work / "removed"))
                ),
                JsonlWriter(str(work / "output")),
            ],
            1,
            "4",
        ),
    ]


def run_datatrove(path: Path, out: Path) -> None:
    """The four stages, then the clusters of stage 3 (document index, cluster id) as groups."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for stage in _datatrove_stages(path, work):
            stage.run()
        groups: dict[int, list[int]] = {}
        for file in sorted((work / "ids").glob("*.clusters")):
            pairs = np.fromfile(file, dtype="<u4").reshape(-1, 2)
            for doc, cluster in pairs.tolist():
                groups.setdefault(cluster, []).append(doc)
    out.write_text(json.dumps({"groups": list(groups.values())}) + "\n", encoding="utf-8")


RUNNERS = {
    "exact": run_exact,
    "datasketch": run_datasketch,
    "rensa": run_rensa,
    "datatrove": run_datatrove,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("peer", choices=sorted(RUNNERS))
    parser.add_argument("input", type=Path)
    parser.add_argument("answer", type=Path)
    args = parser.parse_args()
    RUNNERS[args.peer](args.input, args.answer)


if __name__ == "__main__":
    main()
