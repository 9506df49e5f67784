"""The copy groups and the article each copy copies (`Detector._copies`' last step), against
a reference written as the rule reads: a union-find, then the first of each group."""

import types

from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.blocks import Detector, _chosen, _components


def first_copies_by_union_find(n, pairs, dates, names):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in pairs:
        parent[find(x)] = find(y)
    groups = {}
    for a in range(n):
        groups.setdefault(find(a), []).append(a)
    duplicate_of = [-1] * n
    for members in groups.values():
        first = min(members, key=lambda a: (dates[a] is None, dates[a] or "", names[a]))
        for a in members:
            if a != first:
                duplicate_of[a] = first
    return sorted(sorted(g) for g in groups.values()), duplicate_of


@st.composite
def articles_and_verdicts(draw):
    n = draw(st.integers(1, 30))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    pairs = sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]})
    verdicts = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    dates = draw(
        st.lists(
            st.sampled_from([None, "2020-01-02", "2020-01-03", "2019-12-31"]),
            min_size=n,
            max_size=n,
        )
    )
    names = draw(st.permutations([f"a{i:02d}.txt" for i in range(n)]))
    return n, pairs, verdicts, dates, names


@settings(max_examples=300, deadline=None)
@given(articles_and_verdicts())
def test_copies_are_grouped_and_point_at_their_groups_first_article(case):
    n, pairs, verdicts, dates, names = case
    copies = [pair for pair, verdict in zip(pairs, verdicts) if verdict]
    groups = _components(n, _chosen(pairs, verdicts))
    found = {}
    for a, g in enumerate(groups.tolist()):
        found.setdefault(g, []).append(a)
    detector = types.SimpleNamespace(dates=dates, names=names)
    expected_groups, expected = first_copies_by_union_find(n, copies, dates, names)
    assert sorted(found.values()) == expected_groups
    assert Detector._first_copies(detector, groups) == expected
