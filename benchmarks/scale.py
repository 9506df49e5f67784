"""Labelled corpora of any size (10 MB, 100 MB, 1 GB) made from real news, streamed to disk.

    .venv/bin/python benchmarks/scale.py [--size 10MB] [--seed 0] [--force] [--check]

The real corpora hold ~30 MB of text, so a 1 GB corpus cannot simply repeat their stories:
repeated story text *is* shared text, and the engine would rightly call it a block. Every
story here is therefore new text with the look of real news: a real story (BBC News or
article_comparisons) whose words are mapped through a substitution drawn for that story alone.
Each word becomes another real word of similar frequency and length (from one vocabulary
counted over all four corpora), with its shape kept: capitalisation, punctuation and spacing
stay, digits are permuted per story. Two stories made from one real story share a word with
probability 1/16 or less (the smallest substitution bucket), a word 3-gram with 1/4096 or less,
so generated stories share almost no 3-grams. ``--check`` measures it; on the 10 MB corpus
(seed 0): 1.4% of story 3-grams occur in another story and no two story paragraphs reach a
Jaccard of 0.25 (highest 0.14); one real story rendered 10 times: mean paragraph Jaccard 0.0001,
highest 0.14. Real BBC stories share more (20% of their 3-grams: stock phrases such as "one of
the"), so the generated text gives the engine fewer chance candidate pairs than real news does.

Backgrounds are real Reuters-21578 paragraphs (as `synth.py` picks them), planted with the
edits `synth.py` makes; a corpus that needs more than the real ones supply uses mapped copies of
them (each its own substitution), so that every size has the same density of backgrounds per
story. Layout, furniture, lost breaks, one-line articles and syndicated copies with different
backgrounds follow `synth.py`.

Written as it is made, with bounded memory (stories are made and shuffled 500 at a time):

- ``benchmarks/data/scale-SIZE-seedN.jsonl``: one article a line, ``name``, ``text``, ``date``;
- ``...labels.jsonl``: the same articles in the same order, each with its ``story``, the
  ``topics`` it carries and its labelled ``pieces``, ``[start, end, kind, ref]`` by character:
  kind 0 story (ref: paragraph), 1 background (ref: background paragraph id), 2 furniture
  (ref: site * 16 + line);
- ``...meta.json``: written last, with the seed, a fingerprint of this code, counts, and the
  generator's own time and peak memory. A corpus is reused only when its meta matches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import attrs
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
STORY_SOURCES = ("bbc_news", "article_comparisons")
CORPUS_NAMES = ("bbc_news", "article_comparisons", "reuters21578", "fakenewscorpus_sample")
STORY, BACKGROUND, FURNITURE = 0, 1, 2

_TOKEN = re.compile(r"([^\W\d_]+)|(\d+)")
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(KB|MB|GB)$", re.IGNORECASE)
_UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9}
_MIN_BUCKET = 16
_MIN_WORDS = 5
_TOPICS_PER_STORY = ([0, 1, 2], [0.45, 0.37, 0.18])
_CARRIERS_PER_TOPIC = 7.5  # as synth.py: each topic in 3 to 12 stories
_POPULAR_SHARE = 0.1  # of topic draws go to the most widely carried hundredth of topics
_COPY_RATE = 0.15  # of stories are syndicated, as synth.py:
_COPIES = [1, 1, 2, 3]  # copies of a syndicated story
_COPY_TOPICS = [0, 1, 1]  # topics a copy carries (different from the original's)
_MAX_REAL_BACKGROUNDS = 10000  # picking them costs ~1 s per 500 (synth.load_backgrounds)
_CHUNK = 500  # stories made and shuffled at a time
_M1, _M2, _M3 = (np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB))


def parse_size(text: str) -> int:
    """Bytes of article text (UTF-8) for a size such as ``10MB`` or ``1GB``.

    >>> parse_size("10MB"), parse_size("1GB"), parse_size("500KB")
    (10000000, 1000000000, 500000)
    """
    match = _SIZE.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected a size such as 10MB or 1GB, got {text!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


@attrs.frozen
class Paths:
    """The three files of one generated corpus."""

    corpus: Path
    labels: Path
    meta: Path

    @classmethod
    def of(cls, size: str, seed: int, folder: Path = DATA) -> Paths:
        stem = folder / f"scale-{size}-seed{seed}"
        return cls(Path(f"{stem}.jsonl"), Path(f"{stem}.labels.jsonl"), Path(f"{stem}.meta.json"))


def fingerprint() -> str:
    """A hash of the generator's code: a corpus made by other code is made again."""
    digest = hashlib.sha256()
    for name in ("scale.py", "synth.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


# -- vocabulary and word substitution --------------------------------------------------------


@attrs.frozen(eq=False)
class Template:
    """A real text, ready to be rendered with new words: ``tokens`` holds the literal text
    between words (words themselves are blank slots, digit runs are kept to be permuted),
    ``slots``/``ids``/``cases`` say where each word goes, its vocabulary id and its shape
    (0 lower, 1 capitalised, 2 upper case), ``paragraphs`` the token range of each paragraph."""

    tokens: np.ndarray
    slots: np.ndarray
    ids: np.ndarray
    cases: np.ndarray
    numbers: tuple[int, ...]
    paragraphs: tuple[tuple[int, int], ...]
    chars: int


def _case(word: str) -> int:
    if word.islower():
        return 0
    return 2 if len(word) > 1 and word.isupper() else 1


class Lexicon:
    """Real words grouped in buckets of similar frequency and length, and the per-text
    substitution that maps each word to another of its bucket.

    Words are ranked by frequency; ranks are cut into bands growing by half (16, 24, 36, ...
    words), each band sorted by length and cut into buckets of at least 16 words. A text's
    substitution is a seeded hash of (word, key): the same word always maps to the same word
    within the text, and to a given one with probability 1/bucket size across texts.
    """

    def __init__(self, counts: Counter) -> None:
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
        order: list[str] = []
        starts: list[int] = []
        sizes: list[int] = []
        begin = 0
        while begin < len(ranked):
            end = min(len(ranked), max(begin + _MIN_BUCKET, int(begin * 1.5)))
            if len(ranked) - end < _MIN_BUCKET:
                end = len(ranked)
            band = sorted(ranked[begin:end], key=lambda w: (len(w), w))
            cuts = np.linspace(0, len(band), max(1, len(band) // _MIN_BUCKET) + 1).astype(int)
            for a, b in zip(cuts[:-1], cuts[1:]):
                starts.extend([len(order)] * (b - a))
                sizes.extend([b - a] * (b - a))
                order.extend(band[a:b])
            begin = end
        self.index = {w: i for i, w in enumerate(order)}
        self.start = np.array(starts, dtype=np.uint64)
        self.size = np.array(sizes, dtype=np.uint64)
        forms = order + [w[:1].upper() + w[1:] for w in order] + [w.upper() for w in order]
        self.forms = np.array(forms, dtype=object)

    def _substitute(self, ids: np.ndarray, cases: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The substitutes of ``ids`` under ``keys`` (one per word), shaped by ``cases``."""
        h = ids.astype(np.uint64) * _M1 + keys  # then splitmix64's finaliser
        h = (h ^ (h >> np.uint64(30))) * _M2
        h = (h ^ (h >> np.uint64(27))) * _M3
        h ^= h >> np.uint64(31)
        target = (self.start[ids] + (h >> np.uint64(32)) % self.size[ids]).astype(np.int64)
        return self.forms[cases.astype(np.int64) * len(self.index) + target]

    def template(self, paragraphs: list[str]) -> Template:
        """A `Template` of ``paragraphs`` (their words must all be in the vocabulary)."""
        tokens: list[str] = []
        slots, ids, cases, numbers, ranges = [], [], [], [], []
        for para in paragraphs:
            first, pos = len(tokens), 0
            for m in _TOKEN.finditer(para):
                if m.start() > pos:
                    tokens.append(sys.intern(para[pos : m.start()]))
                word = m.group(1)
                if word is None:
                    numbers.append(len(tokens))
                    tokens.append(m.group(2))
                else:
                    slots.append(len(tokens))
                    ids.append(self.index[word.lower()])
                    cases.append(_case(word))
                    tokens.append("")
                pos = m.end()
            if pos < len(para):
                tokens.append(sys.intern(para[pos:]))
            ranges.append((first, len(tokens)))
        return Template(
            np.array(tokens, dtype=object),
            np.array(slots, dtype=np.int64),
            np.array(ids, dtype=np.int64),
            np.array(cases, dtype=np.int8),
            tuple(numbers),
            tuple(ranges),
            sum(len(p) for p in paragraphs),
        )

    def render(self, templates: list[Template], keys: list[int]) -> list[list[str]]:
        """The paragraphs of each template with every word substituted under its key (a
        64-bit number) and every digit permuted (0 stays 0, so numbers keep their length).
        One call renders many texts: numpy's cost per call is paid once."""
        counts = [len(t.ids) for t in templates]
        words = self._substitute(
            np.concatenate([t.ids for t in templates]),
            np.concatenate([t.cases for t in templates]),
            np.repeat(np.array(keys, dtype=np.uint64), counts),
        )
        out, at = [], 0
        for template, key, n in zip(templates, keys, counts):
            tokens = template.tokens.copy()
            tokens[template.slots] = words[at : at + n]
            at += n
            if template.numbers:
                table = str.maketrans(
                    "123456789", "".join(random.Random(key).sample("123456789", 9))
                )
                for slot in template.numbers:
                    tokens[slot] = tokens[slot].translate(table)
            out.append(["".join(tokens[a:b].tolist()) for a, b in template.paragraphs])
        return out


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _letter_words(line: str) -> int:
    return sum(1 for word, _ in _TOKEN.findall(line) if word)


def load_sources() -> tuple[Lexicon, list[Template]]:
    """The vocabulary of all four corpora and the story templates: real stories of three or
    more lines of at least five words of letters. Shorter lines, and lines made mostly of
    figures ("Updated: Jan 3, 2019 @ 6:32 pm"), are dropped: rendered from one real story, they
    would come out alike in several stories."""
    counts: Counter = Counter()
    stories: list[list[str]] = []
    for name in CORPUS_NAMES:
        for doc in synth.read_jsonl(synth.CORPORA / f"{name}.jsonl.gz"):
            counts.update(w for w, _ in _TOKEN.findall(doc["text"].lower()) if w)
            if name in STORY_SOURCES:
                lines = [p for p in _lines(doc["text"]) if _letter_words(p) >= _MIN_WORDS]
                if len(lines) >= 3:
                    stories.append(lines)
    lexicon = Lexicon(counts)
    return lexicon, [lexicon.template(s) for s in stories]


# -- backgrounds -----------------------------------------------------------------------------


class Backgrounds:
    """Background paragraph ``q`` of the corpus: real Reuters paragraph ``q % R`` as it is
    (``q < R``) or mapped through its own substitution (``q >= R``, once the real ones run
    out). Topic ``t`` holds paragraphs ``first[t] .. first[t] + size[t] - 1``."""

    def __init__(self, lexicon: Lexicon, real: list[str], sizes: list[int], key: int) -> None:
        self.lexicon, self.real, self.key = lexicon, real, key
        self.size = sizes
        self.first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
        self._mapped: dict[int, str] = {}

    def paragraphs(self, topic: int) -> range:
        return range(self.first[topic], self.first[topic] + self.size[topic])

    def text(self, q: int) -> str:
        if q < len(self.real):
            return self.real[q]
        if q not in self._mapped:
            template = self.lexicon.template([self.real[q % len(self.real)]])
            key = (q * 0x9E3779B97F4A7C15 + self.key) % 2**64
            self._mapped[q] = self.lexicon.render([template], [key])[0][0]
        return self._mapped[q]


# -- articles --------------------------------------------------------------------------------


@attrs.frozen
class Made:
    """One generated article and its labels."""

    name: str
    text: str
    date: str
    story: int
    topics: tuple[int, ...]
    pieces: tuple[tuple[int, int, int, int], ...]


def _layout(blocks: list[tuple[str, int, int]], n_planted: int, rng: random.Random) -> tuple:
    """Text and pieces of an article from its labelled blocks, laid out as synth.py does: a
    site's furniture at the top or bottom, paragraphs separated by a blank line or a line
    break, a tenth of the articles all on one line, a fifth of the others with backgrounds
    losing the break before the first one."""
    site = rng.randrange(len(synth._FURNITURE))
    layout = rng.random()
    sep = "\n\n" if layout < 0.55 else "\n"
    one_line = layout >= 0.9
    furniture = [(line, FURNITURE, site * 16 + i) for i, line in enumerate(synth._FURNITURE[site])]
    if furniture and site % 3 == 0:
        blocks = furniture[:1] + blocks + furniture[1:]
    else:
        blocks = blocks + furniture
    glue = -1
    if not one_line and n_planted and rng.random() < 0.2:
        glue = next(i for i, b in enumerate(blocks) if b[1] == BACKGROUND)
    parts, pieces, at = [], [], 0
    for i, (text, kind, ref) in enumerate(blocks):
        if i:
            gap = " " if one_line or i == glue else sep
            parts.append(gap)
            at += len(gap)
        pieces.append((at, at + len(text), kind, ref))
        parts.append(text)
        at += len(text)
    if rng.random() < 0.3:
        parts.append("\n")
    return "".join(parts), tuple(pieces)


class Generator:
    """Makes the articles of one corpus, story by story (see the module docstring)."""

    def __init__(self, seed: int, target_bytes: int) -> None:
        self.rng = random.Random(seed)
        self.lexicon, self.templates = load_sources()
        story_chars = float(np.mean([t.chars for t in self.templates]))
        draws_per_story = float(np.dot(*_TOPICS_PER_STORY))
        article_chars = story_chars + draws_per_story * 3 * 200 + 50  # topics of ~3 paragraphs
        copies = _COPY_RATE * float(np.mean(_COPIES))
        stories = target_bytes / ((1 + copies) * article_chars)
        draws = stories * (draws_per_story + copies * float(np.mean(_COPY_TOPICS)))
        self.n_topics = max(20, round(draws / _CARRIERS_PER_TOPIC))
        self.n_popular = max(2, self.n_topics // 100)
        sizes = [self.rng.choice([1, 2, 2, 3, 3, 4, 5]) for _ in range(self.n_topics)]
        real = synth.load_backgrounds(min(sum(sizes), _MAX_REAL_BACKGROUNDS), self.rng)
        self.backgrounds = Backgrounds(self.lexicon, real, sizes, self.rng.getrandbits(64))

    def _topic(self) -> int:
        if self.rng.random() < _POPULAR_SHARE:
            return self.rng.randrange(self.n_popular)
        return self.rng.randrange(self.n_topics)

    def _topics(self, count: int, exclude: tuple[int, ...] = ()) -> tuple[int, ...]:
        picked: list[int] = []
        for _ in range(count * 4):
            if len(picked) == count:
                break
            t = self._topic()
            if t not in picked and t not in exclude:
                picked.append(t)
        return tuple(picked)

    def _article(self, name: str, story: int, paras: list[str], topics: tuple[int, ...]) -> Made:
        rng = self.rng
        blocks = [(p, STORY, i) for i, p in enumerate(paras)]
        planted = [
            (synth.variant(self.backgrounds.text(q), rng, heavy=rng.random() < 0.2), BACKGROUND, q)
            for t in topics
            for q in self.backgrounds.paragraphs(t)
        ]
        at = len(blocks) if rng.random() < 0.75 else min(len(blocks), rng.randint(2, 4))
        blocks[at:at] = planted
        text, pieces = _layout(blocks, len(planted), rng)
        date = f"20{rng.randint(10, 21):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return Made(name, text, date, story, topics, pieces)

    def story(self, story: int, paras: list[str]) -> list[Made]:
        """The articles of one story, made of ``paras``: the original and, for some,
        syndicated copies with light edits that carry different backgrounds."""
        rng = self.rng
        topics = self._topics(rng.choices(*_TOPICS_PER_STORY)[0])
        name = f"s{story:07d}"
        made = [self._article(f"{name}.txt", story, paras, topics)]
        if rng.random() < _COPY_RATE:
            for c in range(1, rng.choice(_COPIES) + 1):
                copy = [synth.edit(p, rng, 1) if rng.random() < 0.3 else p for p in paras]
                if len(copy) > 4 and rng.random() < 0.2:
                    copy = copy[:-1]
                other = self._topics(rng.choice(_COPY_TOPICS), exclude=topics)
                made.append(self._article(f"{name}-copy{c}.txt", story, copy, other))
        return made

    def articles(self, target_bytes: int) -> Iterator[tuple[Made, int]]:
        """Articles with their UTF-8 text size until ``target_bytes`` of text are made. Stories
        are rendered and their articles shuffled a chunk at a time."""
        made, story = 0, 0
        while made < target_bytes:
            picks = [self.rng.randrange(len(self.templates)) for _ in range(_CHUNK)]
            keys = [self.rng.getrandbits(64) for _ in range(_CHUNK)]
            chunk: list[tuple[Made, int]] = []
            for paras in self.lexicon.render([self.templates[i] for i in picks], keys):
                for art in self.story(story, paras):
                    size = len(art.text.encode("utf-8"))
                    chunk.append((art, size))
                    made += size
                story += 1
                if made >= target_bytes:
                    break
            self.rng.shuffle(chunk)
            yield from chunk


# -- writing ---------------------------------------------------------------------------------


def _label_line(art: Made) -> str:
    record = {"name": art.name, "story": art.story, "topics": list(art.topics)}
    record["pieces"] = [list(p) for p in art.pieces]
    return json.dumps(record, separators=(",", ":"))


def _pair_counts(stories_of_topic: dict[int, Counter], copies: Counter) -> tuple[int, int]:
    """Near-duplicate pairs (all pairs of one story's articles) and background-only pairs
    (articles of different stories carrying one topic, counted per topic)."""
    dup = sum(n * (n - 1) // 2 for n in copies.values())
    bg = 0
    for counter in stories_of_topic.values():
        n = sum(counter.values())
        bg += n * (n - 1) // 2 - sum(k * (k - 1) // 2 for k in counter.values())
    return dup, bg


def generate(size: str, seed: int, folder: Path = DATA) -> dict:
    """Write the corpus, labels and meta of ``size`` and ``seed``; return the meta."""
    started = time.perf_counter()
    target = parse_size(size)
    paths = Paths.of(size, seed, folder)
    folder.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, target)
    articles = text_bytes = background_chars = chars = 0
    copies: Counter = Counter()
    stories_of_topic: dict[int, Counter] = defaultdict(Counter)
    tmp = [Path(f"{p}.part") for p in (paths.corpus, paths.labels)]
    with open(tmp[0], "w", encoding="utf-8") as out, open(tmp[1], "w", encoding="utf-8") as lab:
        for art, nbytes in gen.articles(target):
            record = {"name": art.name, "text": art.text, "date": art.date}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            lab.write(_label_line(art) + "\n")
            articles += 1
            text_bytes += nbytes
            chars += len(art.text)
            background_chars += sum(e - s for s, e, k, _ in art.pieces if k != STORY)
            copies[art.story] += 1
            for t in art.topics:
                stories_of_topic[t][art.story] += 1
    for t, p in zip(tmp, (paths.corpus, paths.labels)):
        t.replace(p)
    dup_pairs, bg_pairs = _pair_counts(stories_of_topic, copies)
    meta = {
        "size": size,
        "seed": seed,
        "fingerprint": fingerprint(),
        "articles": articles,
        "stories": len(copies),
        "text_mb": text_bytes / 1e6,
        "file_mb": paths.corpus.stat().st_size / 1e6,
        "background_share": background_chars / chars,
        "topics": gen.n_topics,
        "real_backgrounds": len(gen.backgrounds.real),
        "duplicate_pairs": dup_pairs,
        "background_only_pairs": bg_pairs,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    meta["story_sharing"] = sharing(story_paragraphs(paths, 20000))
    paths.meta.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def ensure(size: str, seed: int, folder: Path = DATA) -> tuple[Paths, dict]:
    """The corpus of ``size`` and ``seed``, generated unless one made by this code exists."""
    paths = Paths.of(size, seed, folder)
    if paths.meta.exists() and paths.corpus.exists() and paths.labels.exists():
        meta = json.loads(paths.meta.read_text(encoding="utf-8"))
        if meta.get("fingerprint") == fingerprint() and meta.get("seed") == seed:
            return paths, meta
    return paths, generate(size, seed, folder)


# -- reading labels --------------------------------------------------------------------------


@attrs.frozen
class Labels:
    """One article's labels, as written to the labels file."""

    name: str
    story: int
    topics: tuple[int, ...]
    pieces: tuple[tuple[int, int, int, int], ...]


def iter_labels(path: Path) -> Iterator[Labels]:
    """The labels of each article, in corpus order."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            pieces = tuple(tuple(p) for p in r["pieces"])
            yield Labels(r["name"], r["story"], tuple(r["topics"]), pieces)


def shared_labels(path: Path) -> set[tuple[int, int]]:
    """The (kind, ref) of planted paragraphs carried by two or more different stories. Any
    other planted paragraph is that story's own text (synth.py relabels them so too)."""
    first: dict[tuple[int, int], int] = {}
    shared: set[tuple[int, int]] = set()
    for art in iter_labels(path):
        for _, _, kind, ref in art.pieces:
            if kind != STORY:
                key = (kind, ref)
                if first.setdefault(key, art.story) != art.story:
                    shared.add(key)
    return shared


# -- checking that stories share no text -----------------------------------------------------


def _gram_rows(paragraphs: list[tuple[int, str]]) -> np.ndarray:
    """Rows (3-gram hash, paragraph, story), one per distinct 3-gram of each paragraph."""
    rows = []
    for p, (story, text) in enumerate(paragraphs):
        w = synth.words(text)
        grams = {hash(tuple(w[i : i + 3])) for i in range(len(w) - 2)}
        rows.extend((g, p, story) for g in grams)
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def sharing(paragraphs: list[tuple[int, str]], max_group: int = 50) -> dict:
    """How much text paragraphs of different stories share, by word 3-grams: the share of
    3-grams found in another story, and the exact Jaccard of paragraph pairs that share any
    3-gram (3-grams carried by more than ``max_group`` paragraphs, such as "one of the" in
    real news, are left out of pairing: alone they cannot make a pair similar)."""
    rows = _gram_rows(paragraphs)
    grams, inverse = np.unique(rows[:, 0], return_inverse=True)
    story_pairs = np.unique(np.stack([inverse, rows[:, 2]], axis=1), axis=0)
    stories_per_gram = np.bincount(story_pairs[:, 0], minlength=len(grams))
    shared_share = float((stories_per_gram[inverse] > 1).mean())
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order], prepend=-1, append=len(grams) + 1))
    sizes = np.bincount(rows[:, 1], minlength=len(paragraphs))
    pairs: Counter = Counter()
    for a, b in zip(bounds[:-1], bounds[1:]):
        if 1 < b - a <= max_group:
            members = rows[order[a:b]]
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    if members[i, 2] != members[j, 2]:
                        pairs[(int(members[i, 1]), int(members[j, 1]))] += 1
    jaccards = np.array([n / (sizes[a] + sizes[b] - n) for (a, b), n in pairs.items()] or [0.0])
    return {
        "paragraphs": len(paragraphs),
        "3-grams in another story": shared_share,
        "pairs sharing a 3-gram": len(pairs),
        "max pair Jaccard": float(jaccards.max()),
        "pairs at Jaccard >= 0.1": int((jaccards >= 0.1).sum()),
        "pairs at Jaccard >= 0.25": int((jaccards >= 0.25).sum()),
    }


def story_paragraphs(paths: Paths, limit: int) -> list[tuple[int, str]]:
    """(story, paragraph) of the first ``limit`` story paragraphs of originals (copies share
    their story's text by design)."""
    out: list[tuple[int, str]] = []
    with open(paths.corpus, encoding="utf-8") as corpus:
        for line, labels in zip(corpus, iter_labels(paths.labels)):
            if "-copy" in labels.name:
                continue
            text = json.loads(line)["text"]
            out.extend((labels.story, text[s:e]) for s, e, k, _ in labels.pieces if k == STORY)
            if len(out) >= limit:
                break
    return out[:limit]


def same_story_sharing(stories: int = 100, renders: int = 10, seed: int = 0) -> dict:
    """The worst case: word-3-gram Jaccard between the same paragraph of one real story
    rendered under different substitutions (a 1 GB corpus renders each real story ~80 times)."""
    lexicon, templates = load_sources()
    rng = random.Random(seed)
    jaccards = []
    for template in rng.sample(templates, stories):
        texts = lexicon.render([template] * renders, [rng.getrandbits(64) for _ in range(renders)])
        for i in range(len(texts[0])):
            for a in range(renders):
                jaccards.extend(
                    synth.jaccard3(texts[a][i], texts[b][i]) for b in range(a + 1, renders)
                )
    values = np.array(jaccards)
    return {
        "paragraph pairs": len(values),
        "mean Jaccard": float(values.mean()),
        "max Jaccard": float(values.max()),
        "pairs at Jaccard >= 0.1": int((values >= 0.1).sum()),
        "pairs at Jaccard >= 0.25": int((values >= 0.25).sum()),
    }


def real_paragraphs(limit: int) -> list[tuple[int, str]]:
    """(story, paragraph) of real BBC stories that reuse no text of another (synth.py's)."""
    stories = synth.load_stories(10**6, random.Random(0))
    return [(s, p) for s, paras in enumerate(stories) for p in paras][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10MB", help="text to make: 10MB, 100MB, 1GB ...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="make it again even if present")
    parser.add_argument(
        "--check",
        action="store_true",
        help="measure the 3-grams shared between stories, against real BBC stories",
    )
    args = parser.parse_args()
    parse_size(args.size)
    if args.force:
        meta = generate(args.size, args.seed)
        paths = Paths.of(args.size, args.seed)
    else:
        paths, meta = ensure(args.size, args.seed)
    print(json.dumps(meta, indent=1))
    if args.check:
        sample = story_paragraphs(paths, 40000)
        print("generated:", json.dumps(sharing(sample), indent=1))
        print("real BBC:", json.dumps(sharing(real_paragraphs(len(sample))), indent=1))
        print("one real story, rendered 10 times:", json.dumps(same_story_sharing(), indent=1))


if __name__ == "__main__":
    main()
