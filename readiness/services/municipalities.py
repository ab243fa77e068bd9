"""Municipalities: finding one, creating and editing their records, and the regions in use.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from readiness.core.names import country_problem, name_problem
from readiness.models import (
    POPULATION_BANDS,
    Municipality,
    Role,
    User,
)
from readiness.services.base import ServiceError, lock, record_audit
from readiness.translate import lazy_gettext as _l


def find_municipality(db: Session, name: str, country: str | None = None) -> Municipality:
    """The one municipality of this name (and country), or a ServiceError saying why not."""
    query = select(Municipality).where(func.lower(Municipality.name) == name.strip().lower())
    if country:
        query = query.where(Municipality.country == country.upper())
    found = db.scalars(query).all()
    if not found:
        raise ServiceError(_l("No municipality named %(name)s", name=repr(name)))
    if len(found) > 1:
        raise ServiceError(_l("%(count)d municipalities are named %(name)s; give the country",
                              count=len(found), name=repr(name)))
    return found[0]


def normalise_space(text: str) -> str:
    """`text` with its runs of whitespace made one space, and none at either end."""
    return " ".join(text.split())


class DuplicateMunicipality(ServiceError):
    """A municipality of this name already exists in the country (`existing`)."""

    def __init__(self, existing: Municipality) -> None:
        super().__init__("a municipality with this name already exists in this country")
        self.existing = existing


def _namesake(db: Session, name: str, country: str,
              other_than: Municipality | None = None) -> Municipality | None:
    """The stored municipality of `country` whose name differs from `name` only in case or
    spacing (stored names may predate the normalisation, so they are compared in Python)."""
    key = normalise_space(name).casefold()
    query = select(Municipality).where(Municipality.country == country)
    if other_than is not None:
        query = query.where(Municipality.id != other_than.id)
    return next((m for m in db.scalars(query) if normalise_space(m.name).casefold() == key),
                None)


def _stored_region(db: Session, country: str, region: str) -> str:
    """`region` spelled as a region already stored for `country` when only case differs."""
    region = normalise_space(region)
    stored = db.scalars(select(Municipality.region).distinct()
                        .where(Municipality.country == country)).all()
    return next((r for r in stored if r and normalise_space(r).casefold() == region.casefold()),
                region)


def _clean_municipality(db: Session, name: str, country: str, region: str,
                        population_band: str) -> tuple[str, str, str]:
    for text, what in ((name, "municipality name"), (region, "region")):
        if problem := name_problem(text, what):
            raise ServiceError(problem)
    if problem := country_problem(country):
        raise ServiceError(problem)
    name, country = normalise_space(name), country.strip().upper()
    if not name:
        raise ServiceError(_l("A municipality needs a name"))
    if population_band not in POPULATION_BANDS:
        raise ServiceError(_l("Unknown population band %(band)s", band=repr(population_band)))
    return name, country, _stored_region(db, country, region)


def create_municipality(db: Session, *, name: str, country: str, population_band: str,
                        region: str = "", creator: User | None = None) -> Municipality:
    """A new municipality; an advisor who creates one is assigned to it.

    A namesake in the same country (case and spacing aside) is refused with
    `DuplicateMunicipality`, whatever its region: it is almost always the same place typed again.
    """
    name, country, region = _clean_municipality(db, name, country, region, population_band)
    existing = _namesake(db, name, country)
    if existing is not None:
        raise DuplicateMunicipality(existing)
    municipality = Municipality(name=name, country=country, region=region,
                                population_band=population_band)
    db.add(municipality)
    if creator is not None and creator.role == Role.ADVISOR:
        creator.assigned.append(municipality)
    db.flush()
    record_audit(db, creator, "municipality_created", municipality, municipality)
    return municipality


class EditConflict(ServiceError):
    """Someone saved the object after the editor opened it: nothing was changed."""


def update_municipality(db: Session, municipality: Municipality, *, name: str, country: str,
                        population_band: str, region: str = "",
                        editor: User | None = None, revision: int | None = None) -> None:
    """Correct a municipality's name, country, region or size; audited, namesakes refused.

    With `revision` (the one the editor started from), a municipality saved since is refused
    with `EditConflict`, under a row lock so that two saves cannot both pass the check.
    """
    if revision is not None:
        lock(db, municipality)
        if municipality.revision != revision:
            raise EditConflict("someone else changed this municipality since you opened it")
    name, country, region = _clean_municipality(db, name, country, region, population_band)
    existing = _namesake(db, name, country, other_than=municipality)
    if existing is not None:
        raise DuplicateMunicipality(existing)
    changed = (municipality.name, municipality.country, municipality.region,
               municipality.population_band) != (name, country, region, population_band)
    municipality.name, municipality.country = name, country
    municipality.region, municipality.population_band = region, population_band
    if changed:
        record_audit(db, editor, "municipality_edited", municipality, municipality)
    db.flush()


def known_regions(db: Session, visible: ColumnElement[bool],
                  country: str | None = None) -> list[tuple[str, str]]:
    """(region, country) pairs stored for the municipalities `visible` selects, for suggestions."""
    query = (select(Municipality.region, Municipality.country).distinct()
             .where(visible, Municipality.region != ""))
    if country:
        query = query.where(Municipality.country == country)
    return sorted({(normalise_space(r), c) for r, c in db.execute(query)},
                  key=lambda rc: (rc[1], rc[0].casefold()))
