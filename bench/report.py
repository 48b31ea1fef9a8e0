"""One command, one report: run every benchmark and collect their tables and plots.

Run from the repository root (data from ``../shared/``)::

    .venv/bin/python bench/report.py                 # everything (about an hour on 2 cores)
    .venv/bin/python bench/report.py --only seed,scifact
    .venv/bin/python bench/report.py --list

Each benchmark is its own script that prints markdown tables and writes its JSON (and
PNG plots) under ``bench/results/``; this runs them one after another as subprocesses and
writes ``bench/results/REPORT.md`` with each one's printed tables, wall time, the command
to reproduce it and links to its plots. A benchmark that fails is reported as failed
(with the end of its error output) and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    title: str
    plots: tuple[str, ...] = ()
    args: tuple[str, ...] = ()


BENCHES = [
    Bench("seed", "bench/seed_eval.py", "Seed questions on the sample corpus"),
    Bench(
        "scifact",
        "bench/retrieval_scifact.py",
        "Retrieval on SciFact (BEIR)",
        plots=("retrieval_scifact.png",),
    ),
    Bench(
        "multihop",
        "bench/retrieval_multihop.py",
        "News retrieval on MultiHop-RAG",
        plots=("multihop_retrieval.png",),
    ),
    Bench(
        "squad",
        "bench/calibrate_threshold.py",
        "Refusal threshold on SQuAD 2.0",
        plots=("calibration_squad.png",),
    ),
    Bench(
        "multihop-refusal",
        "bench/calibrate_multihop.py",
        "Refusal threshold on MultiHop-RAG",
        plots=("calibration_multihop.png",),
    ),
    Bench("rgb", "bench/counterfactual_rgb.py", "Counterfactual passages (RGB)"),
]


def run(bench: Bench) -> tuple[bool, str, float]:
    """Run one benchmark; (succeeded, its stdout or the tail of its stderr, seconds)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, bench.script, *bench.args],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return False, f"exit {proc.returncode}\n\n```\n{tail}\n```\n", seconds
    return True, proc.stdout.strip() + "\n", seconds


def section(bench: Bench, ok: bool, output: str, seconds: float) -> str:
    lines = [f"## {bench.title}", ""]
    command = " ".join([".venv/bin/python", bench.script, *bench.args])
    status = "" if ok else " — **failed**"
    lines += [f"`{command}` · {seconds / 60:.1f} min{status}", "", output]
    for plot in bench.plots:
        if (RESULTS / plot).exists():
            lines += [f"![{bench.title}]({plot})", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--out", type=Path, default=RESULTS / "REPORT.md", help="report path")
    args = parser.parse_args(argv)
    if args.list:
        for b in BENCHES:
            print(f"{b.name:18} {b.script:32} {b.title}")
        return 0
    chosen = BENCHES
    if args.only:
        names = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = names - {b.name for b in BENCHES}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; see --list")
        chosen = [b for b in BENCHES if b.name in names]

    parts = [
        "# Benchmark report",
        "",
        f"Written by `bench/report.py` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"Python {platform.python_version()} · {platform.machine()} · "
        f"{len(os.sched_getaffinity(0))} CPU cores.",
        "",
    ]
    failed = 0
    for bench in chosen:
        print(f"running {bench.name} ({bench.script})...", file=sys.stderr, flush=True)
        ok, output, seconds = run(bench)
        failed += not ok
        print(f"  {'done' if ok else 'FAILED'} in {seconds / 60:.1f} min", file=sys.stderr, flush=True)
        parts.append(section(bench, ok, output, seconds))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(parts), encoding="utf-8")  # partial report after each step
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
