"""How long the PDF roadmap takes: one report, the pipeline around it, and a batch of 100.

Prints, in one run:
1. median render time of one full roadmap (HTML -> PDF/UA-1 in process) and the peak memory of a
   fresh process that runs the whole CLI pipeline once (`readiness roadmap`);
2. the whole pipeline (load questionnaire, read CSV, score, roadmap, context, HTML, PDF) against
   bare WeasyPrint (`HTML(string=...).write_pdf(...)`, same options, WeasyPrint as shipped: SVG
   text letter by letter, a leader copied per dot, level-9 deflate, fonts found per document) on
   the same final HTML;
3. how the render grows with the plan: the same roadmap cut to 4, 8 and 12 actions and whole,
   each against bare WeasyPrint on the same HTML;
4. where the layout time goes: bare WeasyPrint on the document against the same document with
   its chart labels drawn letter by letter, without its chart labels (SVG text) and without its
   contents' page numbers;
5. PDFs per minute for N closed assessments with `readiness reports build`, on one worker and
   on all cores, and the speed-up against the ideal (the number of cores); `--assessments 0`
   skips it.
Targets (2-core machine): < 1 s for a 12-action plan, < 300 MB peak, overhead < 15 %, batch
>= 60 % of ideal. CPU seconds are printed beside wall seconds: on a shared machine they are
the better guide to what an idle one would wait.
Run: PYTHONPATH=. python benchmarks/bench_report.py [--runs 7] [--assessments 100]
     [--against /path/to/main]  (adds: the 12-action plan of each checkout, fresh processes)
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
from weasyprint import HTML

from readiness.core.published import publish
from readiness.core.questionnaire import load_questionnaire, questionnaire_path
from readiness.core.responses import read_responses
from readiness.core.scoring import score
from readiness.report.context import ReportMeta, build_report_context
from readiness.report.render import ASSET_BASE, PDF_VARIANT, ReportFetcher, html_to_pdf
from readiness.report.render import render_roadmap_html as to_html

AGENCIES = ("local_authority", "police", "health", "social_services", "education")


def write_responses(path: Path, seed: int = 3, per_agency: int = 3) -> None:
    """A plausible municipality: weak on one dimension, agencies differing somewhat."""
    q = load_questionnaire(questionnaire_path())
    rng = random.Random(seed)
    weak = rng.choice(q.dimension_ids)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["respondent", "agency", "item", "value"])
        for agency in AGENCIES:
            lean = rng.uniform(-1, 1)
            for n in range(per_agency):
                for item in q.doc.items:
                    options = sorted(q.options(item), key=lambda o: o.score or 0)
                    base = 0.8 if item.dimension == weak else 2.6
                    pos = round(min(max(base + lean + rng.gauss(0, 0.7), 0), len(options) - 1))
                    value = "dont_know" if rng.random() < 0.05 else options[pos].value
                    out.writerow([f"{agency}{n}", agency, item.id, value])


def roadmap_html(csv_path: Path, actions: int | None = None) -> str:
    """The roadmap HTML of the responses, its plan cut to its first `actions` actions."""
    q = load_questionnaire(questionnaire_path())
    result = score(q, read_responses(q, csv_path))
    meta = ReportMeta(municipality="Benchmark", assessed_on=date(2025, 3, 7), country="Belgium")
    published = publish(q, result, assessed_on=meta.assessed_on)
    if actions is not None and published.roadmap is not None:
        published = replace(published, roadmap=replace(
            published.roadmap, actions=published.roadmap.actions[:actions]))
    return to_html(build_report_context(q, published, meta))


def pipeline(csv_path: Path) -> tuple[bytes, str]:
    """Everything `readiness roadmap` does, from files to PDF bytes."""
    html = roadmap_html(csv_path)
    return html_to_pdf(html), html


def pages_of(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def by_plan_size(csv_path: Path, runs: int) -> None:
    """How the render grows with the plan: 4, 8, 12 actions and the whole plan, interleaved, each
    against bare WeasyPrint as shipped on the same HTML."""
    sizes: list[int | None] = [4, 8, 12, None]
    documents = {size: roadmap_html(csv_path, size) for size in sizes}
    times: dict[int | None, list[tuple[float, float]]] = {size: [] for size in sizes}
    bare_times: dict[int | None, list[tuple[float, float]]] = {size: [] for size in sizes}
    for _ in range(runs):
        for size in sizes:
            times[size].append(timed(html_to_pdf, documents[size]))
            with as_shipped():
                bare_times[size].append(timed(bare, documents[size]))
    print("how the render grows with the plan (median of interleaved runs; bare = WeasyPrint "
          "alone, as shipped):")
    for size in sizes:
        label = f"{size}-action plan" if size else "whole plan"
        actions = documents[size].count('class="action"')
        cpu, bare_cpu = median(times[size], 1), median(bare_times[size], 1)
        print(f"  {label:<16} {actions:3d} actions {pages_of(html_to_pdf(documents[size])):3d} "
              f"pages  {median(times[size], 0):5.2f} s wall  {cpu:5.2f} s CPU  "
              f"(bare {bare_cpu:5.2f} s CPU, ratio {cpu / bare_cpu:.3f})")


@contextmanager
def letterwise_svg_text() -> Iterator[None]:
    """WeasyPrint's own SVG text (every letter laid out and drawn alone) for the duration; a
    no-op on a checkout whose renderer does not draw labels in one piece (say main)."""
    import weasyprint.svg as drawer

    from readiness.report import render
    original = getattr(render, "letterwise_text", None)
    ours = getattr(render, "_svg_text", None)
    if original is None or ours is None:
        yield
        return
    swap = {tag for tag, draw in drawer.TAGS.items() if draw is ours}
    drawer.text = original
    drawer.TAGS.update(dict.fromkeys(swap, original))
    try:
        yield
    finally:
        drawer.text = ours
        drawer.TAGS.update(dict.fromkeys(swap, ours))


@contextmanager
def as_shipped() -> Iterator[None]:
    """WeasyPrint as shipped for the duration: its own SVG text and leaders, pydyf's level-9
    deflate (bare() never shares the renderer's fonts); each part a no-op on a checkout (say
    main) whose renderer does not change it."""
    import pydyf
    import weasyprint.layout.inline as inline_layout

    from readiness.report import render
    leader, ours = getattr(render, "_weasyprint_leader", None), inline_layout.handle_leader
    deflate = pydyf.zlib
    with letterwise_svg_text():
        pydyf.zlib = zlib
        if leader is not None:
            inline_layout.handle_leader = leader
        try:
            yield
        finally:
            pydyf.zlib, inline_layout.handle_leader = deflate, ours


CHART_TEXT = re.compile(r"<text\b.*?</text>", re.DOTALL)
TOC_NUMBERS = re.compile(r"\.toc a::after \{[^}]*\}")


def where_time_goes(html: str, runs: int) -> None:
    """The render against the same document without one costly feature each, interleaved: the
    chart labels (SVG text), the chart labels drawn by WeasyPrint itself (letter by letter), and
    the contents' page numbers (leaders and target counters)."""
    variants = {"the document": (html, False),
                "chart labels drawn letter by letter": (html, True),
                "without chart labels (SVG text)": (CHART_TEXT.sub("", html), False),
                "without the contents' page numbers": (TOC_NUMBERS.sub("", html), False)}
    assert variants["without the contents' page numbers"][0] != html, "no contents rule found"
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (variant, letterwise) in variants.items():
            with letterwise_svg_text() if letterwise else nullcontext():
                times[name].append(timed(html_to_pdf, variant))
    whole = median(times["the document"], 1)
    print("where the layout time goes (the render, CPU, median of interleaved runs):")
    for name in variants:
        cpu = median(times[name], 1)
        print(f"  {name:<36} {cpu:5.2f} s CPU  {cpu / whole:6.1%} of the document")


