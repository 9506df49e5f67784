"""A labelled benchmark corpus made from real news, deterministic from a seed.

Real stories come from one corpus (BBC News), real background paragraphs from another
(Reuters-21578). Backgrounds are grouped into topics; each topic's paragraphs are planted in
several different stories, every time with seed-like edits (words dropped or inserted, a clause
added, a date rewritten), some heavier, down to a word-3-gram Jaccard of 0.35 against the
original. Some articles lose their paragraph breaks (a background glued to the paragraph before
it), some are all one line, sites add furniture lines (share widgets, copyright footers), and
some stories are syndicated: copies with light edits that carry *different* backgrounds.

Every character of every article is labelled: story (which story), background (which topic
paragraph), or furniture (which line). The corpora are read in place and nothing from them is
written into the repository.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Page furniture, written for this benchmark (not taken from any corpus): per site, lines that
# a scraper picks up on every page.
_FURNITURE = [
    ["Share this article", "© 2021 Daily Ledger. All rights reserved."],
    ["Advertisement"],
    ["Follow us on Twitter and Facebook for the latest updates from our newsroom."],
    ["Sign up for our morning newsletter to get the day's top stories in your inbox."],
    ["Read more:", "This article was produced by the Metro Desk and may be republished."],
    ["Comments are closed for this story."],
    [
        "Copyright 2020 Valley Press Group. This material may not be published, broadcast, "
        "rewritten or redistributed."
    ],
    [],
    [],
    ["Related coverage"],
]
_INSERT_WORDS = ["also", "reportedly", "earlier", "now", "still", "then", "officially", "again"]
_CLAUSES = [
    "from late Sept. to early Nov. 2020",
    "according to officials",
    "as reported earlier this week",
    "in the first half of the year",
    "despite repeated warnings",
    "after lengthy negotiations",
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@attrs.frozen
class Piece:
    """A labelled stretch of an article: ``label`` is ("story", story, paragraph),
    ("background", topic paragraph) or ("furniture", line)."""

    start: int
    end: int
    label: tuple


@attrs.frozen
class Article:
    name: str
    text: str
    pieces: tuple[Piece, ...]
    story: int
    date: str


@attrs.frozen
class Benchmark:
    articles: tuple[Article, ...]
    duplicate_pairs: frozenset[tuple[str, str]]
    background_only_pairs: frozenset[tuple[str, str]]


def read_jsonl(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def jaccard3(a: str, b: str) -> float:
    """Word-3-gram Jaccard, the measure the issue states edits in."""

    def grams(t: str) -> set[tuple[str, ...]]:
        w = words(t)
        return {tuple(w[i : i + 3]) for i in range(max(len(w) - 2, 1))}

    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb) if ga | gb else 1.0


def _norm(p: str) -> str:
    return " ".join(words(p))


def _reused(paragraph_lists: list[list[str]], threshold: float = 0.3) -> set[int]:
    """Indices of the lists that reuse a paragraph of an earlier list, verbatim or reworded
    (word-3-gram Jaccard >= threshold by datasketch MinHashLSH). The real corpora reuse text
    between their own articles; the benchmark's labels are clean only without that."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    reused = set()
    for i, paras in enumerate(paragraph_lists):
        sketches = []
        for j, p in enumerate(paras):
            w = words(p)
            m = MinHash(num_perm=128)
            m.update_batch([" ".join(w[k : k + 3]).encode() for k in range(max(len(w) - 2, 1))])
            sketches.append((f"{i}:{j}", m))
            if any(int(key.split(":")[0]) != i for key in lsh.query(m)):
                reused.add(i)
        for key, m in sketches:
            lsh.insert(key, m)
    return reused


def load_stories(limit: int, rng: random.Random) -> list[list[str]]:
    """BBC stories as paragraph lists, without stories that reuse another's paragraphs (the
    corpus has exact and near duplicates and shared trailers; the labels must be clean)."""
    stories = [
        [p.strip() for p in d["text"].split("\n\n") if p.strip()]
        for d in read_jsonl(CORPORA / "bbc_news.jsonl.gz")
    ]
    stories = [s for s in stories if len(s) >= 3]
    # A story that repeats a line of another, or rewords one of its sentences, is out: compared
    # line by line exactly, and sentence by sentence at a lower similarity than the engine's.
    counts = Counter(_norm(p) for s in stories for p in set(s))
    repeated = {i for i, s in enumerate(stories) if any(counts[_norm(p)] > 1 for p in s)}
    reused = repeated | _reused(
        [[x for p in s for x in _SENTENCE_END.split(p) if len(words(x)) >= 6] for s in stories],
        threshold=0.3,
    )
    clean = [s for i, s in enumerate(stories) if i not in reused]
    rng.shuffle(clean)
    return clean[:limit]


