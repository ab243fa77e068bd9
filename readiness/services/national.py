"""Use cases of national coordinators over a session: API tokens, audit, the national tables.

Like `services.py`, these flush and never commit.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from readiness.core.names import name_problem
from readiness.core.published import disclosure
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.models import (
    ApiToken,
    Assessment,
    AssessmentResult,
    Municipality,
    Role,
    User,
)
from readiness.national.aggregate import (
    FRAMES_FORMAT,
    MIN_CELL,
    NAMELESS,
    Dashboard,
    Filters,
    PeerBenchmark,
    Rules,
    Tables,
    dashboard_key,
    extend,
    municipality_rounds,
    peer_benchmark,
    tables,
    with_municipalities,
)
from readiness.national.aggregate import dashboard as aggregate_dashboard
from readiness.national.params import ViewParams
from readiness.national.query import (
    DataVersion,
    data_version,
    iter_submitted_responses,
    load_closed_after,
    load_municipalities,
    load_records,
    only_added_since,
    same_assessments,
)
from readiness.services import audit as audit_log
from readiness.services import frames_file
from readiness.services.assessments import ServiceError
from readiness.tokens import hash_token, new_token
from readiness.translate import lazy_gettext as _l
from readiness.translate import use_language

NATIONAL_ROLES = frozenset({Role.ADMIN, Role.NATIONAL_COORDINATOR})


_Key = tuple[str, tuple[str, ...]]  # database, dimensions (no words in frames: any language)
_TABLES: dict[_Key, tuple[DataVersion, Tables]] = {}
_TABLES_LOCK = threading.Lock()
CACHED_DATABASES = 8  # databases kept in memory
KEPT_FIGURES = 32  # dashboards and their filters' figures kept in the instance folder
KEPT_KINDS = frozenset({"dashboard", *NAMELESS})  # what `Tables.memo` keeps, kept on disk


def rules_of(q: Questionnaire) -> Rules:
    """What the national views need of `q` to judge whether two rounds compare (no titles:
    the reasons are worded for each reader, `published.differences_text`)."""
    return Rules(q.doc.settings, q.agency_ids)


def national_tables(db: Session, q: Questionnaire, *, cached: bool = True) -> Tables:
    """The stored scores and barriers of every closed assessment, as frames.

    Closed assessments do not change, so the frames are kept per database (in memory, and in
    the instance folder for the next process: `frames_file`) and brought up to date only when
    `data_version` changes: a request pays for one cheap fingerprint query instead of reading
    every stored score. Newly closed assessments (the usual change) are read alone and
    appended; added or edited municipalities are read alone (a few columns); anything else
    (an assessment gone) reads everything again. `cached=False` reads everything, keeps nothing.
    """
    if not cached:
        return tables(load_records(db), q.dimension_ids, rules_of(q))
    return _kept_tables(db, q)[2]


def _key_of(db: Session, q: Questionnaire) -> _Key:
    """What the frames of `db` are kept under: the frames hold comparability reasons as data,
    worded at output, so one set serves every language."""
    return str(db.get_bind().engine.url), q.dimension_ids


def _kept_tables(db: Session, q: Questionnaire, version: DataVersion | None = None, *,
                 figures: dict[Any, Any] | None = None, write_back: bool = False
                 ) -> tuple[_Key, DataVersion, Tables]:
    """`national_tables` with the key and data version they are kept under. `figures` are
    the kept figures of this version when the caller read them already; `write_back` writes
    frames brought up to date to the instance folder (the worker's warm-up)."""
    key = _key_of(db, q)
    version = version or data_version(db)
    with _TABLES_LOCK:
        hit = _TABLES.get(key)
    if hit is not None and hit[0] == version:
        return key, version, hit[1]
    stale_file = False
    if hit is None:
        hit = _from_file(db, key)
        stale_file = hit is not None and hit[0] != version
    built = hit[1] if hit is not None and hit[0] == version else None
    if built is None:
        built = _brought_up_to_date(db, hit, version)
        if built is not None and (stale_file or write_back):
            # a process that started from an out-of-date file writes it back up to date (once:
            # running processes never write after a close or an edit, the worker does), so the
            # next process to start does not read and work in the same changes again
            frames_file.save(db, _file_key(key), (key, version, _without_memo(built)))
    if built is None:
        built = tables(load_records(db), q.dimension_ids, rules_of(q))
        frames_file.save(db, _file_key(key), (key, version, _without_memo(built)))
    else:
        built.memo.update(_kept_figures(db, key, version) if figures is None else figures)
    with _TABLES_LOCK:
        if key not in _TABLES and len(_TABLES) >= CACHED_DATABASES:
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[key] = (version, built)
    return key, version, built


def national_dashboard(db: Session, q: Questionnaire, filters: Filters, *, today: date,
                       sort: str = "name", descending: bool = False, page: int = 1,
                       per_page: int = 50, min_cell: int = MIN_CELL) -> Dashboard:
    """`aggregate.dashboard` over the kept frames; figures worked out for a view are kept in
    the instance folder with the data version too, so the first request after a restart (or
    in another process) reads them back instead of working them out again. Kept figures of
    this data version are read before the frames: after a restart, or after the background
    worker worked out a close (`warm_dashboard`), the first request reads no frames at all."""
    key, version = _key_of(db, q), data_version(db)
    with _TABLES_LOCK:
        current = _TABLES.get(key)
    kept = None
    if current is None or current[0] != version:
        kept = _kept_figures(db, key, version)
        found = kept.get(dashboard_key(
            q, filters, today=today, sort=sort, descending=descending, page=page,
            per_page=per_page, min_cell=min_cell))
        if isinstance(found, Dashboard):
            return found
    key, version, t = _kept_tables(db, q, version, figures=kept)
    known = len(_keepable(t))
    data = aggregate_dashboard(t, q, filters, today=today, sort=sort, descending=descending,
                               page=page, per_page=per_page, min_cell=min_cell)
    figures = _keepable(t)
    if len(figures) != known:
        kept = dict(list(figures.items())[-KEPT_FIGURES:])
        # the figures pickled apart: a reader of another version does not unpickle them
        frames_file.save(db, _figures_key(key), (key, version, _code_mark(), pickle.dumps(
            kept, protocol=pickle.HIGHEST_PROTOCOL)))
    return data


def warm_dashboard(db: Session, q: Questionnaire, *, today: date,
                   languages: Sequence[str], min_cell: int = MIN_CELL) -> None:
    """Work out the dashboard's first page (no filters) in each language and keep it, with
    the frames brought up to date, in the instance folder: the background worker does this
    after a round closes, so the coordinator who opens the dashboard next does not wait."""
    _kept_tables(db, q, write_back=True)  # for the next process to start from
    view = ViewParams(Filters())
    for language in languages:
        with use_language(language):
            national_dashboard(db, q, view.filters, today=today, sort=view.sort,
                               descending=view.descending, page=view.page,
                               per_page=view.per_page, min_cell=min_cell)


def _keepable(t: Tables) -> dict[Any, Any]:
    """The dashboards remembered with `t`, and the figures of their filters that name no
    municipality (so another page or sort order of the same filters works out only its
    table); not the selections, which are frames."""
    return {k: v for k, v in list(t.memo.items())
            if isinstance(k, tuple) and k and k[0] in KEPT_KINDS}


def _kept_figures(db: Session, key: _Key, version: DataVersion) -> dict[Any, Any]:
    """The dashboards a process kept in the instance folder for this data version, if any."""
    stored = frames_file.load(db, _figures_key(key))
    if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key
            and stored[1] == version and stored[2] == _code_mark()
            and isinstance(stored[3], bytes)):
        return {}
    try:  # signed with the frames' file (`frames_file`): written by this app
        figures = pickle.loads(stored[3])  # noqa: S301
    except Exception:  # a class the code no longer has: work them out again
        return {}
    return figures if isinstance(figures, dict) else {}


