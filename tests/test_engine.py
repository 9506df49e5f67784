"""The engine on the seeds (against gold.json) and its properties: lossless, deterministic,
independent of input order, copies judged on their own text."""

import gc
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import corpora

from newscorpus import Corpus, Document, InputError, Inputs, blocks, build, iter_documents
from newscorpus.export import export_jsonl

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "tests" / "data" / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Corpus:
    path = tmp_path_factory.mktemp("seeds") / "s.db"
    return build(iter_documents(ROOT / "seeds"), path)


def test_seeds_find_exactly_the_gold_blocks(seeds):
    blocks = seeds.blocks()
    assert len(blocks) == len(GOLD["blocks"]) == 5
    found = {}
    for block in blocks:
        names = seeds.block_articles(block.id)
        texts = {}
        for name in names:
            article = seeds.article(name)
            (segment,) = [s for s in article.segments if s.block == block.id]
            texts[name] = article.text[segment.start : segment.end]
        found[block.id] = texts
    for label, gold_texts in GOLD["blocks"].items():
        matches = [bid for bid, texts in found.items() if texts == gold_texts]
        assert len(matches) == 1, f"gold block {label} not found exactly"


def test_seeds_002_has_no_block_and_nothing_is_a_copy(seeds):
    assert not [s for s in seeds.article("002_00a0fac8a431ad56.txt").segments if s.kind == "shared"]
    assert seeds.duplicates() == []
    assert all(a.duplicate_of is None for a in seeds.articles())


def test_seeds_rebuild_exactly(seeds):
    for article in seeds.articles():
        original = (ROOT / "seeds" / article.name).read_bytes().decode("utf-8")
        assert article.text == original
        assert [s.start for s in article.segments][0] == 0
        assert article.segments[-1].end == len(original)
        assert all(a.end == b.start for a, b in zip(article.segments, article.segments[1:]))


def test_seeds_clean_text_is_the_story(seeds):
    article = seeds.article("004_7b5bf0ff46632ae1.txt")
    clean = article.clean_text
    assert clean.startswith("French Foreign Minister Jean-Yves Le Drian")
    assert "Following over a month" not in clean
    assert "More about" not in clean
    assert "Read: 715" not in clean


def test_seed_block_variants_keep_their_wording(seeds):
    for block in seeds.blocks():
        texts = {v.text for v in seeds.variants(block.id)}
        assert block.text in texts
    ceasefire = next(b for b in seeds.blocks() if b.text.startswith("A complete ceasefire"))
    assert ceasefire.variants == 3  # "is introduced", "were introduced", "on Nov. 10, 2020"


def _export(corpus: Corpus) -> list[dict]:
    import io

    buf = io.StringIO()
    export_jsonl(corpus, buf)
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def _seed_docs() -> list[Document]:
    return list(iter_documents(ROOT / "seeds"))


def test_building_twice_gives_identical_exports(tmp_path):
    a = build(_seed_docs(), tmp_path / "a.db")
    b = build(_seed_docs(), tmp_path / "b.db")
    assert _export(a) == _export(b)


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """A build pauses Python's cyclic collector while it runs: the process that called it
    gets it back as it was, also when the build fails."""
    assert gc.isenabled()
    build(_seed_docs(), tmp_path / "a.db").close()
    assert gc.isenabled()
    with pytest.raises(InputError):
        build([Document("a", "One story."), Document("a", "Another story.")], tmp_path / "b.db")
    assert gc.isenabled()
    gc.disable()
    try:
        build(_seed_docs(), tmp_path / "c.db").close()
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- a small corpus with planted backgrounds and copies ---------------------------------------

_WORDS = [f"w{i}" for i in range(3000)]


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _planted(seed: int) -> tuple[list[Document], set[tuple[str, str]], list[str]]:
    """Stories with one of two shared backgrounds (lightly reworded), plus copies of some
    stories that carry the *other* background."""
    rng = random.Random(seed)
    backgrounds = [" ".join(_sentence(rng) for _ in range(2)) for _ in range(2)]
    docs, copies = [], set()
    for s in range(8):
        story = [" ".join(_sentence(rng) for _ in range(3)) for _ in range(3)]
        bg = backgrounds[s % 2]
        variant = bg.replace(bg.split()[3], "reportedly " + bg.split()[3], 1)
        docs.append(Document(f"s{s}.txt", "\n\n".join(story + [variant if s % 3 else bg])))
        if s < 3:
            copy = [p.replace(p.split()[5], "also " + p.split()[5], 1) for p in story]
            docs.append(Document(f"s{s}-copy.txt", "\n".join(copy + [backgrounds[1 - s % 2]])))
            copies.add((f"s{s}.txt", f"s{s}-copy.txt"))  # (original, copy)
    return docs, copies, backgrounds


def test_copies_are_judged_on_their_own_text(tmp_path):
    docs, copies, backgrounds = _planted(1)
    corpus = build(docs, tmp_path / "p.db")
    # Without dates, the earliest name is the one the other copies point at.
    found = {(d.of, d.name) for d in corpus.duplicates()}
    assert found == {(min(pair), max(pair)) for pair in copies}
    carriers = {frozenset(corpus.block_articles(b.id)) for b in corpus.blocks()}
    texts = {d.name: d.text for d in docs}
    expected = {
        frozenset(name for name, text in texts.items() if bg.split(".")[0][-20:] in text)
        for bg in backgrounds
    }
    assert carriers == expected
    for article in corpus.articles():
        shared = [s for s in article.segments if s.kind == "shared"]
        assert len(shared) == 1  # the background only: the story copies share stays own text
        assert article.text == texts[article.name]


