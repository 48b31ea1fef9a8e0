"""The scale report's check of issue 21's goals (bench/scale_report.goal_lines)."""

from __future__ import annotations

from bench.scale_report import goal_lines


def _result(**ours: float) -> dict:
    large = {"p95_ms": 40.0, "ask_p95_ms": 250.0, "search_peak_rss_mib": 900.0, "disk_mib": 700.0} | ours
    naive = {"p95_ms": 50.0, "search_peak_rss_mib": 850.0, "disk_mib": 720.0}
    return {
        "sizes": {"small": 10_000, "large": 100_000},
        "stores": {"ours-large": large, "naive-large": naive},
        "ingestion": {"ours": {"e2e_over_raw_fp32": 1.8}},
    }


def test_goals_met_and_not_met_are_named():
    lines = goal_lines(_result())
    assert lines[1] == "Goals at 100k (issue 21), from the figures above:"
    assert all(line.endswith("(met)") for line in lines[3:]), lines
    assert "- search p95 ≤ 2× naive: 0.80× (met)" in lines
    assert "- whole answer (`ask`) p95 ≤ 300 ms: 250.0 ms (met)" in lines

    missed = goal_lines(_result(ask_p95_ms=480.0, search_peak_rss_mib=1100.0))
    assert "- whole answer (`ask`) p95 ≤ 300 ms: 480.0 ms (NOT met)" in missed
    assert "- peak RSS after the searches ≤ 1.2× naive: 1.29× (NOT met)" in missed


def test_no_goals_without_the_large_store_queried():
    result = _result()
    del result["stores"]["ours-large"]["p95_ms"]
    assert goal_lines(result) == []
    result["stores"] = {}
    assert goal_lines(result) == []
