"""The folder of rendered PDFs kept so a closed assessment's roadmap is not rendered again.

Files are named by `report.cache_key(html)` (format version + hash of the exact HTML), written
atomically, and the folder is held under a size limit: after each write the least recently
used files go (a hit marks a file used), and so do files not used for `max_age` days, such as
those left by an older template or questionnaire. No Flask here: the web route passes the
folder and limits from its configuration.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_AGE_DAYS = 90


def cached_pdf(cache_dir: Path, key: str, render: Callable[[], bytes], *,
               max_bytes: int = DEFAULT_MAX_BYTES,
               max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> bytes:
    """The PDF stored under `key`, or `render()`'s result, stored and the folder pruned."""
    path = cache_dir / f"{key}.pdf"
    try:
        pdf = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        _touch(path)
        return pdf
    pdf = render()
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    os.replace(temp, path)  # atomic: a concurrent reader sees the whole file or none
    prune(cache_dir, max_bytes=max_bytes, max_age_days=max_age_days, keep=path)
    return pdf


def prune(cache_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
          max_age_days: float = DEFAULT_MAX_AGE_DAYS, keep: Path | None = None) -> list[Path]:
    """Remove PDFs unused for `max_age_days`, then the least recently used ones until the
    folder holds at most `max_bytes` (never `keep`, the file just written); the removed."""
    now = time.time()
    files = []
    for path in cache_dir.glob("*.pdf"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed meanwhile by another worker
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    files.sort()  # least recently used first
    total = sum(size for _, size, _ in files)
    removed = []
    for used, size, path in files:
        if path == keep:
            continue
        if now - used <= max_age_days * 86400 and total <= max_bytes:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed.append(path)
    for stale in cache_dir.glob("*.part"):  # left by a worker killed while writing
        try:
            if now - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)
        except FileNotFoundError:
            continue
    return removed


def round_key(round_id: str, html_key: str) -> str:
    """The cache key of one round's PDF: the round's public id, a dot, the HTML's key (public
    ids hold no dot), so that `forget` finds every PDF of a deleted round in any language."""
    return f"{round_id}.{html_key}"


def forget(cache_dir: Path, round_id: str) -> int:
    """Remove every cached PDF of the round `round_id` (erased); how many were removed."""
    removed = 0
    for path in cache_dir.glob(f"{glob.escape(round_id)}.*.pdf"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _touch(path: Path) -> None:
    """Mark a cached file as just used (its modification time orders the pruning)."""
    with contextlib.suppress(OSError):  # a read-only or vanished file is still served
        os.utime(path)
