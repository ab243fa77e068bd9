"""`pip install .` ships the data folders inside the wheel, and the code finds them there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from readiness import resources


def test_wheel_ships_questionnaires_templates_reports_and_migrations(tmp_path: Path):
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(root)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {path.relative_to(root).as_posix()
                for folder in ("questionnaires", "templates", "reports")
                for path in (root / folder).rglob("*")
                if path.is_file() and path.suffix in {".yaml", ".html", ".css"}}
    assert expected, "nothing to ship?"
    assert {"readiness/" + name for name in expected} <= names
    migrations = {p.relative_to(root).as_posix() for p in (root / "migrations").rglob("*.py")}
    assert {"readiness/" + name for name in migrations} <= names
    assert "readiness/cli/main.py" in names
    catalogues = {p.relative_to(root).as_posix()
                  for p in (root / "readiness" / "translations").rglob("messages.mo")}
    assert len(catalogues) >= 3  # nl, fr, de at least: the compiled catalogues ship
    assert catalogues <= names


def test_resources_prefer_the_copy_inside_the_package(tmp_path: Path, monkeypatch):
    package = tmp_path / "readiness"
    (package / "questionnaires").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.questionnaires_dir() == package / "questionnaires"
    (package / "questionnaires").rmdir()
    assert resources.questionnaires_dir() == tmp_path / "questionnaires"
