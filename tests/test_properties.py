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


@st.composite
def _held_pieces(draw):
    """Articles whose units are drawn from a few wordings (some without words, some with
    figures and names), each unit a line of the text, with a cluster each (or -1), cut
    into pieces as a Dask build's workers hold them."""
    from newscorpus.blocks import UNIT_RECORD
    from newscorpus.dask_engine import _Held

    wordings = ["", "Acme sold 12 cars", "Acme sold 14 cars", "the rain fell", "a b c d e f"]
    sizes = draw(st.lists(st.integers(0, 6), min_size=1, max_size=10))
    n = sum(sizes)
    chosen = draw(st.lists(st.integers(0, len(wordings) - 1), min_size=n, max_size=n))
    clusters = np.array(draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)), np.int64)
    records = np.zeros(n, dtype=UNIT_RECORD)
    texts, at = [], 0
    for size in sizes:
        lines, start = [], 0
        for w in chosen[at : at + size]:
            records[at]["start"], records[at]["end"] = start, start + len(wordings[w])
            records[at]["n_words"] = len(wordings[w].split())
            # A key per wording: the same words, the same key (a wordless unit's is its own).
            records[at]["key_low"], records[at]["key_high"] = w + 1, 0 if w else at + 7
            lines.append(wordings[w])
            start += len(wordings[w]) + 1
            at += 1
        texts.append("\n".join(lines))
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(sizes)), max_size=4))) | {0, len(sizes)})
    pieces = [
        (
            _Held(
                texts[lo:hi],
                [],
                [],
                records[offsets[lo] : offsets[hi]],
                offsets[lo : hi + 1] - offsets[lo],
            ),
            clusters[offsets[lo] : offsets[hi]].astype(np.int32),
        )
        for lo, hi in zip(cuts, cuts[1:])
    ]
    return texts, records, offsets, clusters, cuts, pieces


@given(_held_pieces(), st.data())
def test_what_the_workers_find_for_the_copies_is_what_the_local_engine_finds(found, data):
    """What the workers find of their pieces for the copies (`_WorkerRuns.heads`,
    `identical`, through the functions their tasks run; the second a shuffle in any number
    of parts), made one, is what the local engine finds of all the articles at once: the
    heads, the groups of articles with the same words throughout. (The verdicts, judged
    where the profiles and the facts are, are checked with the clusters, below.)"""
    import pickle
    import types
    from collections import defaultdict

    from newscorpus.blocks import article_heads, content_digests
    from newscorpus.dask_engine import _WorkerRuns

    texts, records, offsets, clusters, cuts, pieces = found
    n = len(texts)
    article = np.repeat(np.arange(n), np.diff(offsets))
    held = _WorkerRuns.__new__(_WorkerRuns)
    held.firsts = np.array(cuts, dtype=np.int64)
    parts = data.draw(st.integers(1, 3))
    held.engine = types.SimpleNamespace(
        _submit=lambda function, *args: function(*args),
        _part=lambda made, j: [m[j] for m in made],
        _call=lambda function, *args, **kwargs: function(*args, **kwargs),
        _workers=lambda: parts,
        client=types.SimpleNamespace(gather=list),
    )

    def each(function, *given, each=None, then=None):
        sent = [pickle.dumps(value) for value in given]
        found = [
            function(
                piece,
                None,
                pickle.dumps(mine),
                *sent,
                *([pickle.dumps(each[i])] if each is not None else []),
            )
            for i, (piece, mine) in enumerate(pieces)
        ]
        return then(found) if then is not None else found

    held.each = each
    n_words = records["n_words"].astype(np.int64)
    assert held.heads(7, 3).tolist() == article_heads(clusters, article, n_words, n, 7, 3).tolist()

    # The local engine's digests are of distinct unit ids (-1 for no words), the workers'
    # of keys: the groups of articles they make are the same.
    ids = np.unique(records[["key_low", "key_high"]], return_inverse=True)[1].ravel()
    ids = np.where(n_words > 0, ids, -1).astype(np.int64)

    groups = defaultdict(list)
    for a, digest in enumerate(content_digests(ids, offsets)):
        groups[digest].append(a)
    expected = sorted(g for d, g in groups.items() if d is not None and len(g) > 1)
    assert sorted(sorted(g) for g in held.identical()) == expected


