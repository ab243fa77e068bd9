"""Readable labels of population bands, modes, roles and municipalities."""

from __future__ import annotations

from flask_babel import gettext as _

from readiness.models import Mode, Municipality, Role


def population_labels() -> dict[str, str]:
    """Readable labels of the population bands."""
    return {
        "under_10k": _("Under 10,000 inhabitants"),
        "10k_50k": _("10,000 to 50,000"),
        "50k_100k": _("50,000 to 100,000"),
        "100k_250k": _("100,000 to 250,000"),
        "over_250k": _("Over 250,000"),
    }


def mode_labels() -> dict[str, str]:
    """Readable labels of the assessment modes."""
    return {
        Mode.SURVEY: _("Survey: each agency's practitioners answer through a link"),
        Mode.WORKSHOP: _("Facilitated workshop: you record the answers each agency agreed on"),
        MIXED: _("Mixed: some agencies answer through a link, you record the others in a "
                 "workshop"),
    }


def role_labels() -> dict[str, str]:
    """Readable titles of the roles."""
    return {
        Role.ADMIN: _("Administrator"),
        Role.NATIONAL_COORDINATOR: _("National coordinator"),
        Role.ADVISOR: _("Advisor (mobile team)"),
        Role.MUNICIPALITY_COORDINATOR: _("Municipality coordinator"),
    }


def role_choice_labels() -> dict[str, str]:
    """The roles with what each may do, for choosing one."""
    return {
        Role.ADMIN: _("Administrator: manages users and every municipality"),
        Role.NATIONAL_COORDINATOR: _("National coordinator: reads every municipality and the "
                                     "national dashboard, changes nothing"),
        Role.ADVISOR: _("Advisor (mobile team): works with the municipalities assigned to them"),
        Role.MUNICIPALITY_COORDINATOR: _("Municipality coordinator: works with their own "
                                         "municipality only"),
    }


def municipality_label(municipality: Municipality) -> str:
    """A municipality named so that namesakes differ: name, region and country."""
    where = ", ".join(p for p in (municipality.region, municipality.country) if p)
    return f"{municipality.name} ({where})"


MIXED = "mixed"  # a form choice, stored as a survey round with some agencies in a workshop