def forked_render(html: str, warm: bool) -> float:
    """CPU seconds of one render in a child forked from this process, as the forkserver forks
    the isolated render made at close: with the fonts opened by `warm_up` in the parent, or with
    the child finding them itself (as every render did before)."""
    from readiness.report import render
    if not hasattr(render, "warm_up"):
        return float("nan")
    if warm:
        render.warm_up()
    saved = list(render._FONTS)
    if not warm:
        render._FONTS.clear()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one render, its CPU time to the parent, exit
        seconds = timed(html_to_pdf, html)[1]
        os.write(writer, repr(seconds).encode())
        os._exit(0)
    os.close(writer)
    seconds = float(os.read(reader, 64))
    os.waitpid(pid, 0)
    os.close(reader)
    render._FONTS[:] = saved
    return seconds


def forked_renders(html: str, runs: int) -> None:
    """One render per forked child, fonts warmed in the parent or not, interleaved."""
    seen: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(runs):
        for warm in (False, True):
            seen[warm].append(forked_render(html, warm))
    cold, opened = statistics.median(seen[False]), statistics.median(seen[True])
    print(f"one render in a forked child (the isolated render at close), CPU: fonts found by the "
          f"child {cold:.2f} s, fonts opened by the parent {opened:.2f} s "
          f"(ratio {opened / cold:.3f})")


