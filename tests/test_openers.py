"""The clusters that open different stories (`_openers`), against a reference written as the
rule reads: one unit at a time."""

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.blocks import _FEW_COPIES, Carriers, _openers, head_array


def openers_one_unit_at_a_time(heads, cluster_articles, max_articles):
    openers = {c for c, arts in cluster_articles.items() if len(arts) > max_articles}
    for _ in range(4):
        following = defaultdict(set)
        for a, head in enumerate(heads):
            for i, c in enumerate(head):
                if c < 0 or c in openers:
                    continue
                nxt = "end"
                for j in range(i + 1, len(head)):
                    if head[j] not in openers:
                        nxt = head[j] if head[j] >= 0 else (a, j)
                        break
                carried = len(cluster_articles[c])
                if (
                    isinstance(nxt, int)
                    and carried <= _FEW_COPIES
                    and len(cluster_articles.get(nxt, ())) >= carried
                ):
                    continue
                following[c].add(nxt)
        found = {c for c, continuations in following.items() if len(continuations) >= 3}
        if found <= openers:
            break
        openers |= found
    return openers


@st.composite
def heads_and_clusters(draw):
    n_clusters = draw(st.integers(1, 10))
    unit = st.sampled_from([-1, *range(n_clusters)])
    heads = draw(st.lists(st.lists(unit, max_size=9), max_size=25))
    carried = st.integers(0, 2 * _FEW_COPIES)
    extra = draw(st.lists(carried, min_size=n_clusters, max_size=n_clusters))
    cluster_articles = {}
    for c in range(n_clusters):
        arts = sorted({a for a, h in enumerate(heads) if c in h} | set(range(100, 100 + extra[c])))
        if len(arts) >= 2:
            cluster_articles[c] = arts
    # A cluster in a head is one found in two or more articles; the others are -1.
    heads = [[c if c in cluster_articles else -1 for c in h] for h in heads]
    # A cluster is numbered by its smallest distinct unit: the numbers are far apart in a
    # large corpus (billions at a terabyte), which only the heads' own clusters may cost.
    spread = draw(st.sampled_from([1, 7, 10**12]))
    heads = [[c * spread if c >= 0 else c for c in h] for h in heads]
    cluster_articles = {c * spread: arts for c, arts in cluster_articles.items()}
    return heads, cluster_articles, draw(st.integers(1, 2 * _FEW_COPIES))


@settings(max_examples=400, deadline=None)
@given(heads_and_clusters())
def test_openers_are_those_of_the_rule_one_unit_at_a_time(case):
    heads, cluster_articles, max_articles = case
    expected = openers_one_unit_at_a_time(heads, cluster_articles, max_articles)
    assert _openers(head_array(heads), Carriers.of(cluster_articles), max_articles) == expected
