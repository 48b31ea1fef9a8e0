"""The scale benchmark's results: ours-vs-naive ratios, machine facts, scale.md and scale.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
from pathlib import Path

from bench.scale_tasks import NAIVE_K

log = logging.getLogger("bench.scale")

RATE_GOAL = 0.8
FP32_GOAL = 1.5  # issue 21: ours end to end at least 1.5x the model's raw fp32 encoder
SEARCH_P95_GOAL_MS, ASK_P95_GOAL_MS = 100, 300  # issue 21, at 100,000 chunks


def size_label(n: int) -> str:
    return f"{n / 1000:g}k" if n >= 1000 else str(n)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def summarise(result: dict) -> dict:
    """Ours-vs-naive ratios of every figure (ours divided by naive)."""
    rate = result.get("ingestion", {})
    out: dict[str, float | None] = {}
    if "ours" in rate and "naive" in rate:
        out["e2e_chunks_per_s"] = ratio(rate["ours"]["e2e_chunks_per_s"], rate["naive"]["e2e_chunks_per_s"])
        out["e2e_articles_per_s"] = ratio(
            rate["ours"]["e2e_articles_per_s"], rate["naive"]["e2e_articles_per_s"]
        )
        out["e2e_over_raw"] = ratio(rate["ours"]["e2e_over_raw"], rate["naive"]["e2e_over_raw"])
        if rate["ours"].get("raw_fp32_chunks_per_s"):
            out["e2e_over_raw_fp32"] = rate["ours"].get("e2e_over_raw_fp32")
    stores = result.get("stores", {})
    for size in ("small", "large"):
        ours, naive = stores.get(f"ours-{size}"), stores.get(f"naive-{size}")
        if not ours or not naive:
            continue
        for key in (
            "build_seconds",
            "build_peak_rss_mib",
            "disk_mib",
            "p50_ms",
            "p95_ms",
            "query_peak_rss_mib",
            "search_peak_rss_mib",
        ):
            if ours.get(key) is not None and naive.get(key) is not None:
                out[f"{size}_{key}"] = ratio(ours[key], naive[key])
    return out


def machine_info() -> dict:
    """What the figures were measured on."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in (
        "torch",
        "sentence-transformers",
        "onnxruntime",
        "chromadb",
        "langchain-chroma",
        "langchain-huggingface",
        "langchain-text-splitters",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "nice": os.nice(0),
        "versions": versions,
        "date": dt.date.today().isoformat(),
    }