def bare(html: str) -> bytes:
    """WeasyPrint alone on the final HTML, same output options."""
    return bytes(HTML(string=html, base_url=ASSET_BASE, url_fetcher=ReportFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True) or b"")


def timed(fn, *args) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU seconds of one call (CPU time is what an idle machine would wait)."""
    gc.collect()  # earlier runs' garbage is not this run's cost
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu


def median(pairs: list[tuple[float, float]], index: int) -> float:
    """The median of the wall (0) or CPU (1) seconds."""
    return statistics.median(p[index] for p in pairs)


def peak_memory_mb(csv_path: Path, out: Path) -> float:
    """Peak RSS of a fresh process that runs `readiness roadmap` once."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "readiness.cli.main", "roadmap", str(csv_path),
                    "--municipality", "Benchmark", "--out", str(out)], check=True,
                   capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024


def make_database(folder: Path, count: int) -> dict[str, str]:
    """A migrated SQLite database with `count` closed assessments; returns the env to use it."""
    from readiness import create_app
    from readiness.db import get_db, upgrade
    from readiness.services import assessments as services
    from readiness.services import survey as services_survey

    env = {"READINESS_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
           "READINESS_SECRET_KEY": "benchmark key, long enough, not for production",
           "READINESS_INSTANCE_PATH": str(folder / "instance"),
           "READINESS_TRUSTED_HOSTS": "127.0.0.1,localhost"}
    os.environ.update(env)
    app = create_app()
    upgrade(app)
    rng = random.Random(11)
    with get_db(app).write_session() as db:
        q = load_questionnaire(questionnaire_path())
        for m in range(count):
            place = services.create_municipality(db, name=f"Municipality {m:03d}", country="BE",
                                                 population_band="50k_100k", creator=None)
            assessment, _ = services.create_assessment(db, place, q=q, agencies=AGENCIES,
                                                       conducted_on=date(2025, 3, 7))
            weak = rng.choice(q.dimension_ids)
            for invitation in assessment.invitations:
                lean = rng.uniform(-1, 1)
                for _n in range(3):
                    response, _secret = services_survey.start_response(db, invitation)
                    answers = {}
                    for item in q.doc.items:
                        options = sorted(q.options(item), key=lambda o: o.score or 0)
                        base = 0.8 if item.dimension == weak else 2.6
                        pos = round(min(max(base + lean + rng.gauss(0, 0.7), 0),
                                        len(options) - 1))
                        answers[item.id] = options[pos].value
                    services_survey.save_answers(q, response, answers, {})
                    services_survey.submit_response(db, response)
            services.close_assessment(db, assessment)
    get_db(app).dispose()
    return env


def child_render(actions: int, runs: int) -> None:
    """In a child process: this checkout's roadmap cut to `actions`, rendered and bare (JSON)."""
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "responses.csv"
        write_responses(csv_path)
        html = roadmap_html(csv_path, actions)
        html_to_pdf(html)  # warm-up
        render, alone = [], []
        for _ in range(runs):
            render.append(timed(html_to_pdf, html))
            with as_shipped():
                alone.append(timed(bare, html))
        print(json.dumps({"render": median(render, 1), "bare": median(alone, 1),
                          "pages": pages_of(html_to_pdf(html))}))


