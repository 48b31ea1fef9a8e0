"""Where the time of a search and of an answer goes, per stage, on the MultiHop-RAG library.

Run from the repository root::

    .venv/bin/python bench/profile_search.py --label before
    .venv/bin/python bench/profile_search.py --label before --scale-chunks 100000   # profiling store

The 609 MultiHop-RAG articles are indexed once with the product (``bench.homes``; the
configured ``NEWSQA_EMBEDDER_BACKEND``), then, in this process after ``--warmup`` questions,
``Assistant.search(q, k=8)`` runs on ``--questions`` non-null MultiHop-RAG questions spread
over the file and ``Assistant.ask`` on ``--ask`` others, each timed per stage
(``bench.profile_stages``), and one more pass of ``ask`` runs under cProfile (top functions
by own time). ``--scale-chunks N`` first grows a copy of the library to about N chunks by
copying articles and their vectors (``bench.profile_store``: a profiling store, not the
scale benchmark's). Results are kept in ``bench/results/profile.json`` under
``<label>/<store>`` and all of them are rendered to ``bench/results/profile.md``.

Timings on a shared 2-core machine are noisy: the load average is recorded with each run;
compare stages within a run and runs made back to back.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402

from assistant.build import build_assistant, build_library  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.calibrate_multihop import DATA, load_corpus  # noqa: E402
from bench.homes import indexed_library, setup_run  # noqa: E402
from bench.profile_stages import ASK_STAGES, SEARCH_STAGES, Stages  # noqa: E402
from bench.profile_store import enlarge  # noqa: E402
from bench.retrieval_multihop import evenly, load_queries  # noqa: E402
from bench.scale_measure import peak_rss_mib  # noqa: E402

log = logging.getLogger("bench.profile_search")

RESULTS = REPO / "bench" / "results"
CACHE = Path(__file__).resolve().parent / ".cache" / "profile"


def top_functions(profile: cProfile.Profile, n: int = 15) -> list[dict]:
    """The ``n`` functions with the most own time (file shortened to the package path)."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = file.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        rows.append(
            {"function": f"{short}:{line}({name})", "calls": calls, "own_s": own, "cumulative_s": cumulative}
        )
    rows.sort(key=lambda r: -r["own_s"])
    return [
        r | {"own_s": round(r["own_s"], 3), "cumulative_s": round(r["cumulative_s"], 3)} for r in rows[:n]
    ]