def load_backgrounds(limit: int, rng: random.Random) -> list[str]:
    """Reuters paragraphs of 25 to 80 words that resemble no other paragraph of the corpus."""
    paras = [
        p.strip()
        for d in read_jsonl(CORPORA / "reuters21578.jsonl.gz")
        for p in d["text"].split("\n\n")
    ]
    counts = Counter(_norm(p) for p in paras)
    good = sorted({p for p in paras if 25 <= len(words(p)) <= 80 and counts[_norm(p)] == 1})
    rng.shuffle(good)
    picked = good[: limit * 2]
    reused = _reused([[p] for p in picked])
    return [p for i, p in enumerate(picked) if i not in reused][:limit]


def edit(text: str, rng: random.Random, operations: int) -> str:
    """Seed-like rewording: drop or insert words, add a clause, rewrite a number or a date.
    Sentence punctuation stays where it was, as an editor would leave it."""
    tokens = text.split(" ")
    if len(tokens) < 3:
        return text

    def ends_sentence(i: int) -> bool:
        return tokens[i][-1:] in ".!?"

    def inner_position() -> int:
        """A place to insert at: not the start of a sentence."""
        for _ in range(10):
            i = rng.randrange(1, len(tokens))
            if not ends_sentence(i - 1):
                return i
        return len(tokens) - 1

    for _ in range(operations):
        op = rng.random()
        if op < 0.3 and len(tokens) > 8:
            i = rng.randrange(1, len(tokens) - 1)
            if ends_sentence(i):
                tokens[i - 1] += tokens[i][-1]
            del tokens[i]
        elif op < 0.55:
            tokens.insert(inner_position(), rng.choice(_INSERT_WORDS))
        elif op < 0.75:
            i = inner_position()
            tokens[i:i] = rng.choice(_CLAUSES).split(" ")
        elif op < 0.9:
            numeric = [i for i, t in enumerate(tokens) if any(c.isdigit() for c in t)]
            i = rng.choice(numeric) if numeric else rng.randrange(len(tokens))
            tail = tokens[i][-1] if ends_sentence(i) or tokens[i][-1:] == "," else ""
            tokens[i] = (
                f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(1986, 2021)}{tail}"
            )
        else:
            i = rng.randrange(len(tokens))
            tokens[i] = {
                "is": "was",
                "was": "is",
                "are": "were",
                "were": "are",
                "the": "a",
                "a": "the",
            }.get(tokens[i], tokens[i])
    return " ".join(tokens)


def variant(text: str, rng: random.Random, heavy: bool) -> str:
    """An edited copy of a background paragraph: light (Jaccard 0.6 to 1) or heavy (0.35 to
    0.6), always at least 0.35 against the original."""
    if not heavy:
        ops = rng.choice([0, 0, 1, 1, 2, 3])
        return edit(text, rng, ops) if ops else text
    for _ in range(50):
        out = edit(text, rng, rng.randint(4, 12))
        if 0.35 <= jaccard3(text, out) < 0.6:
            return out
    return edit(text, rng, 3)


def _relabel_unshared(articles: list[Article]) -> list[Article]:
    """A planted paragraph that ended up in only one story (or only in copies of one story) is
    shared by no two different stories: it is that story's own text, and labelled so."""
    stories_of: dict[tuple, set[int]] = {}
    for art in articles:
        for p in art.pieces:
            if p.label[0] != "story":
                stories_of.setdefault(p.label, set()).add(art.story)
    out = []
    for art in articles:
        pieces = tuple(
            attrs.evolve(p, label=("story", art.story, "planted", p.label))
            if p.label[0] != "story" and len(stories_of[p.label]) < 2
            else p
            for p in art.pieces
        )
        out.append(attrs.evolve(art, pieces=pieces))
    return out