def against_checkout(other: str, actions: int, rounds: int) -> None:
    """This checkout against another (say main), each rendering its own roadmap of `actions`
    actions in fresh processes, interleaved; bare = that checkout's HTML in WeasyPrint alone."""
    here = str(Path(__file__).resolve().parent.parent)
    seen: dict[str, list[dict[str, float]]] = {"this checkout": [], other: []}
    for _ in range(rounds):
        for name, root in (("this checkout", here), (other, other)):
            done = subprocess.run([sys.executable, __file__, "--child-render", str(actions)],
                                  env={**os.environ, "PYTHONPATH": root}, cwd=tempfile.gettempdir(),
                                  capture_output=True, text=True, check=True)
            seen[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    base = statistics.median(r["bare"] for r in seen[other])
    print(f"{actions}-action plan, fresh processes, {rounds} interleaved rounds (CPU, median):")
    for name, rows in seen.items():
        cpu = statistics.median(r["render"] for r in rows)
        alone = statistics.median(r["bare"] for r in rows)
        print(f"  {name:<16} {rows[0]['pages']:.0f} pages: render {cpu:.2f} s, bare WeasyPrint on "
              f"its HTML {alone:.2f} s; render / bare on {other}'s HTML {cpu / base:.3f}")


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--assessments", type=int, default=100)
    parser.add_argument("--against", metavar="CHECKOUT",
                        help="also compare with another checkout's render (say main)")
    parser.add_argument("--child-render", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_render is not None:
        child_render(args.child_render, 3)
        return
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "responses.csv"
        write_responses(csv_path)
        pdf, html = pipeline(csv_path)  # warm-up: imports, fonts, caches
        pages = pages_of(pdf)
        print(f"load average before: {os.getloadavg()[0]:.2f} on {cores} cores")
        render = [timed(html_to_pdf, html) for _ in range(args.runs)]
        whole, alone = [], []
        for _ in range(args.runs):  # interleaved so drift hits both alike
            whole.append(timed(pipeline, csv_path))
            with as_shipped():
                alone.append(timed(bare, html))
        memory = peak_memory_mb(csv_path, folder / "one.pdf")
        one, one_cpu = median(render, 0), median(render, 1)
        print(f"one roadmap ({len(html) // 1024} KB HTML, {pages} pages): median render "
              f"{one:.2f} s wall, {one_cpu:.2f} s CPU over {args.runs} runs "
              f"(wall min {min(r[0] for r in render):.2f}, max {max(r[0] for r in render):.2f})")
        print(f"peak memory of a fresh `readiness roadmap` process: {memory:.0f} MB")
        for label, index in (("wall", 0), ("CPU", 1)):
            ratio = median(whole, index) / median(alone, index)
            print(f"whole pipeline {median(whole, index):.2f} s vs bare WeasyPrint (as shipped) "
                  f"{median(alone, index):.2f} s ({label}): ratio {ratio:.3f} "
                  f"(overhead {100 * (ratio - 1):+.1f} %)")

        by_plan_size(csv_path, args.runs)
        where_time_goes(html, args.runs)
        forked_renders(html, args.runs)
        if args.against:
            against_checkout(args.against, 12, max(3, args.runs // 2))
        if not args.assessments:
            return
        print(f"building a database of {args.assessments} closed assessments ...", flush=True)
        env = make_database(folder, args.assessments)
        timings = {}
        for workers in (1, cores):  # the same batch on one core, then on all of them
            out = folder / f"out{workers}"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "readiness.cli.main", "reports", "build",
                                   "--out", str(out), "--workers", str(workers)],
                                  env={**os.environ, **env}, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            made = len(list(out.glob("*.pdf")))
            timings[workers] = seconds
            print(f"reports build --workers {workers}: {made} PDFs in {seconds:.1f} s = "
                  f"{made / seconds * 60:.1f} PDFs/min"
                  + ("" if done.returncode == 0 else f"; FAILED: {done.stderr.strip()[-300:]}"),
                  flush=True)
        speedup = timings[1] / timings[cores]
        print(f"speed-up on {cores} cores: {speedup:.2f}x = {100 * speedup / cores:.0f} % of the "
              f"ideal {cores}-core speed-up")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
