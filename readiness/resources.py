"""Where the shipped data lives: the repo's top-level folders, or their copies inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder `name` (questionnaires, templates, reports) in a checkout or a wheel."""
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def questionnaires_dir() -> Path:
    """Return the folder holding the versioned questionnaire YAML files."""
    return resource_dir("questionnaires")