@st.composite
def _keyed_pieces(draw):
    """Pieces of articles whose units have keys drawn from a few (so that keys repeat within
    a piece and across pieces), some without words, in batches as a piece's are."""
    from newscorpus.blocks import UNIT_RECORD

    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        batches = []
        for _ in range(draw(st.integers(0, 3))):
            sizes = draw(st.lists(st.integers(0, 5), max_size=4))
            n = sum(sizes)
            records = np.zeros(n, dtype=UNIT_RECORD)
            keys = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
            records["key_low"] = keys
            records["key_high"] = [(k * 7919) % 13 for k in keys]
            records["n_words"] = [0 if k == 0 else 1 + k % 9 for k in keys]
            records["figure"] = [k % 5 == 1 for k in keys]
            batches.append((records, np.r_[0, np.cumsum(sizes)].astype(np.int64)))
        pieces.append(batches)
    return pieces


@given(_keyed_pieces(), st.integers(1, 4))
def test_units_numbered_on_the_workers_are_numbered_as_the_detector_numbers_them(found, parts):
    """A Parquet build's workers number the units by their keys (`DaskEngine._number_units`,
    in any number of parts) as the `Detector` numbers them itself, and send the building
    process, per article, how many distinct units it brings and how many are signed
    (`_numbered`): the detector given those counts keeps as many signature rows of each
    article, and the workers keep, for the LSH, the ids, order keys and word counts of the
    signed units the detector keeps the signatures of (`_fresh_units`)."""
    import types

    from newscorpus.blocks import UNIT_RECORD, Detector, Prepared
    from newscorpus.dask_engine import DaskEngine, _fresh_units, _Held, _numbered
    from newscorpus.settings import Settings

    settings = Settings(min_minhash_words=4)
    engine = types.SimpleNamespace(
        stats={},
        client=types.SimpleNamespace(gather=list),
        _submit=lambda function, *args: function(*args),
        _part=lambda made, j: [m[j] for m in made],
        _call=lambda function, *args, **kwargs: function(*args, **kwargs),
        _workers=lambda: parts,
    )

    def prepared(records, offsets):
        signed = int(((records["n_words"] >= 4) & (records["figure"] == 0)).sum())
        rows = np.arange(signed * 2, dtype=np.uint16).reshape(signed, 2)
        return Prepared(records, offsets, rows)

    held, lean = [], []
    for batches in found:
        records = np.concatenate([r for r, _ in batches] or [np.zeros(0, UNIT_RECORD)])
        sizes = np.concatenate([np.diff(o) for _, o in batches] or [np.zeros(0, np.int64)])
        held.append(_Held([], [], [], records, np.r_[0, np.cumsum(sizes)].astype(np.int64)))
        # A piece's result as `_lean` gives it: the signatures' rows counted, none sent.
        sent = [(len(o) - 1, ([], [], prepared(r, o))) for r, o in batches]
        for _, (_, _, ready) in sent:
            object.__setattr__(ready, "signatures", ready.signatures[:, :0])
        lean.append(((None, sent), 0.0))

    numbers, bases = DaskEngine._number_units(engine, held)
    here, there = Detector(settings), Detector(settings)
    for piece, (batches, result, ids, base) in enumerate(zip(found, lean, numbers, bases)):
        (_, sent), _, _ = _numbered(result, ids, base, 4)
        assert len(sent) == len(batches)
        before = len(here._sig_ids)
        for (records, offsets), (_, (_, _, numbered)) in zip(batches, sent):
            assert numbered.records.dtype.names == ("fresh", "signed")
            n = len(offsets) - 1
            kept = here.add(prepared(records, offsets), [""] * n, ["a"] * n, [None] * n)
            given = there.add(numbered, [""] * n, ["a"] * n, [None] * n)
            assert [len(k) for k in given] == [len(k) for k in kept]
        signed = np.concatenate(here._sig_ids[before:] or [np.zeros(0, np.int64)])
        units = _fresh_units(held[piece], ids, base, 4, len(signed))
        assert units["id"].tolist() == signed.tolist()
        order = np.array(here._distinct_order, dtype=np.uint64)
        assert units["order"].tolist() == order[signed].tolist()
        words = np.array(here._distinct_words, dtype=np.int32)
        assert units["words"].tolist() == words[signed].tolist()
    assert np.concatenate(numbers or [np.zeros(0, np.int64)]).tolist() == list(here._unit_distinct)
    assert there._distinct_elsewhere == engine._distinct_total == len(here._distinct_words)
    assert there._signed_elsewhere == sum(len(a) for a in here._sig_ids)


