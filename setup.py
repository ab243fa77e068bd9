"""Packages are found automatically; the data folders at the top of the repo ship inside them.

Everything else about the package is in pyproject.toml. `questionnaires/`, `templates/`,
`reports/` and `migrations/` stay at the top of the repo (the product card fixes the layout) and
are installed as `readiness.questionnaires` etc.; `readiness.resources` finds them in either place.
"""

from setuptools import find_packages, setup

DATA_PACKAGES = {
    "readiness.questionnaires": "questionnaires",
    "readiness.templates": "templates",
    "readiness.reports": "reports",
    "readiness.migrations": "migrations",
    "readiness.migrations.versions": "migrations/versions",
}

setup(
    packages=find_packages(include=["readiness", "readiness.*"]) + list(DATA_PACKAGES),
    package_dir=DATA_PACKAGES,
)
