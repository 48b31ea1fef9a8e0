"""HTML for answers and their sources. Every piece of article text is escaped here.

Articles may contain markup (even ``<script>``): it is always shown as text, never run.
"""

from __future__ import annotations

import html

from assistant.types import Answer, Citation
from index.types import Article

SOURCES_CSS = """
<style>
.nq-sources { font-size: 0.95em; }
.nq-source { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px;
             padding: 0.6em 0.8em; margin-bottom: 0.7em; }
.nq-source h4 { margin: 0 0 0.2em 0; }
.nq-meta { color: var(--body-text-color-subdued, #666); font-size: 0.9em; margin-bottom: 0.4em; }
.nq-passage { white-space: pre-wrap; line-height: 1.45; }
.nq-source mark { background: #fde68a; color: inherit; padding: 0 1px; }
.nq-article { white-space: pre-wrap; max-height: 24em; overflow-y: auto; margin-top: 0.4em;
              border-top: 1px dashed #ccc; padding-top: 0.4em; }
.nq-closest { color: var(--body-text-color-subdued, #666); }
</style>
"""


def highlight(text: str, start: int, end: int) -> str:
    """Escaped ``text`` with ``text[start:end]`` wrapped in ``<mark>``."""
    start, end = max(0, start), min(len(text), end)
    return (
        html.escape(text[:start])
        + '<mark class="nq-support">'
        + html.escape(text[start:end])
        + "</mark>"
        + html.escape(text[end:])
    )


def answer_markdown(answer: Answer) -> str:
    """The answer for a chat bubble: escaped, markers kept as plain ``[n]`` text.

    Sentences of a generated answer that failed verification carry a visible warning;
    a notice (why the model's answer is not shown) comes first.
    """
    if answer.statements:
        parts = []
        for s in answer.statements:
            if s.verified:
                parts.append(html.escape(f"{s.text} " + "".join(f"[{m}]" for m in s.markers), quote=False))
            else:
                parts.append(f"{html.escape(s.text, quote=False)} ⚠️ *{html.escape(s.problem, quote=False)}*")
        text = " ".join(parts)
    else:
        text = html.escape(answer.text, quote=False)
    if answer.notice:
        text = f"⚠️ *{html.escape(answer.notice, quote=False)}*\n\n{text}"
    if answer.searched:
        text += f"\n\n*Searched: {html.escape(answer.searched, quote=False)}*"
    return text


def draft_markdown(draft: str, status: str = "") -> str:
    """A streaming answer in progress: the model's unverified draft, escaped."""
    text = html.escape(draft, quote=False)
    return f"{text}\n\n*{html.escape(status, quote=False)}*" if status else text


def _source_card(citation: Citation, article: Article | None, closest: bool) -> str:
    p = citation.passage
    meta = " · ".join(
        html.escape(x) for x in (p.date.strftime("%-d %B %Y") if p.date else "date unknown", p.source) if x
    )
    if citation.speaker:
        meta += f" · speaker: {html.escape(citation.speaker)}"
    if citation.also_published_by:
        meta += " · also published by " + html.escape(", ".join(citation.also_published_by))
    offset = p.chunk.start
    passage = highlight(p.chunk.text, citation.start - offset, citation.end - offset)
    link = ""
    if p.url.startswith(("http://", "https://")):
        link = f' · <a href="{html.escape(p.url)}" target="_blank" rel="noopener noreferrer">original</a>'
    full = ""
    if article is not None:
        full = (
            "<details><summary>Open the whole article</summary>"
            f'<div class="nq-article">{highlight(article.text, citation.start, citation.end)}</div>'
            "</details>"
        )
    label = "" if closest else f"[{citation.n}] "
    return (
        f'<div class="nq-source" id="nq-source-{citation.n}" data-n="{citation.n}">'
        f"<h4>{label}{html.escape(p.title)}</h4>"
        f'<div class="nq-meta">{meta}{link}</div>'
        f'<div class="nq-passage">{passage}</div>{full}</div>'
    )


def sources_html(answer: Answer | None, articles: dict[str, Article]) -> str:
    """The sources panel: cited passages, or the closest ones when nothing answers."""
    if answer is None:
        return SOURCES_CSS + '<div class="nq-sources"><p>Sources of the answer appear here.</p></div>'
    if answer.citations:
        heading = "<h3>Sources</h3>"
        cards = [_source_card(c, articles.get(c.passage.article_id), False) for c in answer.citations]
    elif answer.closest:
        heading = (
            '<h3>Closest sources</h3><p class="nq-closest">Nothing in the articles answers the '
            "question; these are the nearest passages, not evidence.</p>"
        )
        cards = [_source_card(c, articles.get(c.passage.article_id), True) for c in answer.closest]
    else:
        heading, cards = "<h3>Sources</h3><p>No articles are indexed yet.</p>", []
    return SOURCES_CSS + f'<div class="nq-sources">{heading}{"".join(cards)}</div>'


LIBRARY_COLUMNS = ("id", "title", "date", "source", "chunks")


def library_table(articles: list[dict], query: str = "") -> list[list]:
    """Rows of the Library tab, filtered by a case-insensitive substring of id, title or source."""
    needle = (query or "").casefold().strip()
    rows = [
        a
        for a in articles
        if not needle or any(needle in str(a.get(k) or "").casefold() for k in ("id", "title", "source"))
    ]
    return [[a["id"], a["title"], a["date"] or "", a["source"] or "", a["chunks"]] for a in rows]


def ingest_summary(report: dict) -> str:
    """An ingestion report as Markdown for the Library tab (file names, never temp paths)."""
    counts = " · ".join(f"{key} {len(report.get(key, []))}" for key in ("added", "updated", "unchanged"))
    lines = [f"**{counts} · skipped {len(report.get('failed', []))}**"]
    for key in ("added", "updated"):
        if report.get(key):
            lines.append(f"- {key}: " + ", ".join(html.escape(i, quote=False) for i in report[key]))
    for copy, original in report.get("duplicates", {}).items():
        lines.append(
            f"- {html.escape(copy, quote=False)} is a copy of {html.escape(original, quote=False)} "
            "(kept, cited through the original)"
        )
    for failure in report.get("failed", []):
        name = failure["path"].replace("\\", "/").rsplit("/", 1)[-1]
        lines.append(
            f"- skipped {html.escape(name, quote=False)}: {html.escape(failure['reason'], quote=False)}"
        )
    return "\n".join(lines)


def conversation_markdown(turns: list[dict]) -> str:
    """A chat as Markdown: each question, its answer and the sources it cites (answer JSON)."""
    parts = ["# News QA conversation\n"]
    for turn in turns:
        parts.append(f"## {turn['question']}\n\n{turn['answer']}\n")
        if turn.get("notice"):
            parts.append(f"> {turn['notice']}\n")
        shown = turn.get("citations") or turn.get("closest") or []
        if shown:
            parts.append("Sources:\n" if turn.get("citations") else "Closest sources (not evidence):\n")
        for c in shown:
            meta = ", ".join(x for x in (c.get("date"), c.get("source"), c.get("speaker")) if x)
            link = f" <{c['url']}>" if str(c.get("url", "")).startswith(("http://", "https://")) else ""
            parts.append(f"- [{c['n']}] {c['title']} ({meta}){link}: “{c['sentence']}”")
        parts.append("")
    return "\n".join(parts)