def save(result: dict, args: argparse.Namespace) -> None:
    """Write the JSON and the markdown table (also after each step of a long run)."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    (out / "scale.md").write_text(markdown(result), encoding="utf-8")


def _f(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _build_time(store: dict) -> str:
    """Build seconds, with the number of segments of a build resumed across runs."""
    cell = _f(store.get("build_seconds"), 0)
    segments = store.get("build_segments", 1)
    return f"{cell} ({segments} segments)" if store and segments > 1 else cell


def markdown(result: dict) -> str:
    """The figures as a markdown table: ours, naive, ours ÷ naive."""
    rate, stores, sizes = result.get("ingestion", {}), result.get("stores", {}), result["sizes"]
    ours, naive = rate.get("ours", {}), rate.get("naive", {})
    rows: list[tuple[str, str, str, str]] = []

    def row(label: str, a: float | None, b: float | None, digits: int = 1) -> None:
        rows.append((label, _f(a, digits), _f(b, digits), _f(ratio(a, b), 2)))

    n_slice = ours.get("chunks")
    rows.append(
        (
            f"ingestion slice (chunks; ours ≈ {result['config']['slice_chunks']:,})",
            _f(ours.get("chunks"), 0),
            _f(naive.get("chunks"), 0),
            "",
        )
    )
    row("raw encoder, `encode` (chunks/s)", ours.get("raw_chunks_per_s"), naive.get("raw_chunks_per_s"))
    row("end-to-end ingestion (chunks/s)", ours.get("e2e_chunks_per_s"), naive.get("e2e_chunks_per_s"))
    row(
        "end-to-end ingestion (articles/s)",
        ours.get("e2e_articles_per_s"),
        naive.get("e2e_articles_per_s"),
        2,
    )
    row(
        f"end-to-end ÷ raw encoder (goal ≥ {RATE_GOAL})",
        ours.get("e2e_over_raw"),
        naive.get("e2e_over_raw"),
        2,
    )
    if ours.get("raw_fp32_chunks_per_s"):
        rows.append(
            (
                "raw fp32 encoder (torch) on ours' chunks (chunks/s)",
                _f(ours.get("raw_fp32_chunks_per_s")),
                "",
                "",
            )
        )
        rows.append(
            (
                f"ours end-to-end ÷ raw fp32 encoder (goal ≥ {FP32_GOAL})",
                _f(ours.get("e2e_over_raw_fp32"), 2),
                "",
                "",
            )
        )
    for size in ("small", "large"):
        label = size_label(sizes[size])
        o, n = stores.get(f"ours-{size}", {}), stores.get(f"naive-{size}", {})
        if not o and not n:
            continue
        rows.append(
            (
                f"**{label}** store: articles / chunks",
                f"{o.get('articles', 0):,} / {o.get('chunks', 0):,}" if o else "–",
                f"{n.get('articles', 0):,} / {n.get('chunks', 0):,}" if n else "–",
                "",
            )
        )
        rows.append(
            (
                f"{label}: build time (s)",
                _build_time(o),
                _build_time(n),
                _f(ratio(o.get("build_seconds"), n.get("build_seconds")), 2),
            )
        )
        row(
            f"{label}: peak RSS while building (MiB)",
            o.get("build_peak_rss_mib"),
            n.get("build_peak_rss_mib"),
            0,
        )
        row(f"{label}: store on disk (MiB)", o.get("disk_mib"), n.get("disk_mib"))
        row(f"{label}: query latency p50 (ms)", o.get("p50_ms"), n.get("p50_ms"))
        row(f"{label}: query latency p95 (ms)", o.get("p95_ms"), n.get("p95_ms"))
        if o.get("ask_p50_ms") is not None:  # naive has no answerer: the search is its whole answer
            row(f"{label}: whole answer (`ask`, extractive) p50 (ms)", o.get("ask_p50_ms"), n.get("p50_ms"))
            row(f"{label}: whole answer (`ask`, extractive) p95 (ms)", o.get("ask_p95_ms"), n.get("p95_ms"))
        if o.get("search_peak_rss_mib") is not None:
            row(
                f"{label}: peak RSS after the searches, before `ask` (MiB)",
                o.get("search_peak_rss_mib"),
                n.get("search_peak_rss_mib"),
                0,
            )
        row(
            f"{label}: peak RSS while querying (MiB)"
            + (" (ours: with `ask`)" if o.get("ask_peak_rss_mib") is not None else ""),
            o.get("query_peak_rss_mib"),
            n.get("query_peak_rss_mib"),
            0,
        )
    lines = ["| figure | ours | naive LangChain | ours ÷ naive |", "|---|---:|---:|---:|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    cfg, machine = result["config"], result["machine"]
    load = ", ".join(f"{x:.2f}" for x in machine["load_average"])
    built = stores.get(f"ours-{'large' if 'ours-large' in stores else 'small'}", {}).get("build_backend", "?")
    notes = [
        "",
        f"Encoder (ours): {result.get('backend', ours.get('backend', built))}; naive: sentence-transformers "
        f"on torch. Queries: {cfg['queries']} MultiHop-RAG questions, sequential, after "
        f"{cfg['warm_queries']} warm-up ones; ours `NewsRetriever.passages` (hybrid, k=8), naive "
        f"`similarity_search(k={NAIVE_K})`.",
        f"Machine: {machine['cpus']} CPUs, load {load} at start, nice {machine['nice']}, "
        f"torch threads {cfg['threads']}."
        + (
            " Run in one process (--inline/--quick): RSS figures are indicative only."
            if cfg["inline"]
            else ""
        ),
    ]
    built_with = {k: v.get("build_backend") for k, v in stores.items() if v.get("build_backend")}
    if built_with:
        notes.append(
            "Stores built with: " + ", ".join(f"{k} {backend}" for k, backend in built_with.items()) + "."
        )
    loads = {k: v["query_load_average"]["start"][0] for k, v in stores.items() if v.get("query_load_average")}
    if loads:
        notes.append(
            "Load average (1 min) when each store's queries started: "
            + ", ".join(f"{k} {x:.2f}" for k, x in loads.items())
            + "."
        )
    if n_slice and ours.get("chunks_match_chunker") is False:
        notes.append("Warning: the stored chunk texts differ from what `index.chunk.chunk_text` predicted.")
    if any(v.get("build_segments", 1) > 1 for v in stores.values()):
        notes.append(
            "Build time with segments: the store was built by several runs, each stopped (killed) "
            "before it was complete and resumed by the next; the time is the sum of their build "
            "work, model loading excluded, and a batch cut off by a kill is counted once, when redone."
        )
    for name, p in result.get("partial", {}).items():
        done = (
            f"{p['chunks']:,}" + (f" of {p['chunks_total']:,}" if p.get("chunks_total") else "") + " chunks"
        )
        if p.get("articles_total"):
            done += f" ({p['articles']:,} of {p['articles_total']:,} articles)"
        notes.append(
            f"Being built: {name}, {done} in {p['seconds']:,.0f} s over {p['segments']} segment(s) "
            "when this run took it up (a run stopped before it completes is resumed by the next)."
        )
    reused = [k for k, v in rate.items() if v.get("reused")]
    if reused:
        notes.append(
            "Ingestion rates reused from an earlier run (--reuse-slices): "
            + ", ".join(f"{k} (measured {rate[k].get('measured_at')})" for k in reused)
            + "."
        )
    cached = [k for k, v in stores.items() if v.get("build_cached")]
    if cached:
        notes.append(
            "Stores reused from the cache (build figures recorded when built): "
            + ", ".join(f"{k} ({stores[k]['built_at']})" for k in cached)
            + "."
        )
    return "\n".join(lines + notes + goal_lines(result) + profile_sections(stores, sizes)) + "\n"


def _check(value: float | None, limit: float, unit: str = "×", at_least: bool = False) -> str:
    if value is None:
        return "not measured"
    met = value >= limit if at_least else value <= limit
    return f"{value:,.{1 if unit == ' ms' else 2}f}{unit} ({'met' if met else 'NOT met'})"


def goal_lines(result: dict) -> list[str]:
    """Issue 21's goals at the large size, checked against this run's figures."""
    stores = result.get("stores", {})
    o, n = stores.get("ours-large"), stores.get("naive-large")
    fp32 = result.get("ingestion", {}).get("ours", {}).get("e2e_over_raw_fp32")
    if not o or o.get("p95_ms") is None:
        return []
    label = size_label(result["sizes"]["large"])
    n = n or {}
    return [
        "",
        f"Goals at {label} (issue 21), from the figures above:",
        "",
        f"- search p95 ≤ {SEARCH_P95_GOAL_MS} ms: {_check(o.get('p95_ms'), SEARCH_P95_GOAL_MS, ' ms')}",
        f"- search p95 ≤ 2× naive: {_check(ratio(o.get('p95_ms'), n.get('p95_ms')), 2.0)}",
        f"- whole answer (`ask`) p95 ≤ {ASK_P95_GOAL_MS} ms: "
        + _check(o.get("ask_p95_ms"), ASK_P95_GOAL_MS, " ms"),
        "- peak RSS after the searches ≤ 1.2× naive: "
        + _check(ratio(o.get("search_peak_rss_mib"), n.get("search_peak_rss_mib")), 1.2),
        f"- store on disk ≤ 1.3× naive: {_check(ratio(o.get('disk_mib'), n.get('disk_mib')), 1.3)}",
        f"- end-to-end ingestion ≥ {FP32_GOAL}× the raw fp32 encoder: "
        + _check(fp32, FP32_GOAL, at_least=True),
    ]


def profile_sections(stores: dict, sizes: dict) -> list[str]:
    """The profile breakdown of ours' searches and answers, one column pair per store size."""
    runs = {
        size_label(sizes[size]): stores[f"ours-{size}"]["profile"]
        for size in ("small", "large")
        if (stores.get(f"ours-{size}") or {}).get("profile")
    }
    if not runs:
        return []
    from bench.profile_search import stage_table

    questions = ", ".join(f"{label} {run['questions']}" for label, run in runs.items())
    return [
        "",
        "### Profile breakdown (ours)",
        "",
        f"After the timed queries, in the same process, on other questions ({questions}): each "
        "stage timed inclusive (indented stages are inside the one above; `rest` is the time "
        "outside every top-level stage); shares are of the mean total (`bench/profile_stages.py`).",
        "",
        "Search (`NewsRetriever.passages`):",
        "",
        stage_table(runs, "search"),
        "",
        "Whole answer (`Assistant.ask`, extractive):",
        "",
        stage_table(runs, "ask"),
    ]