_TEMPLATE = (
    "{country} has been authorized to purchase about {tonnes} tonnes of U.S. {crop} under the "
    "export credit guarantee program for fiscal year {year}, the U.S. Agriculture Department "
    "said on {day}.\n\n"
    "The department said the sales of {crop} to {country} must be registered before {month} 30 "
    "and shipped by {month} 31, and that the guarantee covers {share} percent of the credit "
    "extended by the exporting banks{also}.\n\n"
    "Officials in {city} said the purchase would be financed over three years and that the "
    "first deliveries were expected within the following months."
)


def test_reports_made_from_one_template_with_other_facts_are_not_copies(tmp_path):
    """Copies of one story carry the same facts (figures and names): two reports made from one
    template, every passage the same but for its facts, are not copies of each other, while a
    reworded copy that keeps the facts is one."""
    egypt = dict(country="Egypt", tonnes="200,000", crop="wheat", year="1987", day="Tuesday")
    egypt |= dict(month="June", share="98", city="Cairo")
    zaire = dict(country="Zaire", tonnes="30,000", crop="rice", year="1988", day="Friday")
    zaire |= dict(month="August", share="90", city="Kinshasa")
    docs = [
        Document("a-egypt", _TEMPLATE.format(**egypt, also="")),
        Document("b-egypt-again", _TEMPLATE.format(**egypt, also=" as well")),
        Document("c-zaire", _TEMPLATE.format(**zaire, also="")),
    ]
    corpus = build(docs, tmp_path / "t.db")
    assert {(d.of, d.name) for d in corpus.duplicates()} == {("a-egypt", "b-egypt-again")}


def _memberships(corpus: Corpus) -> tuple[set, set]:
    blocks = {frozenset(corpus.block_articles(b.id)) for b in corpus.blocks()}
    groups = {}
    for a in corpus.articles():
        groups.setdefault(a.duplicate_of or a.name, set()).add(a.name)
    pairs = {(min(x, y), max(x, y)) for g in groups.values() for x in g for y in g if x != y}
    return blocks, pairs


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False))
def test_shuffling_input_changes_no_block_membership_and_no_duplicate_pair(tmp_path, rnd):
    docs, _, _ = _planted(2)
    docs = docs + _seed_docs()
    reference = build(docs, tmp_path / "ref.db")
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    other = build(shuffled, tmp_path / "shuf.db")
    assert _memberships(reference) == _memberships(other)
    assert [b.id for b in reference.blocks()] == [b.id for b in other.blocks()]
    by_name = {a["name"]: a for a in _export(reference)}
    for a in _export(other):
        assert a == by_name[a["name"]]


# -- the analysis shared by processes ---------------------------------------------------------


def test_the_analysis_on_two_processes_gives_the_store_of_one(tmp_path, generated):
    """With ``workers`` > 1 the analysis judges copies, cuts glued runs and finds glued
    furniture in forked processes: on a generated corpus with planted backgrounds, copies,
    furniture and glued sentences, the store is the one of a single process."""
    inputs = Inputs([generated], name_field="name")
    one = build(inputs, tmp_path / "one.db", workers=1)
    two = build(inputs, tmp_path / "two.db", workers=2)
    assert _export(one) == _export(two)
    assert one.stats["blocks"] == two.stats["blocks"] > 100
    assert len(one.duplicates()) == len(two.duplicates()) > 10


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(corpora(max_articles=8))
def test_any_corpus_gives_one_store_on_one_or_three_processes(
    tmp_path_factory, monkeypatch, articles
):
    monkeypatch.setattr(blocks, "_GRAMS_CHARS", 1)  # each block's wordings cut on their own
    folder = tmp_path_factory.mktemp("workers")
    docs = [Document(name, text) for name, text in articles]
    assert _export(build(docs, folder / "one.db", workers=1)) == _export(
        build(docs, folder / "three.db", workers=3)
    )


def _dying_batch(rows):
    """In place of `newscorpus.build._prepare_batch` in a worker process: the process dies."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_preparing_articles_that_dies_fails_the_build_cleanly(
    generated, tmp_path, monkeypatch
):
    """A worker process of a local build killed as it prepares a batch (the kernel's OOM
    killer, a SIGKILL) fails the build with an `EngineError` naming it, and writes nothing: a
    `multiprocessing.Pool` would have waited for its batch for ever."""
    import sys

    from newscorpus.errors import EngineError

    monkeypatch.setattr(sys.modules["newscorpus.build"], "_prepare_batch", _dying_batch)
    store = tmp_path / "news.db"
    with pytest.raises(EngineError, match="a process preparing the articles died"):
        build(Inputs([generated], name_field="name"), store, workers=2)
    assert not list(tmp_path.iterdir())


def _dying_bands(*args):
    """In place of `newscorpus.blocks._passing` in a process of the analysis: it dies."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_of_the_analysis_that_dies_fails_the_build_cleanly(
    generated, tmp_path, monkeypatch
):
    """A process the analysis forks (here one verifying LSH bands) killed (SIGKILL) fails the
    build with an `EngineError` naming it, and writes nothing: a `multiprocessing.Pool` would
    have waited for its share for ever."""
    from newscorpus import blocks
    from newscorpus.errors import EngineError

    monkeypatch.setattr(blocks, "_passing", _dying_bands)
    store = tmp_path / "news.db"
    with pytest.raises(EngineError, match="a process of the analysis died"):
        build(Inputs([generated], name_field="name"), store, workers=2)
    assert not list(tmp_path.iterdir())
