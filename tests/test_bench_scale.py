"""Smoke test of the scale benchmark (bench/scale.py --quick): every figure is measured, and
store builds that are killed resume where they stopped."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = REPO.parent / "shared" / "eval" / "external"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (EXTERNAL / "multihop_rag" / "corpus.json").exists(), reason="no ../shared/eval"),
]


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


def _run(cache: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/scale.py", "--quick", "--cache", str(cache), "--out", str(out), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=540,
    )


def _store(cache: Path, name: str) -> Path:
    (store,) = (cache / "stores").glob(f"{name}-*")
    return store


def test_quick_run_reports_every_figure(tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    # Builds killed mid-way (--stop-after-batches: the process ends as if killed after that many
    # batches; --quick builds in batches of 8 chunks): ours-small in the first run, naive-small
    # in the second, which resumes and completes ours-small; the third run resumes naive-small.
    first = _run(cache, out, "--stop-after-batches", "ours-small=1", "--slice-chunks", "10")
    assert first.returncode == 3, first.stderr[-3000:]
    ours_small = _store(cache, "ours-small")
    progress = json.loads((ours_small / "progress.json").read_text())
    assert (progress["segments"], progress["batches"], progress["complete"]) == (1, 1, False), progress
    assert 0 < progress["articles"] < progress["articles_total"]
    assert not (ours_small / "build.json").exists()

    # (--build-only: no slices, no queries; the builds resume all the same)
    second = _run(cache, out, "--build-only", "--stop-after-batches", "naive-small=1", "--slice-chunks", "10")
    assert second.returncode == 3, second.stderr[-3000:]
    assert json.loads((ours_small / "build.json").read_text())["segments"] == 2
    naive_small = _store(cache, "naive-small")
    progress = json.loads((naive_small / "progress.json").read_text())
    assert (progress["segments"], progress["batches"], progress["complete"]) == (1, 1, False), progress
    assert 0 < progress["chunks"] < progress["chunks_total"]
    assert not (naive_small / "build.json").exists()

    done = _run(cache, out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| figure | ours | naive LangChain | ours ÷ naive |" in done.stdout
    result = json.loads((out / "scale.json").read_text())
    assert (out / "scale.md").read_text().startswith("| figure |")

    for pipeline in ("ours", "naive"):
        rate = result["ingestion"][pipeline]
        for key in ("chunks", "articles", "e2e_chunks_per_s", "e2e_articles_per_s", "raw_chunks_per_s"):
            assert _positive(rate[key]), (pipeline, key, rate[key])
        assert rate["e2e_over_raw"] == pytest.approx(rate["e2e_chunks_per_s"] / rate["raw_chunks_per_s"])
        assert rate["chunks_match_chunker"], pipeline  # raw rate measured on the very chunks stored
    ours_rate = result["ingestion"]["ours"]
    assert _positive(ours_rate["raw_fp32_chunks_per_s"])  # the reference: torch fp32
    assert ours_rate["e2e_over_raw_fp32"] == pytest.approx(
        ours_rate["e2e_chunks_per_s"] / ours_rate["raw_fp32_chunks_per_s"]
    )

    assert result["backend"]
    for size in ("small", "large"):
        for pipeline in ("ours", "naive"):
            store = result["stores"][f"{pipeline}-{size}"]
            for key in ("chunks", "build_seconds", "build_peak_rss_mib", "disk_mib", "p50_ms", "p95_ms"):
                assert _positive(store[key]), (pipeline, size, key, store[key])
            assert store["p95_ms"] >= store["p50_ms"]
            assert store["queries"] == 10
            assert store["mean_passages"] > 0
            # the peak after searching (what compares with naive), and ours' with the answerer
            assert _positive(store["search_peak_rss_mib"])
            assert store["search_peak_rss_mib"] <= store["query_peak_rss_mib"]
            assert (store["ask_peak_rss_mib"] is not None) == (pipeline == "ours")
            assert store["build_backend"] == ("torch" if pipeline == "naive" else result["backend"])
            if pipeline == "ours":  # the profile breakdown of its searches and answers
                for part in ("search", "ask"):
                    stages = {row["stage"]: row for row in store["profile"][part]}
                    assert _positive(stages["total"]["mean_ms"]) and "embed query" in stages, part
                assert "answerer" in {row["stage"] for row in store["profile"]["ask"]}
    assert result["stores"]["ours-large"]["chunks"] > result["stores"]["ours-small"]["chunks"]
    assert not result["partial"]

    # The resumed stores: two segments, their seconds summed, and the chunks of an uninterrupted
    # build of the same articles (in --quick the rate slice is the small store's articles,
    # ingested in one go into a fresh folder).
    files = result["corpus"]["files"]
    assert files["slice"].split("-", 1)[1] == files["small"].split("-", 1)[1]
    for pipeline in ("ours", "naive"):
        small, large = result["stores"][f"{pipeline}-small"], result["stores"][f"{pipeline}-large"]
        assert (small["build_segments"], small["build"]["resumed"]) == (2, True), pipeline
        assert (large["build_segments"], large["build"]["resumed"]) == (1, False), pipeline
        assert small["chunks"] == result["ingestion"][pipeline]["chunks"], pipeline
        assert small["articles"] == result["ingestion"][pipeline]["articles"], pipeline
        segments = small["build"]["segment_log"]
        assert small["build_seconds"] == pytest.approx(sum(s["seconds"] for s in segments))
        assert [s["batches"] for s in segments][0] == 1 and segments[1]["batches"] >= 1
    assert "build time (s) | " in (out / "scale.md").read_text()
    assert "### Profile breakdown (ours)" in (out / "scale.md").read_text()
    assert "Goals at 80 (issue 21)" in (out / "scale.md").read_text()
    assert (out / "scale.md").read_text().count("(2 segments)") == 2

    ratios = result["ours_vs_naive"]
    expected = {"e2e_chunks_per_s", "e2e_articles_per_s"} | {
        f"{size}_{key}"
        for size in ("small", "large")
        for key in (
            "build_seconds",
            "build_peak_rss_mib",
            "disk_mib",
            "p50_ms",
            "p95_ms",
            "search_peak_rss_mib",
        )
    }
    assert expected <= ratios.keys()
    assert all(_positive(ratios[key]) for key in expected), ratios
    assert ratios["large_p50_ms"] == pytest.approx(
        result["stores"]["ours-large"]["p50_ms"] / result["stores"]["naive-large"]["p50_ms"]
    )

    # A second run reuses the stores and reports the recorded build figures; it measures the
    # slice of ours again and takes naive's from the earlier runs on the same slice.
    again = _run(cache, out, "--queries", "2", "--slice-chunks", "10", "--reuse-slices", "naive")
    assert again.returncode == 0, again.stderr[-3000:]
    rerun = json.loads((out / "scale.json").read_text())
    assert rerun["ingestion"]["naive"].get("reused") and not rerun["ingestion"]["ours"].get("reused")
    assert "naive (measured " in (out / "scale.md").read_text()
    for name, store in rerun["stores"].items():
        assert store["build_cached"], name
        assert store["build_seconds"] == result["stores"][name]["build_seconds"]
        assert store["build_segments"] == result["stores"][name]["build_segments"]
