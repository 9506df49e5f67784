"""The build's progress line: the share of input read is that of the articles finished."""

from __future__ import annotations

import io
import json

from newscorpus.readers import ReadMeter, iter_inputs
from newscorpus.report import Progress


def tracked(tmp_path, read_ahead: int) -> tuple[Progress, io.StringIO]:
    """A progress line over ten equal articles of which ``read_ahead`` have been read: a build
    reads ahead of the articles it has finished."""
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": "x" * 90}) + "\n" for i in range(10)))
    meter = ReadMeter()
    out = io.StringIO()
    progress = Progress(enabled=True, out=out, every=0.0, meter=meter)
    docs = progress.track(iter_inputs([path], meter=meter))
    assert len([next(docs) for _ in range(read_ahead)]) == read_ahead
    return progress, out


def test_share_read_is_taken_at_the_last_finished_article(tmp_path):
    progress, out = tracked(tmp_path, read_ahead=8)
    progress.update("reading", 4, None, 400)
    line = out.getvalue()
    assert "4 articles" in line and "40% of input" in line and "left to read" in line


def test_silent_when_disabled(tmp_path):
    out = io.StringIO()
    progress = Progress(enabled=False, out=out, every=0.0, meter=ReadMeter())
    assert list(progress.track(iter(["a", "b"]))) == ["a", "b"]
    progress.update("reading", 2, None, 10)
    progress.update("writing", 1, 2, 10)
    progress.done()
    assert out.getvalue() == ""


def test_an_add_shows_the_stored_articles_then_reads_the_new_ones(tmp_path):
    progress, out = tracked(tmp_path, read_ahead=5)  # new input is read while the store is
    progress.update("stored", 5000, None, 4_000_000)
    assert "taking up the stored articles: 5,000, 4.0 MB" in out.getvalue()
    assert "of input" not in out.getvalue()
    progress.update("reading", 2, None, 180)
    line = out.getvalue().rsplit("\r", 1)[-1]
    assert "reading: 2 articles" in line and "20% of input" in line
