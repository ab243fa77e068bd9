#!/usr/bin/env python3
"""Fail unless every catalogue translates every current string and its committed .mo is fresh.

For each language (nl, fr, de by default; --lang to choose): the .po exists, compiles, has no
fuzzy and no untranslated message, holds every msgid that `pybabel extract` finds in the code
and templates now (with --no-extract, the .pot given by --pot is used or that step skipped),
and the committed messages.mo is what compiling the .po gives. Also checks each questionnaire
language file (`readiness questionnaire validate` loads them and names texts translated from an
older English) and each legal profile translation (`readiness legal validate`). Exit 1 with a
list on failure. Run from the repository root:  python3 .ci/check_translations.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from readiness.translate import LANGUAGES as SHIPPED  # noqa: E402
from readiness.translate import SOURCE_LANGUAGE  # noqa: E402

LANGUAGES = tuple(code for code in SHIPPED if code != SOURCE_LANGUAGE)


def extract(root: Path) -> set[str]:
    """The msgids pybabel finds in the code and templates now."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "--no-location",
                        "-F", str(root / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                        "-o", str(pot), str(root)], check=True, cwd=root, capture_output=True)
        with pot.open("rb") as handle:
            return {str(m.id if isinstance(m.id, str) else m.id[0])
                    for m in read_po(handle) if m.id}


def problems(folder: Path, language: str, wanted: set[str] | None) -> list[str]:
    """What is wrong with one language's catalogue under `folder` (empty: nothing)."""
    po = folder / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return [f"{language}: no catalogue {po}"]
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found: list[str] = []
    if catalog.fuzzy:
        found.append(f"{language}: the whole catalogue is marked fuzzy (pybabel compile skips it)")
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        key = str(message.id if isinstance(message.id, str) else message.id[0])
        ids.add(key)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{language}: fuzzy: {key[:70]!r}")
        elif not all(strings):
            found.append(f"{language}: untranslated: {key[:70]!r}")
    for error in catalog.check():
        found.append(f"{language}: {error[1][0] if error[1] else error}")
    for key in sorted((wanted or set()) - ids):
        found.append(f"{language}: not in the catalogue (run pybabel update): {key[:70]!r}")
    mo = po.with_suffix(".mo")
    if not mo.exists() or _messages(mo) != {k: v for k, v in _po_messages(catalog).items() if v}:
        found.append(f"{language}: {mo} is missing or stale (run pybabel compile)")
    return found


def _po_messages(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog
            if m.id and not m.fuzzy and isinstance(m.id, str)}


def _messages(mo: Path) -> dict[str, str]:
    with mo.open("rb") as handle:
        return _po_messages(read_mo(handle))


def main(argv: list[str] | None = None) -> int:
    """Check the catalogues; print every problem; 0 when there is none."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("readiness/translations"))
    parser.add_argument("--lang", action="append", help="a language to check (repeatable)")
    parser.add_argument("--no-extract", action="store_true",
                        help="do not compare with the strings in the code")
    args = parser.parse_args(argv)
    root = ROOT
    wanted = None if args.no_extract else extract(root)
    found = [p for language in args.lang or LANGUAGES for p in problems(args.dir, language, wanted)]
    if not args.no_extract:
        for command, what in ((["questionnaire", "validate"], "questionnaire language files"),
                              (["legal", "validate"], "legal profile translations")):
            result = subprocess.run([sys.executable, "-m", "readiness.cli.main", *command],
                                    cwd=root, capture_output=True, text=True)
            if result.returncode:
                found.append(f"{what}: {result.stderr.strip()}")
    for problem in found:
        print(problem)
    print(f"{len(found)} problem(s) in the catalogues" if found else "catalogues complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
