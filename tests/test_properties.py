"""Properties of the engine and store: every article comes back exactly, building is
deterministic, and the order of the input does not matter."""

import io
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import TEXT_CHARACTERS, corpora

from newscorpus import Corpus, Document, build
from newscorpus.blocks import _furniture_prefix, _glued_furniture
from newscorpus.export import export_jsonl
from newscorpus.store import apply_edit, make_edit

# A build per example: an eighth of the profile's examples (25 in "ci", 250 in "thorough").
_SLOW = settings(
    max_examples=max(settings.default.max_examples // 8, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _export(corpus: Corpus) -> dict[str, dict]:
    buf = io.StringIO()
    export_jsonl(corpus, buf)
    return {(r := json.loads(line))["name"]: r for line in buf.getvalue().splitlines()}


@_SLOW
@given(corpora())
def test_every_article_is_rebuilt_exactly(tmp_path, articles):
    corpus = build([Document(n, t) for n, t in articles], tmp_path / "p.db")
    exported = _export(corpus)
    for name, text in articles:
        record = exported[name]
        assert record["text"] == text
        segments = record["segments"]
        assert [s["start"] for s in segments[:1]] == ([0] if text else [])
        assert all(a["end"] == b["start"] for a, b in zip(segments, segments[1:]))
        assert (segments[-1]["end"] if segments else 0) == len(text)
        assert all((s["kind"] == "shared") == (s["block"] is not None) for s in segments)
    corpus.close()


@_SLOW
@given(corpora(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(tmp_path, articles, rnd):
    a = build([Document(n, t) for n, t in articles], tmp_path / "a.db")
    shuffled = list(articles)
    rnd.shuffle(shuffled)
    b = build([Document(n, t) for n, t in shuffled], tmp_path / "b.db")
    assert _export(a) == _export(b)
    assert [x.id for x in a.blocks()] == [x.id for x in b.blocks()]


@settings(max_examples=300, deadline=None)
@given(st.text(TEXT_CHARACTERS, max_size=80), st.text(TEXT_CHARACTERS, max_size=80))
def test_an_edit_turns_the_canonical_text_into_the_variant(canonical, variant):
    assert apply_edit(canonical, make_edit(canonical, variant)) == variant


# Words whose lower case starts differently from their first character's (the Kelvin sign,
# dotted capital I), ASCII and not, capitalised and not.
_WORDS_TRIED = ["share", "Share", "READ", "more", "\u212aey", "key", "İstanbul", "istanbul", "_x"]


@given(
    data=st.data(),
    words=st.lists(st.sampled_from(_WORDS_TRIED), min_size=1, max_size=40),
    separators=st.lists(st.sampled_from([" ", ". ", ", ", " (", "\n", "«"]), min_size=40),
)
def test_glued_furniture_is_found_as_the_unit_by_unit_search_finds_it(data, words, separators):
    """The prefilter of `_glued_furniture` (a unit's first ASCII character) rules out
    only units that `_furniture_prefix` rules out too: on texts of words, some of which start
    furniture lines, and units cut at random, the same units are found."""
    text = "".join(w + sep for w, sep in zip(words, separators))
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=12))))
    spans = list(zip([0, *cuts], [*cuts, len(text)]))  # empty ones too, at the very end
    keys = data.draw(st.lists(st.sampled_from(_WORDS_TRIED), min_size=1, max_size=3))
    furniture = {tuple(w.lower() for w in keys[:n]): n for n in range(1, len(keys) + 1)}
    first_words = {key[0] for key in furniture}
    array = np.array(spans, dtype=np.int64).T.reshape(2, -1)
    found = _glued_furniture(furniture, first_words, 7, text, array)
    expected = []
    for i, (start, end) in enumerate(spans):
        prefix = _furniture_prefix(text, start, end, furniture, first_words, 7)
        if prefix is not None:
            expected.append((i, *prefix))
    assert found == expected


@st.composite
def _units_in_parts(draw):
    """Units of whole articles (a cluster or -1, a paragraph, an article each, articles in
    order), a copy group per article, and cuts between articles: the parts a Dask build's
    pieces hold."""
    sizes = draw(st.lists(st.integers(0, 8), min_size=1, max_size=12))
    article = np.repeat(np.arange(len(sizes)), sizes)
    n = len(article)
    clusters = np.array(draw(st.lists(st.integers(-1, 5), min_size=n, max_size=n)), np.int64)
    paragraph = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int64)
    paragraph = np.maximum.accumulate(paragraph + 3 * article) if n else paragraph
    groups = np.array(draw(st.lists(st.integers(0, 3), min_size=len(sizes), max_size=len(sizes))))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(sizes)), max_size=4))) | {0, len(sizes)})
    return clusters, paragraph, article, groups, cuts


@given(_units_in_parts(), st.lists(st.integers(0, 5), unique=True))
def test_the_cluster_summaries_of_pieces_made_one_are_those_of_all_the_units(found, chosen):
    """What the workers find of the clusters of their pieces (`cluster_groups`,
    `joined_pairs`, `separated_pairs`), made one as `DaskEngine` makes it, is what the local
    engine finds of all the units at once: the backgrounds, the joined pairs with their
    counts, the separated pairs."""
    from newscorpus.blocks import (
        _components,
        cluster_groups,
        joined_pairs,
        merged_groups,
        separated_pairs,
    )
    from newscorpus.dask_engine import _WorkerRuns

    clusters, paragraph, article, groups, cuts = found
    figures = np.array([5], dtype=np.int64)
    background = np.array(sorted(chosen), dtype=np.int64)
    offsets = np.searchsorted(article, np.arange(len(groups) + 1))
    parts = []
    for lo, hi in zip(cuts, cuts[1:]):
        u, v = offsets[lo], offsets[hi]
        parts.append((clusters[u:v], paragraph[u:v], article[u:v] - lo, lo, hi))

    whole = merged_groups(cluster_groups(clusters, groups[article], figures))
    pieces = np.concatenate(
        [cluster_groups(c, groups[lo:hi][a], figures) for c, _, a, lo, hi in parts]
    )
    assert merged_groups(pieces).tolist() == whole.tolist()

    pairs, counts = joined_pairs(clusters, article, paragraph, background)
    held = object.__new__(_WorkerRuns)
    held.each = lambda function, *given, each=None: [
        joined_pairs(c, a, p, background) for c, p, a, _, _ in parts
    ]
    merged_pairs, merged_counts = held.joined(background)
    assert merged_pairs.tolist() == pairs.tolist()
    assert merged_counts.tolist() == counts.tolist()

    nodes = np.unique(pairs.ravel())
    group = _components(len(nodes), np.searchsorted(nodes, pairs)) if len(nodes) else nodes
    separated = separated_pairs(clusters, article, paragraph, nodes, group)
    held.each = lambda function, *given, each=None: [
        separated_pairs(c, a, p, nodes, group) for c, p, a, _, _ in parts
    ]
    assert held.separated(nodes, group).tolist() == separated.tolist()
