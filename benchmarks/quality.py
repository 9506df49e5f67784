"""Quality of newscorpus against labels, side by side with the peers a user would reach for.

    python benchmarks/quality.py [--seed 0] [--stories 1200] [--write]

Builds the labelled corpus of `synth.py` (real BBC stories, real Reuters background paragraphs
planted with edits, lost breaks, one-line articles, furniture, syndicated copies), runs
newscorpus and three peers on it, and prints one table (``--write`` also puts it into
benchmarks/README.md):

- exact paragraph hashing, as CCNet does (normalised line hash seen in two or more documents);
- datasketch MinHash + MinHashLSH over paragraphs, used plainly (word 3-grams, threshold 0.5);
- whole-article MinHash dedup, as text-dedup and datatrove do (word 5-grams, threshold 0.7).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

from newscorpus import Document, build  # noqa: E402

README = Path(__file__).resolve().parent / "README.md"
_BEGIN, _END = "<!-- quality:begin -->", "<!-- quality:end -->"


# -- metrics ---------------------------------------------------------------------------------


def adjusted_rand_index(truth: list, predicted: list) -> float:
    """ARI of two labelings (Hubert and Arabie), from the contingency table."""

    def comb2(x: np.ndarray) -> float:
        return float((x * (x - 1) // 2).sum())

    # The contingency table is sparse (a dense one of a 1 GB corpus needs tens of GB).
    cells = np.array(list(Counter(zip(truth, predicted)).values()), dtype=np.int64)
    rows = np.array(list(Counter(truth).values()), dtype=np.int64)
    columns = np.array(list(Counter(predicted).values()), dtype=np.int64)
    n = len(truth)
    index = comb2(cells)
    a, b = comb2(rows), comb2(columns)
    expected = a * b / comb2(np.array([n])) if n > 1 else 0.0
    maximum = (a + b) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def score(
    bench: synth.Benchmark, shared: dict, labels: dict | None, removed: dict, dup_pairs: set | None
) -> dict:
    """Metrics from a method's answer.

    ``shared[name]``: boolean array over the article's characters, True where the method calls
    the text shared; ``removed[name]``: True where it is left out of clean text; ``labels[name]``:
    a function from a span to the predicted block label (or None); ``dup_pairs``: predicted
    near-duplicate pairs.
    """
    out: dict = {}
    if shared is not None:
        tp = fp = fn = 0
        story_total = story_kept = bg_total = bg_removed = 0
        truth, predicted = [], []
        for art in bench.articles:
            mask, rem = shared[art.name], removed[art.name]
            for k, piece in enumerate(art.pieces):
                covered = mask[piece.start : piece.end].mean()
                is_bg = piece.label[0] != "story"
                hit = covered > 0.5
                tp += hit and is_bg
                fp += hit and not is_bg
                fn += (not hit) and is_bg
                length = piece.end - piece.start
                if is_bg:
                    bg_total += length
                    bg_removed += int(rem[piece.start : piece.end].sum())
                    truth.append(piece.label)
                    label = labels(art.name, piece) if hit else None
                    predicted.append(label if label is not None else ("none", art.name, k))
                else:
                    story_total += length
                    story_kept += length - int(rem[piece.start : piece.end].sum())
        out["para_precision"] = tp / (tp + fp) if tp + fp else 0.0
        out["para_recall"] = tp / (tp + fn) if tp + fn else 0.0
        out["ari"] = adjusted_rand_index(truth, predicted)
        out["story_kept"] = story_kept / story_total
        out["background_removed"] = bg_removed / bg_total
    if dup_pairs is not None:
        true = bench.duplicate_pairs
        hit = len(dup_pairs & true)
        out["dup_precision"] = hit / len(dup_pairs) if dup_pairs else 1.0
        out["dup_recall"] = hit / len(true) if true else 1.0
        out["false_dups_bg_only"] = len(dup_pairs & bench.background_only_pairs)
    return out


def _pairs_from_groups(groups: dict) -> set:
    members = defaultdict(list)
    for name, g in groups.items():
        members[g].append(name)
    return {
        (min(a, b), max(a, b))
        for names in members.values()
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    }


# -- methods ---------------------------------------------------------------------------------


def run_newscorpus(bench: synth.Benchmark) -> tuple[dict, float]:
    docs = [Document(a.name, a.text, {"date": a.date}) for a in bench.articles]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        corpus = build(docs, Path(tmp) / "bench.db")
        seconds = time.perf_counter() - started
        shared, removed, seg_of, groups = {}, {}, {}, {}
        lossless = 0
        originals = {a.name: a.text for a in bench.articles}
        for art in corpus.articles():
            n = len(art.text)
            mask = np.zeros(n, dtype=bool)
            rem = np.zeros(n, dtype=bool)
            for s in art.segments:
                if s.kind == "shared":
                    mask[s.start : s.end] = True
                if s.kind != "novel":
                    rem[s.start : s.end] = True
            shared[art.name], removed[art.name] = mask, rem
            seg_of[art.name] = [s for s in art.segments if s.kind == "shared"]
            groups[art.name] = art.duplicate_of or art.name
            lossless += art.text == originals[art.name]
        corpus.close()

    def labels(name: str, piece: synth.Piece):
        best, best_len = None, 0
        for s in seg_of[name]:
            overlap = min(s.end, piece.end) - max(s.start, piece.start)
            if overlap > best_len:
                best, best_len = s.block, overlap
        return best

    result = score(bench, shared, labels, removed, _pairs_from_groups(groups))
    result["lossless"] = lossless / len(bench.articles)
    return result, seconds


_NORM_PUNCT = re.compile(r"[^\w\s]")
_NORM_DIGIT = re.compile(r"\d")


def _ccnet_normalise(line: str) -> str:
    line = unicodedata.normalize("NFD", line.lower())
    line = "".join(c for c in line if not unicodedata.combining(c))
    line = _NORM_DIGIT.sub("0", _NORM_PUNCT.sub("", line))
    return " ".join(line.split())


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def run_exact_paragraphs(bench: synth.Benchmark) -> tuple[dict, float]:
    started = time.perf_counter()
    docs_of = defaultdict(set)
    keyed = {}
    for art in bench.articles:
        keys = [(_ccnet_normalise(art.text[s:e]), s, e) for s, e in _lines(art.text)]
        keyed[art.name] = keys
        for k, _, _ in keys:
            docs_of[hash(k)].add(art.name)
    shared, line_label = {}, {}
    for art in bench.articles:
        mask = np.zeros(len(art.text), dtype=bool)
        spans = []
        for k, s, e in keyed[art.name]:
            if len(docs_of[hash(k)]) >= 2:
                mask[s:e] = True
                spans.append((s, e, k))
        shared[art.name] = mask
        line_label[art.name] = spans
    seconds = time.perf_counter() - started
    return score(bench, shared, _span_labels(line_label), shared, None), seconds


def _span_labels(spans_of: dict):
    def labels(name, piece):
        best, best_len = None, 0
        for s, e, label in spans_of[name]:
            overlap = min(e, piece.end) - max(s, piece.start)
            if overlap > best_len:
                best, best_len = label, overlap
        return best

    return labels


def _minhash(tokens: list[str], k: int) -> MinHash:
    m = MinHash(num_perm=128)
    grams = [" ".join(tokens[i : i + k]).encode() for i in range(max(len(tokens) - k + 1, 1))]
    m.update_batch(grams)
    return m


def run_datasketch_paragraphs(bench: synth.Benchmark) -> tuple[dict, float]:
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    entries = []
    for art in bench.articles:
        for s, e in _lines(art.text):
            tokens = synth.words(art.text[s:e])
            if not tokens:
                continue
            key = f"{art.name}\0{s}"
            m = _minhash(tokens, 3)
            lsh.insert(key, m)
            entries.append((key, art.name, s, e, m))
    parent = {key: key for key, *_ in entries}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    shared_keys = set()
    for key, name, _start, _end, m in entries:
        for other in lsh.query(m):
            if other.split("\0")[0] != name:
                shared_keys.add(key)
                ra, rb = find(key), find(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    shared, spans_of = {}, defaultdict(list)
    for art in bench.articles:
        shared[art.name] = np.zeros(len(art.text), dtype=bool)
    for key, name, s, e, _sketch in entries:
        if key in shared_keys:
            shared[name][s:e] = True
            spans_of[name].append((s, e, find(key)))
    seconds = time.perf_counter() - started
    return score(bench, shared, _span_labels(spans_of), shared, None), seconds


def run_document_minhash(bench: synth.Benchmark) -> tuple[dict, float]:
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    sigs = {}
    for art in bench.articles:
        m = _minhash(synth.words(art.text), 5)
        sigs[art.name] = m
        lsh.insert(art.name, m)
    parent = {name: name for name in sigs}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for name, m in sigs.items():
        for other in lsh.query(m):
            if other != name and m.jaccard(sigs[other]) >= 0.7:
                ra, rb = find(name), find(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    pairs = _pairs_from_groups({name: find(name) for name in sigs})
    seconds = time.perf_counter() - started
    return score(bench, None, None, None, pairs), seconds


# -- report ----------------------------------------------------------------------------------

_COLUMNS = [
    ("para_precision", "shared-para P", "{:.3f}"),
    ("para_recall", "shared-para R", "{:.3f}"),
    ("ari", "block ARI", "{:.3f}"),
    ("story_kept", "story kept", "{:.3f}"),
    ("background_removed", "background removed", "{:.3f}"),
    ("dup_precision", "dup P", "{:.3f}"),
    ("dup_recall", "dup R", "{:.3f}"),
    ("false_dups_bg_only", "false dups (bg-only pairs)", "{}"),
    ("lossless", "lossless", "{:.0%}"),
]


def table(rows: list[tuple[str, dict, float]]) -> str:
    head = "| method | " + " | ".join(c[1] for c in _COLUMNS) + " | seconds |"
    sep = "|" + "---|" * (len(_COLUMNS) + 2)
    lines = [head, sep]
    for name, result, seconds in rows:
        cells = [fmt.format(result[key]) if key in result else "—" for key, _, fmt in _COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {seconds:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stories", type=int, default=1200)
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    parser.add_argument(
        "--only", help="run only this method (newscorpus, exact, datasketch, document)"
    )
    args = parser.parse_args()
    bench = synth.make(seed=args.seed, n_stories=args.stories)
    size = sum(len(a.text) for a in bench.articles)
    bg = sum(p.end - p.start for a in bench.articles for p in a.pieces if p.label[0] != "story")
    summary = (
        f"{len(bench.articles)} articles, {size / 1e6:.1f} MB, {bg / size:.0%} of characters "
        f"background or furniture, {len(bench.duplicate_pairs)} near-duplicate pairs, "
        f"{len(bench.background_only_pairs)} pairs that share only backgrounds (seed {args.seed})"
    )
    print(summary, flush=True)
    methods = [
        ("newscorpus", run_newscorpus),
        ("exact paragraph hashing (CCNet-style)", run_exact_paragraphs),
        ("datasketch MinHashLSH per paragraph", run_datasketch_paragraphs),
        ("whole-article MinHash dedup (text-dedup/datatrove-style)", run_document_minhash),
    ]
    rows = []
    for name, fn in methods:
        if args.only and not name.startswith(args.only) and args.only not in name:
            continue
        result, seconds = fn(bench)
        rows.append((name, result, seconds))
        print(name, {k: round(v, 4) for k, v in result.items()}, f"{seconds:.1f}s", flush=True)
    text = table(rows)
    print(text)
    if args.write:
        block = f"{_BEGIN}\n{summary}\n\n{text}\n{_END}"
        readme = README.read_text(encoding="utf-8") if README.exists() else ""
        if _BEGIN in readme:
            readme = (
                readme[: readme.index(_BEGIN)] + block + readme[readme.index(_END) + len(_END) :]
            )
        else:
            readme += "\n" + block + "\n"
        README.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