@st.composite
def _clustered_pieces(draw):
    """Pieces of articles whose units (a line of words each, some whole lines, some lines of
    figures, some without words) are drawn from a few wordings, the distinct units put in a
    few clusters: what a Parquet build's workers hold, numbered, once the LSH is done."""
    from newscorpus.blocks import UNIT_RECORD

    vocabulary = ["", "ok", "ok go", "a b c d e", "x y z w v u", "1 2 3", "q r s t u v w"]
    sizes = draw(st.lists(st.integers(0, 6), min_size=1, max_size=14))
    n = sum(sizes)
    chosen = draw(st.lists(st.integers(0, len(vocabulary) - 1), min_size=n, max_size=n))
    whole = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    records = np.zeros(n, dtype=UNIT_RECORD)
    texts, at = [], 0
    for size in sizes:
        lines, start = [], 0
        for w in chosen[at : at + size]:
            words = vocabulary[w]
            records[at]["start"], records[at]["end"] = start, start + len(words)
            records[at]["n_words"] = len(words.split())
            records[at]["figure"] = words.startswith("1")
            records[at]["whole"] = whole[at]
            records[at]["key_low"], records[at]["key_high"] = w + 1, w * 31
            lines.append(words)
            start += len(words) + 1
            at += 1
        texts.append("\n".join(lines))
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(sizes)), max_size=4))) | {0, len(sizes)})
    groups = draw(st.lists(st.integers(0, 2), min_size=len(vocabulary), max_size=len(vocabulary)))
    return texts, records, offsets, cuts, groups


