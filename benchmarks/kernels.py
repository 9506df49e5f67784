"""The two kernels newscorpus writes itself, measured side by side with datasketch.

    .venv/bin/python benchmarks/kernels.py [--paragraphs 20000] [--write]

- MinHash: datasketch used plainly (one ``update`` per shingle), ``update_batch`` per
  paragraph, ``MinHash.bulk``, and newscorpus's `Signer` (numpy, whole batches), on real
  paragraphs from Reuters-21578 and BBC News, word 3-grams, 128 permutations. newscorpus's
  signatures are checked to equal datasketch's ``update_batch`` (same permutations, same
  shingle values) before timing counts.
- LSH: datasketch ``MinHashLSH(params=(64, 2))`` insert + query against newscorpus's numpy
  banding on the same signatures; the candidate pairs are checked to be the same.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newscorpus.lsh import candidate_pairs
from newscorpus.minhash import Signer, WordHasher, shingle_hashes, words
from newscorpus.tokens import Words

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
README = Path(__file__).resolve().parent / "README.md"
_BEGIN, _END = "<!-- kernels:begin -->", "<!-- kernels:end -->"


def paragraphs(limit: int) -> list[str]:
    out: list[str] = []
    for name in ("reuters21578.jsonl.gz", "bbc_news.jsonl.gz"):
        with gzip.open(CORPORA / name, "rt", encoding="utf-8") as f:
            for line in f:
                out.extend(p for p in json.loads(line)["text"].split("\n\n") if len(p) > 40)
                if len(out) >= limit:
                    return out[:limit]
    return out


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def sign_as_the_build_does(signer: Signer, texts: list[str]) -> np.ndarray:
    """Signatures the way a build makes them: the texts tokenised at once in numpy, then
    signed from the word hashes (see `newscorpus.blocks.prepare`)."""
    found = Words.of("\n".join(texts))
    ends = np.cumsum([len(t) + 1 for t in texts])
    bounds = np.searchsorted(found.starts, np.r_[0, ends])
    return signer.sign_hashes(found.hashes, np.diff(bounds))


def time_rensa(texts: list[str]) -> float | None:
    """Seconds for rensa's RMinHash over each paragraph's word 3-grams (made as its users make
    them, as strings), or None if rensa is absent."""
    try:
        from rensa import RMinHash
    except ImportError:
        return None

    def run() -> None:
        for text in texts:
            m = RMinHash(num_perm=128, seed=1)
            w = words(text)
            m.update([" ".join(w[i : i + 3]) for i in range(max(len(w) - 2, 1))])
            m.digest()

    seconds, _ = timed(run)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=20000)
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args()
    texts = paragraphs(args.paragraphs)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    hasher = WordHasher()
    shingles = [shingle_hashes(words(t), 3, hasher) for t in texts]
    as_bytes = [[int(h).to_bytes(4, "little") for h in s] for s in shingles]

    def batch():
        out = []
        for s in shingles:
            m = MinHash(num_perm=128, hashfunc=int)
            m.update_batch(s)
            out.append(m.hashvalues)
        return np.array(out)

    def bulk():
        return [LeanMinHash(m) for m in MinHash.bulk(shingles, num_perm=128, hashfunc=int)]

    signer = Signer(3, 128, 1)
    rows = []
    t_ours, sigs = timed(lambda: signer.sign(texts))  # includes tokenising and word hashing
    sample = min(len(texts), 2000)  # one update() per shingle is slow: time a sample, scale up
    started = time.perf_counter()
    for s in as_bytes[:sample]:
        m = MinHash(num_perm=128, hashfunc=lambda b: int.from_bytes(b, "little"))
        for b in s:
            m.update(b)
    t_plain = (time.perf_counter() - started) * len(texts) / sample
    t_batch, reference = timed(batch)
    t_bulk, _ = timed(bulk)
    if not np.array_equal(reference, sigs):
        sys.exit("signatures differ from datasketch's: not timing")
    rows.append(("datasketch `update()` per shingle (timed on a sample, scaled)", t_plain))
    rows.append(("datasketch `update_batch` per paragraph", t_batch))
    rows.append(("datasketch `MinHash.bulk` + `LeanMinHash`", t_bulk))
    rows.append(("newscorpus `Signer.sign` (numpy, whole batch; includes tokenising)", t_ours))
    t_tokens, _ = timed(lambda: sign_as_the_build_does(signer, texts))
    rows.append(("newscorpus `Words.of` + `sign_hashes` (as a build signs)", t_tokens))
    t_rensa = time_rensa(texts)
    if t_rensa is not None:
        rows.append(("rensa `RMinHash` per paragraph (Rust; not bit-compatible)", t_rensa))

    def datasketch_lsh():
        lsh = MinHashLSH(num_perm=128, params=(64, 2))
        leans = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sigs]
        for i, m in enumerate(leans):
            lsh.insert(i, m)
        found = set()
        for i, m in enumerate(leans):
            found.update((min(i, j), max(i, j)) for j in lsh.query(m) if j != i)
        return found

    t_dlsh, theirs = timed(datasketch_lsh)
    t_nlsh, ours = timed(lambda: candidate_pairs(sigs, 64, 2, max_bucket=10**9))
    ours_set = {tuple(p) for p in ours.tolist()}
    same = "same pairs" if ours_set == theirs else f"DIFFERENT: {len(ours_set)} vs {len(theirs)}"

    lines = [
        f"{len(texts):,} real paragraphs (Reuters-21578, BBC), {mb:.1f} MB, word 3-grams, "
        "128 permutations, one core:",
        "",
        "| MinHash | seconds | paragraphs/s | MB/s |",
        "|---|---|---|---|",
    ]
    for name, t in rows:
        lines.append(f"| {name} | {t:.2f} | {len(texts) / t:,.0f} | {mb / t:.1f} |")
    lines += [
        "",
        "| LSH, 64 bands x 2 rows | seconds | candidate pairs |",
        "|---|---|---|",
        f"| datasketch `MinHashLSH` insert + query | {t_dlsh:.2f} | {len(theirs):,} |",
        f"| newscorpus numpy banding | {t_nlsh:.2f} | {len(ours_set):,} ({same}) |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        readme = README.read_text(encoding="utf-8")
        block = f"{_BEGIN}\n{text}\n{_END}"
        if _BEGIN in readme:
            readme = (
                readme[: readme.index(_BEGIN)] + block + readme[readme.index(_END) + len(_END) :]
            )
        else:
            readme += "\n## Kernels\n\n`kernels.py`, newscorpus's own MinHash and LSH against "
            readme += "datasketch's:\n\n" + block + "\n"
        README.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
