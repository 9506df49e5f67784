"""Properties of the engine and store: every article comes back exactly, building is
deterministic, and the order of the input does not matter."""

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import TEXT_CHARACTERS, corpora

from newscorpus import Corpus, Document, build
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