def _figures_key(key: _Key) -> str:
    return "figures " + _file_key(key)


@cache
def _code_mark() -> tuple[object, ...]:
    """What kept figures were made with: the aggregation code and the translations (their
    files' sizes and times), the pandas and Python versions. Figures hold words and depend on
    the code, so an upgrade (even one that keeps the version number) works them out again."""
    root = Path(__file__).resolve().parents[1]
    files = sorted([*(root / "national").rglob("*.py"), *(root / "core").rglob("*.py"),
                    *(root / "translations").rglob("*.mo"), Path(__file__)])
    marks = []
    for path in files:
        with contextlib.suppress(OSError):
            found = path.stat()
            marks.append((str(path.relative_to(root)), found.st_size, found.st_mtime_ns))
    return (FRAMES_FORMAT, sys.version, tuple(marks))


def _from_file(db: Session, key: _Key) -> tuple[DataVersion, Tables] | None:
    """The frames a process kept in the instance folder for this database, if any."""
    stored = frames_file.load(db, _file_key(key))
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key
            and isinstance(stored[1], DataVersion) and isinstance(stored[2], Tables)):
        return None
    return stored[1], stored[2]


def _file_key(key: _Key) -> str:
    """The file's name stands for the database, the dimensions, the frames' fields and the
    pandas that made them (a file written by other code is never read)."""
    return repr((key, [f.name for f in fields(Tables)], FRAMES_FORMAT))


def _without_memo(t: Tables) -> Tables:
    return Tables(t.municipalities, t.assessments, t.barriers, t.wide, t.dimensions,
                  t.rules)


def _brought_up_to_date(db: Session, hit: tuple[DataVersion, Tables] | None,
                        version: DataVersion) -> Tables | None:
    """Kept frames with what changed since read alone; None when everything must be read."""
    if hit is None:
        return None
    kept_version, built = hit
    if same_assessments(kept_version, version):
        pass
    elif only_added_since(db, kept_version, version):
        assert kept_version.last_closed_at is not None  # only_added_since checked it
        built = extend(built, load_closed_after(db, kept_version.last_closed_at))
    else:
        return None
    if kept_version.municipalities != version.municipalities:
        built = with_municipalities(built, load_municipalities(db))
    return built