def make(
    seed: int = 0,
    n_stories: int = 1200,
    n_topics: int = 120,
    copy_rate: float = 0.15,
) -> Benchmark:
    """The benchmark corpus. Deterministic for a given seed and corpora."""
    rng = random.Random(seed)
    stories = load_stories(n_stories, rng)
    backgrounds = load_backgrounds(n_topics * 4, rng)
    topics: list[list[int]] = []
    pos = 0
    for _ in range(n_topics):
        size = rng.choice([1, 2, 2, 3, 3, 4, 5])
        if pos + size > len(backgrounds):
            break
        topics.append(list(range(pos, pos + size)))
        pos += size
    # Each topic goes to 3..12 stories; a story carries zero, one or (rarely) two topics.
    story_topics: dict[int, list[int]] = {s: [] for s in range(len(stories))}
    for t in range(len(topics)):
        for s in rng.sample(range(len(stories)), rng.randint(3, 12)):
            if len(story_topics[s]) < 2:
                story_topics[s].append(t)

    articles: list[Article] = []
    dup_pairs: set[tuple[str, str]] = set()
    group_of: dict[str, int] = {}
    topics_of: dict[str, set[int]] = {}

    def emit(story: int, paras: list[str], bg_topics: list[int], copy_no: int) -> str:
        name = f"s{story:05d}" + (f"-copy{copy_no}" if copy_no else "") + ".txt"
        site = rng.randrange(len(_FURNITURE))
        layout = rng.random()
        sep = "\n\n" if layout < 0.55 else "\n"
        one_line = layout >= 0.9
        blocks: list[tuple[str, tuple]] = [(p, ("story", story, i)) for i, p in enumerate(paras)]
        planted: list[tuple[str, tuple]] = []
        for t in bg_topics:
            for b in topics[t]:
                planted.append(
                    (variant(backgrounds[b], rng, heavy=rng.random() < 0.2), ("background", b))
                )
        at = len(blocks) if rng.random() < 0.75 else min(len(blocks), rng.randint(2, 4))
        blocks[at:at] = planted
        furniture = [(line, ("furniture", site, i)) for i, line in enumerate(_FURNITURE[site])]
        if furniture and site % 3 == 0:
            blocks = furniture[:1] + blocks + furniture[1:]
        else:
            blocks = blocks + furniture
        glue = set()
        if not one_line and planted and rng.random() < 0.2:
            first_bg = next(i for i, (_, lab) in enumerate(blocks) if lab[0] == "background")
            if first_bg > 0:
                glue.add(first_bg)
        text, pieces = "", []
        for i, (p, lab) in enumerate(blocks):
            if i:
                text += " " if one_line or i in glue else sep
            pieces.append(Piece(len(text), len(text) + len(p), lab))
            text += p
        if rng.random() < 0.3:
            text += "\n"
        date = f"20{rng.randint(10, 21):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        articles.append(Article(name, text, tuple(pieces), story, date))
        group_of[name] = story
        topics_of[name] = set(bg_topics)
        return name

    for s, paras in enumerate(stories):
        first = emit(s, paras, story_topics[s], 0)
        if rng.random() < copy_rate:
            names = [first]
            for c in range(1, rng.choice([1, 1, 2, 3]) + 1):
                copy = [edit(p, rng, 1) if rng.random() < 0.3 else p for p in paras]
                if len(copy) > 4 and rng.random() < 0.2:
                    copy = copy[:-1]
                other = [t for t in rng.sample(range(len(topics)), 2) if t not in story_topics[s]]
                names.append(emit(s, copy, other[: rng.choice([0, 1, 1])], c))
            dup_pairs.update(
                (min(a, b), max(a, b)) for i, a in enumerate(names) for b in names[i + 1 :]
            )
    articles = _relabel_unshared(articles)
    rng.shuffle(articles)
    by_topic: dict[int, list[str]] = {}
    for name, ts in topics_of.items():
        for t in ts:
            by_topic.setdefault(t, []).append(name)
    bg_only = {
        (min(a, b), max(a, b))
        for names in by_topic.values()
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if group_of[a] != group_of[b]
    }
    return Benchmark(tuple(articles), frozenset(dup_pairs), frozenset(bg_only))