@given(_clustered_pieces(), st.integers(1, 3), st.data())
def test_the_units_clusters_found_on_the_workers_are_the_local_engines(found, parts, data):
    """Where the workers hold the units, numbered (a Parquet build), they find each unit's
    cluster and the clusters two or more articles carry (`_WorkerRuns.occurrences`: which
    short units stand alone on a line, summed over the pieces; a shuffle on the clusters in
    any number of parts), with each one's order key and figures flag, the furniture lines,
    and the copies' verdicts on pairs of articles, as the local engine finds them of all the
    units at once (`Detector._occurrence_clusters`, `_multi_article_clusters`,
    `_furniture_lines`, `_is_copy`, `_strict_verdict`, and where a pair shares passages,
    whether their facts agree: `_facts`, `_facts_agree`)."""
    import pickle
    import types
    from collections import defaultdict

    from newscorpus.blocks import Detector, Prepared, _facts_agree, _is_copy, _strict_verdict
    from newscorpus.dask_engine import _Held, _unit_clusters, _WorkerRuns
    from newscorpus.settings import Settings

    texts, records, offsets, cuts, groups = found
    n = len(texts)
    here = Detector(Settings(min_minhash_words=4))
    signed = int(((records["n_words"] >= 4) & (records["figure"] == 0)).sum())
    rows = np.zeros((signed, 2), np.uint16)
    here.add(Prepared(records, offsets, rows), texts, [str(a) for a in range(n)], [None] * n)
    ids = np.frombuffer(here._unit_distinct, dtype=np.int64)
    # The signed distinct units in clusters, each labelled by its smallest, as `_link` does
    # (the others, short or figures, are their own cluster).
    n_distinct = len(here._distinct_words)
    key_of = np.zeros(n_distinct, dtype=np.int64)
    key_of[ids[ids >= 0]] = records["key_low"][ids >= 0].astype(np.int64) - 1
    group = np.array(groups)[key_of]
    signed = (np.array(here._distinct_words) >= 4) & (np.array(here._distinct_figures) == 0)
    labels = np.arange(n_distinct)
    for g in set(group.tolist()):
        members = np.flatnonzero((group == g) & signed)
        if len(members):
            labels[members] = members.min()
    occ = here._occurrence_clusters(labels)
    carriers = here._multi_article_clusters(occ)
    flat, _ = here._flat(occ)

    pieces = [
        (
            _Held(
                texts[lo:hi],
                [],
                [],
                records[offsets[lo] : offsets[hi]],
                offsets[lo : hi + 1] - offsets[lo],
            ),
            ids[offsets[lo] : offsets[hi]],
        )
        for lo, hi in zip(cuts, cuts[1:])
    ]
    engine = types.SimpleNamespace(
        _texts=[(held, len(held.texts)) for held, _ in pieces],
        _sent=lambda values: [pickle.dumps(v) for v in values],
        _submit=lambda function, *args: function(*args),
        _part=lambda made, j: [m[j] for m in made],
        _call=lambda function, *args, **kwargs: function(*args, **kwargs),
        _again=lambda step: (step(), 1),
        _workers=lambda: parts,
        client=types.SimpleNamespace(gather=list, run=lambda *args, **kwargs: forgotten.append(1)),
        stats={},
    )
    forgotten = []
    moved = np.flatnonzero(labels != np.arange(n_distinct))
    held = _WorkerRuns(
        engine, [numbers for _, numbers in pieces], np.array(cuts), (moved, labels[moved]), 4
    )
    found_carriers = held.occurrences()
    assert found_carriers.clusters.tolist() == carriers.clusters.tolist()
    assert found_carriers.counts.tolist() == carriers.counts.tolist()
    assert found_carriers.order.tolist() == carriers.order.tolist()
    assert found_carriers.figures.tolist() == carriers.figures.tolist()
    assert carriers.figures.dtype == bool and carriers.order.dtype == np.uint64
    clusters = [_unit_clusters(h, numbers, held.definition) for h, numbers in pieces]
    assert np.concatenate(clusters or [np.zeros(0, np.int64)]).tolist() == flat.tolist()

    background = set(data.draw(st.lists(st.sampled_from(carriers.clusters.tolist() or [0]))))
    background &= set(carriers.clusters.tolist())
    assert dict(here._furniture_lines(occ, background, held)) == dict(
        here._furniture_lines(occ, background)
    )
    # Their articles stay there: how many carry both of two clusters is counted there.
    carried = carriers.clusters.tolist()
    if carried:
        drawn = data.draw(st.lists(st.tuples(*[st.sampled_from(carried)] * 2), max_size=12))
        both = np.array(drawn, dtype=np.int64).reshape(-1, 2)
        assert found_carriers.articles is None
        assert held.carried_both(both).tolist() == carriers.overlaps(both)[0].tolist()

    # The copies' verdicts on pairs of articles, judged where their profiles are made (each
    # piece's sent to the parts whose pairs want it), are those judged here, in both passes.
    drawn = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))))
    pairs = sorted({(min(p), max(p)) for p in drawn if p[0] != p[1]})
    profiles = here._profiles({a for pair in pairs for a in pair}, occ)
    s = here.settings
    rows = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    expected = [_is_copy(profiles[x], profiles[y], s) for x, y in pairs]
    assert held.verdicts(rows, None, s) == expected
    behind = np.array(sorted(background), dtype=np.int64)
    strict = [_strict_verdict(profiles[x], profiles[y], background, s) for x, y in pairs]
    asked = defaultdict(set)
    for (x, y), common in zip(pairs, strict):
        if isinstance(common, list):
            asked[x].update(common)
            asked[y].update(common)
    facts = here._facts(asked, occ, 1)
    expected = [
        common is True
        or (
            isinstance(common, list) and _facts_agree(facts[x], facts[y], common, s.duplicate_facts)
        )
        for (x, y), common in zip(pairs, strict)
    ]
    assert held.verdicts(rows, behind, s) == expected
    # The workers' kept facts of units go once the pairs are judged.
    assert forgotten == ([1] if pairs else [])
