"""`pip install .` gives a package that works outside the checkout: every subpackage, the data
folders inside the wheel, every imported library declared."""

from __future__ import annotations

import ast
import os
import re
import shutil
import site
import subprocess
import sys
import textwrap
import tomllib
import venv
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from readiness import resources

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built offline from a clean copy of the checkout (a `build/` folder
    left by an earlier build would hide a package the configuration leaves out)."""
    source = tmp_path_factory.mktemp("source") / "maw-readiness"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "instance", "__pycache__", ".*_cache", "*.sqlite"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)],
                   check=True, capture_output=True, cwd=out)
    return next(out.glob("*.whl"))


def test_wheel_ships_every_subpackage_and_the_data_folders(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "readiness").rglob("__init__.py")}
    assert len(packages) >= 8
    assert packages <= names, packages - names
    expected = {path.relative_to(ROOT).as_posix()
                for folder in ("questionnaires", "templates", "reports")
                for path in (ROOT / folder).rglob("*")
                if path.is_file() and path.suffix in {".yaml", ".html", ".css"}}
    assert expected, "nothing to ship?"
    assert {"readiness/" + name for name in expected} <= names
    migrations = {p.relative_to(ROOT).as_posix() for p in (ROOT / "migrations").rglob("*.py")}
    assert {"readiness/" + name for name in migrations} <= names
    catalogues = {p.relative_to(ROOT).as_posix()
                  for p in (ROOT / "readiness" / "translations").rglob("messages.mo")}
    assert len(catalogues) >= 3  # nl, fr, de at least: the compiled catalogues ship
    assert catalogues <= names


INSTALLED_APP = textwrap.dedent("""
    import sys, tempfile
    from pathlib import Path
    import readiness
    assert readiness.__file__.startswith(sys.prefix), readiness.__file__
    from readiness import create_app
    from readiness.core.questionnaire import get_questionnaire
    from readiness.db import get_db, upgrade
    from readiness.demo.municipal import load_demo

    app = create_app({"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "SECRET_KEY": "x" * 40})
    upgrade(app)
    with get_db(app).write_session() as session:
        demo = load_demo(session, get_questionnaire(), password_method="pbkdf2:sha256:1000")
    page = app.test_client().get(f"/s/{demo.open_link_token}")
    assert page.status_code == 200 and b"<form" in page.data, page.status_code
    print("OK")
""")


def _responses_csv(path: Path) -> None:
    """Three practitioners of two agencies, each answering every statement."""
    from readiness.core.questionnaire import get_questionnaire

    q = get_questionnaire()
    rows = ["respondent,agency,item,value"]
    for n, agency in enumerate(["police", "police", "police", "health", "health", "health"]):
        for item in q.doc.items:
            scored = [o for o in q.options(item) if o.score is not None]
            rows.append(f"r{n},{agency},{item.id},{scored[n % len(scored)].value}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_installed_wheel_serves_a_survey_page_and_renders_a_roadmap(wheel: Path,
                                                                        tmp_path: Path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python, script = env_dir / "bin" / "python", env_dir / "bin" / "readiness"
    # The dependencies come from this interpreter's site-packages, listed as a plain path: the
    # .pth hooks there (the checkout's editable install) do not run, so nothing of `readiness`
    # can come from the checkout.
    inside = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    Path(inside, "_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READINESS_", "PYTHON"))}
    run = subprocess.run([str(python), "-c", INSTALLED_APP], cwd=outside, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("OK")
    _responses_csv(outside / "responses.csv")
    pdf = outside / "roadmap.pdf"
    made = subprocess.run([str(script), "roadmap", "responses.csv", "--municipality", "Testdorp",
                           "--out", str(pdf)], cwd=outside, env=env, capture_output=True,
                          text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]
    assert pdf.read_bytes().startswith(b"%PDF")
    check = subprocess.run([str(script), "questionnaire", "validate"], cwd=outside, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert str(env_dir) in check.stdout  # the questionnaire inside the installed package


def _third_party_imports() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "readiness").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "readiness"}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_imported_library_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_normal(re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0])
                for r in project["dependencies"]}
    declared.add("psycopg")  # the [postgres] extra, imported only through SQLAlchemy's URL
    owners = packages_distributions()
    missing = {module: owners.get(module) for module in _third_party_imports()
               if not {_normal(d) for d in owners.get(module, [])} & declared}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_resources_prefer_the_copy_inside_the_package(tmp_path: Path, monkeypatch):
    package = tmp_path / "readiness"
    (package / "questionnaires").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.questionnaires_dir() == package / "questionnaires"
    (package / "questionnaires").rmdir()
    assert resources.questionnaires_dir() == tmp_path / "questionnaires"
