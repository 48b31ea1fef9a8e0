"""The answer_eval report: "before" and "current" runs side by side, as markdown and plots."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bench.homes import save_figure

log = logging.getLogger("bench.answer_eval")

LABELS = ("before", "current")
# (part, metric, what it measures) in the order of the summary table
HEADLINE = (
    ("squad", "answer_has_gold", "answerable: answer text contains a gold span"),
    ("squad", "cited_sentence_has_gold", "answerable: a cited sentence contains a gold span"),
    ("squad", "answerable_found", "answerable: found"),
    ("squad", "unanswerable_refused", "unanswerable: refused"),
    ("squad", "refusal_balanced_accuracy", "refusal balanced accuracy"),
    ("squad", "answer_words_median", "found answers: median length"),
    ("multihop", "inference_answer_has_gold", "inference: answer text names the gold entity"),
    ("multihop", "inference_cited_sentence_has_gold", "inference: a cited sentence names it"),
    ("multihop", "null_refused", "null queries refused"),
    ("multihop", "refusal_balanced_accuracy", "refusal balanced accuracy (inference vs null)"),
    ("multihop", "answer_words_median", "found answers: median length"),
    ("seed", "passed", "seed questions passed"),
    ("news", "passed", "news questions passed"),
    ("news_dev", "passed/answer", "answer items: right sentence cited and answer terms"),
    ("news_dev", "cited_sentence_has_evidence", "answer items: a cited sentence holds the evidence"),
    ("news_dev", "passed/none", "near-miss/none items marked not found"),
    ("news_dev", "answer_words_median", "found answers: median length"),
)
MISSES_SHOWN = 5


def stem(label: str) -> str:
    """File stem of a run: ``answer_eval`` (current) or ``answer_eval_<label>``."""
    return "answer_eval" if label == "current" else f"answer_eval_{label}"


def load_runs(results: Path) -> dict[str, dict]:
    runs = {}
    for label in LABELS:
        path = results / f"{stem(label)}.json"
        if path.exists():
            runs[label] = json.loads(path.read_text(encoding="utf-8"))
    return runs


def metric(run: dict | None, part: str, name: str) -> dict | None:
    if not run:
        return None
    return run.get("parts", {}).get(part, {}).get("metrics", {}).get(name)


def cell(m: dict | None) -> str:
    if not m or m.get("value") is None:
        return "–"
    value, n = m["value"], m["n"]
    if m.get("unit"):
        return f"{value:.0f} {m['unit']}"
    if n and not m.get("balanced") and abs(value * n - round(value * n)) < 1e-6:
        return f"{value:.3f} ({round(value * n)}/{n})"
    return f"{value:.3f}"


def delta(a: dict | None, b: dict | None) -> str:
    if not a or not b or a.get("value") is None or b.get("value") is None:
        return ""
    diff = b["value"] - a["value"]
    return f"{diff:+.0f}" if b.get("unit") else f"{diff:+.3f}"


def side_by_side(runs: dict[str, dict], rows: list[tuple[str, str, str]]) -> list[str]:
    before, current = runs.get("before"), runs.get("current")
    out = ["| part | metric | n | before | current | Δ |", "|---|---|---|---|---|---|"]
    for part, name, label in rows:
        a, b = metric(before, part, name), metric(current, part, name)
        if not a and not b:
            continue
        n = (b or a)["n"] if not (a and b) or a["n"] == b["n"] else f"{a['n']} / {b['n']}"
        out.append(f"| {part} | {label} | {n} | {cell(a)} | {cell(b)} | {delta(a, b)} |")
    return out


def runs_table(runs: dict[str, dict]) -> list[str]:
    """Which code each part of each run measured, on how many questions, and how long it took."""
    out = [
        "| run | part | code | embedder | limit | questions | errors | s | p50 s/question | finished |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, run in runs.items():
        for part, v in run.get("parts", {}).items():
            code = f"`{v['commit']}`" + (" + uncommitted" if v["uncommitted_answer_code"] else "")
            out.append(
                f"| {label} | {part} | {code} | {v.get('embedder_backend', 'torch')} | "
                f"{v['limit'] or '–'} | {v['questions']} | {v.get('errors', 0)} | "
                f"{v['seconds']:.0f} | {v['p50_ask_s']} | {v['finished']} |"
            )
    return out


def misses(results: Path, label: str = "current") -> list[str]:
    """A few failed questions per part of a run, to read."""
    path = results / f"{stem(label)}_raw.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for part in dict.fromkeys(r["part"] for r in rows):
        failed = [r for r in rows if r["part"] == part and not r["passed"]]
        if not failed:
            continue
        out.append(f"\n**{part}** ({len(failed)} failed; first {min(MISSES_SHOWN, len(failed))}):\n")
        for r in failed[:MISSES_SHOWN]:
            gold = f" — gold: {'; '.join(r['gold'])[:80]}" if r["gold"] else ""
            answer = r["answer"][:220].replace("|", "\\|")
            out.append(
                f"- `{r['id']}` [{r['group']}] {r['question']}{gold}\n  → found={r['found']}: {answer}"
            )
    return out


def plot_headline(runs: dict[str, dict], path: Path) -> None:
    """Bars of the headline metrics, before next to current."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows = [
        (p, m, f"{p}: {lab}")
        for p, m, lab in HEADLINE
        if any(metric(r, p, m) and not metric(r, p, m).get("unit") for r in runs.values())
    ]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.2))
    y = np.arange(len(rows))
    width = 0.8 / max(1, len(runs))
    for k, label in enumerate(lab for lab in LABELS if lab in runs):
        values = [(metric(runs[label], p, m) or {}).get("value") or 0 for p, m, _ in rows]
        ax.barh(y + k * width, values, height=width, label=label)
    ax.set_yticks(y + width * (len(runs) - 1) / 2, [r[2] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of questions (balanced accuracy for refusal)")
    ax.set_title("Assistant.ask answer quality")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    save_figure(fig, path)


def plot_news_dev(runs: dict[str, dict], path: Path) -> None:
    """news_dev pass rate per kind and note tag, before next to current."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = sorted(
        {
            k
            for r in runs.values()
            for k in r.get("parts", {}).get("news_dev", {}).get("metrics", {})
            if "/" in k
        }
    )
    if not names:
        return
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(names))
    width = 0.8 / max(1, len(runs))
    for k, label in enumerate(lab for lab in LABELS if lab in runs):
        values = [(metric(runs[label], "news_dev", n) or {}).get("value") or 0 for n in names]
        ax.bar(x + k * width, values, width=width, label=label)
    n = [(metric(runs.get("current") or runs.get("before"), "news_dev", m) or {}).get("n", 0) for m in names]
    ax.set_xticks(
        x + width * (len(runs) - 1) / 2,
        [f"{m.split('/', 1)[1]} (n={c})" for m, c in zip(names, n, strict=True)],
        fontsize=7,
        rotation=30,
        ha="right",
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("share passed")
    ax.set_title("news_dev.jsonl: pass rate per kind and note tag")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    save_figure(fig, path)


def write_report(results: Path) -> str:
    """Write ``answer_eval.md`` and the plots from the saved runs; returns the markdown."""
    runs = load_runs(results)
    if not runs:
        return "No saved runs."
    lines = ["# Answer quality: before vs current", ""]
    lines += runs_table(runs)
    lines += [
        "",
        "## Summary",
        "",
        'n is the number of questions a share is of ("before / current" where the runs asked',
        "different numbers: then the columns are not the same questions). MultiHop and news_dev",
        "parts use the embedder runtime the runs table names.",
        "",
    ]
    lines += side_by_side(runs, list(HEADLINE))
    parts = dict.fromkeys(p for r in runs.values() for p in r.get("parts", {}))
    for part in parts:
        names = dict.fromkeys(
            m for r in runs.values() for m in r.get("parts", {}).get(part, {}).get("metrics", {})
        )
        lines += ["", f"## {part}", ""]
        lines += side_by_side(runs, [(part, m, m) for m in names])
    found = misses(results)
    if found:
        lines += ["", "## Some misses of the current run", "", "(all in `answer_eval_raw.jsonl`)", *found]
    lines += [
        "",
        "![headline metrics](answer_eval.png)",
        "",
        "![news_dev per tag](answer_eval_news_dev.png)",
        "",
    ]
    text = "\n".join(lines)
    (results / "answer_eval.md").write_text(text, encoding="utf-8")
    plot_headline(runs, results / "answer_eval.png")
    plot_news_dev(runs, results / "answer_eval_news_dev.png")
    return text