def create_api_token(db: Session, username: str, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for an admin or national coordinator; the token is returned once."""
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise ServiceError(_l("No user named %(name)s", name=repr(username)))
    if user.role not in NATIONAL_ROLES:
        raise ServiceError(_l("Only admins and national coordinators may have API tokens"))
    if not user.active:
        raise ServiceError(_l("This user is not active"))
    if problem := name_problem(name, "token name"):
        raise ServiceError(problem)
    token = new_token()
    row = ApiToken(user_id=user.id, name=name.strip()[:120], token_hash=hash_token(token))
    db.add(row)
    db.flush()
    return row, token


def revoke_api_token(db: Session, public_id: str) -> None:
    """Stop a token from working."""
    row = db.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if row is None:
        raise ServiceError(_l("No API token %(token)s", token=repr(public_id)))
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    db.flush()


def list_api_tokens(db: Session) -> list[tuple[str, str, str, str, str, str]]:
    """Every token as text columns: public id, user, name, created, last used, revoked."""
    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    rows = db.execute(select(ApiToken, User.username).join(User).order_by(ApiToken.id))
    return [(t.public_id, username, t.name or "-", when(t.created_at), when(t.last_used_at),
             when(t.revoked_at)) for t, username in rows]


def user_for_token(db: Session, token: str) -> tuple[User, int] | None:
    """The active user an unrevoked token belongs to, with the token's row id; else None."""
    if not token or len(token) > 200:
        return None
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user, row.id


def note_token_use(db: Session, token_id: int) -> None:
    """Record when a token was last used."""
    db.execute(update(ApiToken).where(ApiToken.id == token_id)
               .values(last_used_at=datetime.now(UTC)))


def audit(db: Session, user: User | None, action: str, object_type: str,
          object_id: str = "") -> None:
    """Log that `user` viewed or exported a national view, naming it but not its content."""
    audit_log.record(db, user, action, object_type=object_type, object_id=object_id)


def municipality_by_public_id(db: Session, public_id: str) -> Municipality | None:
    """The municipality with this public id, if any (the caller checks who may see it)."""
    return db.scalar(select(Municipality).where(Municipality.public_id == public_id))


def municipality_history(db: Session, municipality: Municipality, q: Questionnaire,
                         min_cell: int) -> tuple[list[dict[str, object]], PeerBenchmark | None]:
    """A municipality's closed rounds as plain values, and its latest round against the
    municipalities of its country and size band (small groups suppressed)."""
    t = tables(load_records(db, country=municipality.country,
                            band=municipality.population_band), q.dimension_ids, rules_of(q))
    rounds = municipality_rounds(t, municipality.id, q.dimension_ids)
    peers = (peer_benchmark(t, str(rounds[-1]["assessment_id"]), q, min_cell)
             if rounds else None)
    return rounds, peers


def peer_benchmark_of(db: Session, assessment: Assessment, q: Questionnaire,
                      min_cell: int) -> PeerBenchmark | None:
    """An assessment against its country's municipalities of the same size band (for the
    results page, which anyone who may see the assessment sees); small groups suppressed."""
    place = assessment.municipality
    records = load_records(db, country=place.country, band=place.population_band)
    return peer_benchmark(tables(records, q.dimension_ids), assessment.public_id, q, min_cell)


def disclosed_responses(db: Session, assessment_ids: Sequence[int]
                        ) -> Iterator[tuple[int, str, dict[str, Any] | None, bool]]:
    """(assessment id, agency, answers, workshop?) of the counted responses, with only the
    answers a respondent export may show: what `readiness.core.published.disclosure` allows of
    each closed assessment (only the dimensions an agency's own scores were published on, no
    statement only one hidden agency scored); answers None for a hidden agency's response."""
    rows: dict[int, list[tuple[str, dict[str, Any], bool]]] = {}
    for ident, agency, answers, workshop in iter_submitted_responses(db, assessment_ids):
        rows.setdefault(ident, []).append((agency, answers, workshop))
    stored: dict[int, dict[str, Any]] = dict(db.execute(
        select(AssessmentResult.assessment_id, AssessmentResult.result)
        .where(AssessmentResult.assessment_id.in_(list(rows)))).all())
    versions = {i: (name, version) for i, name, version in db.execute(
        select(Assessment.id, Assessment.questionnaire_id, Assessment.questionnaire_version)
        .where(Assessment.id.in_(list(rows))))}
    for ident, members in rows.items():
        q = get_questionnaire(*versions[ident])
        # each response keeps its own agency's flag (a mixed round has both kinds); the round
        # is a workshop one only when every answer in it is agreed
        allowed = disclosure(q, stored.get(ident) or {},
                             workshop=all(agreed for _a, _g, agreed in members),
                             answers=[(a, given) for a, given, _w in members])
        for agency, given, agreed in members:
            yield ident, agency, allowed.answers(q, agency, given), agreed
