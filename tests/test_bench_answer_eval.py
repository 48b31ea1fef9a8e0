"""Smoke test of bench/answer_eval.py: a few SQuAD questions and the seed set, really asked."""

from __future__ import annotations

import argparse
import json

import pytest

from bench import answer_eval, seed_eval
from bench.answer_eval_report import write_report


def test_scoring_helpers():
    assert answer_eval.contains("Founded in  the 10th\ncentury [1]", ["THE 10TH CENTURY"])
    assert answer_eval.contains("Hayes\u2019 son", ["hayes' son"])
    assert not answer_eval.contains("no answer here", ["answer there", ""])
    assert answer_eval.note_tags("[speaker][title-only] Ternan must be cited [x]") == [
        "speaker",
        "title-only",
    ]
    assert answer_eval.note_tags("no tags") == []


def test_squad_and_seed_metrics(sample_assistant, embedder, shared_dir, tmp_path):
    if shared_dir is None or not answer_eval.SQUAD.exists():
        pytest.skip("needs ../shared/eval")
    rows, info = answer_eval.run_squad(titles=1, questions=40, seed=13, limit=2, embedder=embedder)
    assert len(rows) == 2 and info["paragraphs"] > 0
    assert {r.group for r in rows} == {"answerable", "unanswerable"}
    squad = answer_eval.squad_metrics(rows)
    assert squad["answer_has_gold"]["n"] == 1 and squad["unanswerable_refused"]["n"] == 1
    assert 0 <= squad["refusal_balanced_accuracy"]["value"] <= 1
    assert all(r.answer and r.seconds > 0 for r in rows)

    items = seed_eval.load_items(seed_eval.SEED_DEV)
    seed_rows = answer_eval.run_judged(sample_assistant, "seed", items, lambda i: i["kind"])
    seed = answer_eval.judged_metrics(seed_rows)
    assert seed["passed"]["n"] == len(items)
    assert seed["passed"]["value"] == sum(r.passed for r in seed_rows) / len(items)

    result = {"label": "current", "config": {}, "machine": {}, "parts": {}}
    for part, part_rows, metrics in (("squad", rows, squad), ("seed", seed_rows, seed)):
        result["parts"][part] = {
            "metrics": metrics,
            "limit": 2,
            "commit": "test",
            "uncommitted_answer_code": False,
            "finished": "now",
            "questions": len(part_rows),
            "seconds": 1.0,
            "p50_ask_s": 0.1,
        }
    answer_eval.write_run(result, rows + seed_rows, tmp_path)
    raw = [json.loads(line) for line in (tmp_path / "answer_eval_raw.jsonl").read_text().splitlines()]
    assert len(raw) == len(rows) + len(seed_rows)
    assert {"question", "answer", "found", "passed"} <= set(raw[0])
    report = write_report(tmp_path)
    assert "| seed | seed questions passed |" in report
    assert (tmp_path / "answer_eval.md").exists() and (tmp_path / "answer_eval.png").exists()


def test_unknown_part_is_rejected(capsys):
    with pytest.raises(SystemExit):
        answer_eval.parse_args(["--parts", "squad,nope"])
    assert "nope" in capsys.readouterr().err
    assert isinstance(answer_eval.parse_args(["--parts", "seed"]), argparse.Namespace)