def profile(args: argparse.Namespace) -> dict:
    settings = Settings()
    articles = load_corpus(args.data / "corpus.json")
    library, _ = indexed_library("multihop", articles, settings)
    store = "multihop"
    if args.scale_chunks:
        home = enlarge(library.home, CACHE / f"{library.home.name}-x{args.scale_chunks}", args.scale_chunks)
        library = build_library(settings.model_copy(update={"home": home}))
        store = f"profiling store {args.scale_chunks // 1000}k"
    assistant = build_assistant(settings, library)
    assistant.warm_up()
    queries, _ = load_queries(args.data / "MultiHopRAG.json")
    questions = [q.question for q in queries if q.qtype != "null_query"]
    picked = evenly(questions, args.warmup + args.questions + 2 * args.ask)
    warm, rest = picked[: args.warmup], picked[args.warmup :]
    searched, asked, profiled = (
        rest[: args.questions],
        rest[args.questions :][::2],
        rest[args.questions :][1::2],
    )
    for q in warm:
        assistant.ask(q)
    load_start = os.getloadavg()
    search = Stages(assistant, SEARCH_STAGES)
    with search.installed():
        for q in searched:
            with search.query():
                assistant.search(q, k=settings.top_k)
    ask = Stages(assistant, ASK_STAGES)
    with ask.installed():
        for q in asked[: args.ask]:
            with ask.query():
                assistant.ask(q)
    profiler = cProfile.Profile()
    profiler.enable()
    for q in profiled[: args.ask]:
        assistant.ask(q)
    profiler.disable()
    return {
        "store": store,
        "chunks": library.stats()["chunks"],
        "articles": library.stats()["articles"],
        "backend": settings.embedder_backend,
        "search_questions": len(searched),
        "ask_questions": len(asked[: args.ask]),
        "search": search.summary(),
        "ask": ask.summary(),
        "ask_cprofile_top": top_functions(profiler),
        "peak_rss_mib": round(peak_rss_mib()),
        "load_average": {
            "start": [round(x, 2) for x in load_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        "commit": os.popen(f"git -C {REPO} rev-parse --short HEAD").read().strip(),
    }


def stage_table(runs: dict[str, dict], part: str) -> str:
    """One row per stage, a column pair (mean, p50) per run."""
    labels = list(runs)
    stages: list[str] = []
    for run in runs.values():
        for row in run[part]:
            if row["stage"] not in stages:
                stages.append(row["stage"])
    head = "| stage | " + " | ".join(f"{label} mean / p95 ms | share" for label in labels) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(labels)]
    for stage in stages:
        cells = []
        for label in labels:
            row = next((r for r in runs[label][part] if r["stage"] == stage), None)
            cells.append(
                f"{row['mean_ms']:.1f} / {row['p95_ms']:.1f} | {row['share']:.0%}" if row else "– | –"
            )
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(results: dict[str, dict]) -> str:
    stores: dict[str, dict[str, dict]] = {}
    for key, run in results.items():
        label = key.split("/", 1)[0]
        stores.setdefault(run["store"], {})[label] = run
    out = [
        "# Where a search and an answer spend their time (bench/profile_search.py)",
        "",
        "In-process, after warm-up questions; `Assistant.search(q, k=8)` and `Assistant.ask(q)` on "
        "MultiHop-RAG non-null questions, each stage timed inclusive (indented stages are inside the "
        "one above; `rest` is the time outside every top-level stage). Shares are of the mean total. "
        "Two CPUs shared with other processes: the load average is given per run; compare within a "
        "column and between runs made back to back, not absolute numbers across days.",
        "",
    ]
    for store, runs in stores.items():
        first = next(iter(runs.values()))
        out += [f"## {store}: {first['articles']:,} articles, {first['chunks']:,} chunks", ""]
        for label, run in runs.items():
            out.append(
                f"- **{label}**: commit {run['commit']}, {run['date']}, backend {run['backend']}, "
                f"{run['search_questions']} searches, {run['ask_questions']} answers, load average "
                f"{run['load_average']['start'][0]:.2f} at the start, "
                f"{run['load_average']['end'][0]:.2f} at the end, peak RSS {run.get('peak_rss_mib', '?')} MiB"
            )
        out += ["", "### Assistant.search", "", stage_table(runs, "search"), ""]
        out += ["### Assistant.ask (extractive)", "", stage_table(runs, "ask"), ""]
        for label, run in runs.items():
            out += [f"cProfile of `ask`, {label}, top functions by own time:", ""]
            out += ["| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
            out += [
                f"| `{r['function']}` | {r['calls']} | {r['own_s']:.3f} | {r['cumulative_s']:.3f} |"
                for r in run["ask_cprofile_top"]
            ]
            out.append("")
    notes = RESULTS / "profile_notes.md"  # the analysis, written by hand
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder with corpus.json and MultiHopRAG.json"
    )
    parser.add_argument("--questions", type=int, default=55, help="questions searched")
    parser.add_argument("--ask", type=int, default=30, help="questions answered (and as many under cProfile)")
    parser.add_argument("--warmup", type=int, default=5, help="questions answered before timing")
    parser.add_argument("--scale-chunks", type=int, default=0, help="grow a profiling store to N chunks")
    parser.add_argument("--label", default="run", help="name of this run in profile.json / profile.md")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for profile.json and profile.md")
    args = parser.parse_args(argv)
    setup_run(args.threads)
    result = profile(args)
    path = args.out / "profile.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[f"{args.label}/{result['store']}"] = result
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "profile.md").write_text(markdown(results))
    for part in ("search", "ask"):
        print(f"\n{part}:")
        for row in result[part]:
            print(
                f"  {row['stage']:<24} {row['mean_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f}  {row['share']:.0%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
