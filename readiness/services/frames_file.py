"""The national frames kept in the instance folder, so a restart does not read every score.

One file per database and set of dimensions, written atomically after the frames were read
whole from the database, with the data version they were read at. A restarted process starts
from the file and brings it up to date like frames kept in memory (newly closed assessments
and edited municipalities are read alone). The file is signed with the app's secret key and
refused unless the signature matches, so only what this app wrote is ever unpickled; any
problem reading it (missing, truncated, another format, another key) means "no file".
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

MAGIC = b"MAW-national-frames-1\n"
INFO_KEY = "national_frames"  # Session.info: (folder, signing key), set by readiness.db


def location(db: Session, key: str) -> tuple[Path, bytes] | None:
    """The file for `key` and the signing key, if this session's app keeps frames on disk."""
    configured = db.info.get(INFO_KEY)
    if not configured:
        return None
    folder, secret = configured
    name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return Path(folder) / f"{name}.frames", secret


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, MAGIC + payload, hashlib.sha256).digest()


def load(db: Session, key: str) -> Any | None:
    """What `save` stored under `key`, or None (no file, or one this app did not write)."""
    where = location(db, key)
    if where is None:
        return None
    path, secret = where
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or len(data) <= head:
        return None
    signature, payload = data[len(MAGIC):head], data[head:]
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        with _collector_paused():
            return pickle.loads(payload)  # noqa: S301 - signed by this app's secret key
    except Exception:  # an older pandas, a half-migrated install: read the database instead
        return None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is unpickled: the frames' text columns are
    hundreds of thousands of new objects, each allocation burst set off a full collection,
    and reading 10,000 municipalities took 2-5 times as long (nothing read holds a cycle)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def save(db: Session, key: str, value: Any) -> None:
    """Store `value` under `key`, atomically; a folder that cannot be written is skipped."""
    where = location(db, key)
    if where is None:
        return
    path, secret = where
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + _signature(secret, payload) + payload)
        os.replace(temp, path)  # a concurrent reader sees the whole file or the old one
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temp)
