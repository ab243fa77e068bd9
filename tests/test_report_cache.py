"""The PDF cache: a hit renders nothing, the folder stays under its size limit by dropping the
least recently used files, and files unused for too long go."""

from __future__ import annotations

import os
import time
from pathlib import Path

from readiness.report.cache import cached_pdf, prune

KB = 1024


class Renderer:
    """A stand-in for the PDF renderer that counts its calls."""

    def __init__(self, size: int = KB) -> None:
        self.calls = 0
        self.size = size

    def __call__(self) -> bytes:
        self.calls += 1
        return b"%PDF" + bytes(self.size - 4)


def aged(path: Path, days: float) -> None:
    """Pretend `path` was last used `days` ago."""
    when = time.time() - days * 86400
    os.utime(path, (when, when))


def test_a_second_request_for_the_same_report_renders_nothing(tmp_path: Path):
    render = Renderer()
    first = cached_pdf(tmp_path, "k1", render)
    assert cached_pdf(tmp_path, "k1", render) == first
    assert render.calls == 1
    assert [p.name for p in tmp_path.iterdir()] == ["k1.pdf"]


def test_the_folder_keeps_under_its_limit_by_dropping_the_least_recently_used(tmp_path: Path):
    render = Renderer(10 * KB)
    for n, days in ((1, 3), (2, 2), (3, 1)):
        cached_pdf(tmp_path, f"k{n}", render, max_bytes=35 * KB)
        aged(tmp_path / f"k{n}.pdf", days)
    cached_pdf(tmp_path, "k1", render, max_bytes=35 * KB)  # a hit: k1 is now the freshest
    assert render.calls == 3

    cached_pdf(tmp_path, "k4", render, max_bytes=35 * KB)
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["k1.pdf", "k3.pdf", "k4.pdf"]


def test_the_file_just_written_stays_even_when_alone_it_exceeds_the_limit(tmp_path: Path):
    cached_pdf(tmp_path, "old", Renderer(), max_bytes=2 * KB)
    cached_pdf(tmp_path, "big", Renderer(8 * KB), max_bytes=2 * KB)
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["big.pdf"]


def test_reports_unused_for_too_long_and_abandoned_partial_files_go(tmp_path: Path):
    for name in ("stale.pdf", "recent.pdf", "killed.part", "writing.part"):
        (tmp_path / name).write_bytes(b"x")
    aged(tmp_path / "stale.pdf", 91)
    aged(tmp_path / "recent.pdf", 89)
    aged(tmp_path / "killed.part", 1)

    removed = prune(tmp_path, max_age_days=90)
    assert [p.name for p in removed] == ["stale.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recent.pdf", "writing.part"]
