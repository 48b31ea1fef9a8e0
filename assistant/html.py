"""HTML and Markdown for answers and their sources. Every piece of article text is escaped here.

Articles may contain markup (even ``<script>``): it is always shown as text, never run.
Text put into Markdown (the chat, the Library outcome, the exported conversation) goes
through ``markdown_text``, so an article's ``[link](…)``, ``![image](…)``, ``<https://…>``
or bare URL shows as the characters it is, never as a link or an image.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from assistant.render import Block, answer_blocks, text_blocks, text_runs
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
.nq-article { position: relative; white-space: pre-wrap; max-height: 24em; overflow-y: auto;
              margin-top: 0.4em;
              border-top: 1px dashed #ccc; padding-top: 0.4em; }
.nq-closest { color: var(--body-text-color-subdued, #666); }
.nq-source.nq-not-evidence { border-style: dashed; }
.nq-label { font-size: 0.8em; font-weight: 600; color: var(--body-text-color-subdued, #666);
            margin-bottom: 0.2em; }
.nq-turn > summary { cursor: pointer; font-weight: 600; margin: 0.3em 0 0.5em; }
.nq-source.nq-flash { animation: nq-flash 1.6s ease-out; }
.nq-source.nq-flash mark { outline: 2px solid #f59e0b; }
@keyframes nq-flash { from { box-shadow: 0 0 0 4px #f59e0b; } to { box-shadow: 0 0 0 0 transparent; } }
</style>
"""

# The chat page's layout on a phone: the answer, then its sources, then the question box and
# the other controls (the two columns dissolve into one ordered list); the Library's table
# scrolls sideways instead of being cut off.
LAYOUT_CSS = """
<style>
@media (max-width: 700px) {
  .nq-main { flex-direction: column !important; flex-wrap: nowrap !important; }
  .nq-main > .nq-ask-col, .nq-main > .nq-sources-col { display: contents !important; }
  .nq-main > .nq-ask-col > *, .nq-main > .nq-sources-col > * { order: 6; }
  .nq-main #chat, .nq-main > .nq-ask-col > :has(#chat) { order: 1; }
  .nq-main #sources, .nq-main > .nq-sources-col > :has(#sources) { order: 2; }
  .nq-main #question, .nq-main > .nq-ask-col > :has(#question) { order: 3; }
  .nq-main #question-note { order: 4; }
  .nq-main .nq-buttons { order: 5; }
  .nq-header-row { flex-wrap: wrap !important; }
  .nq-header-row > #header { flex: 1 1 100% !important; }
}
#library-table { max-width: 100%; overflow-x: auto; }
.nq-pop { display: block; margin: 0.3em 0; padding: 0.4em 0.6em; border-left: 3px solid #f59e0b;
          background: #fffbeb; color: #1f2328; font-size: 0.92em; line-height: 1.4; }
.nq-pop .nq-go { display: block; margin-top: 0.3em; font-weight: 600; }
</style>
"""

# Runs in the chat page (``gr.mount_gradio_app(head=...)``): a click on a citation chip
# ``[n]`` brings its answer's source card into view and flashes the supporting sentence;
# opening a whole article scrolls its highlighted sentence into view.
CITATION_SCRIPT = """
<script>
(() => {
  const flash = (el) => {
    el.classList.remove("nq-flash"); void el.offsetWidth; el.classList.add("nq-flash");
  };
  document.addEventListener("click", (ev) => {
    const chip = ev.target.closest ? ev.target.closest("a.nq-cite") : null;
    if (!chip) return;
    ev.preventDefault();
    ev.stopPropagation();
    const touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
    if (touch && !chip.classList.contains("nq-go") && !chip.classList.contains("nq-open")) {
      // A tap shows the supporting sentence under the marker, with a way to its source.
      document.querySelectorAll(".nq-pop").forEach((pop) => pop.remove());
      document.querySelectorAll("a.nq-cite.nq-open").forEach((c) => c.classList.remove("nq-open"));
      const pop = document.createElement("span");
      pop.className = "nq-pop";
      pop.textContent = chip.getAttribute("title") || "";
      const go = document.createElement("a");
      go.className = "nq-cite nq-go";
      go.href = chip.getAttribute("href");
      go.textContent = "Show the source";
      pop.appendChild(go);
      chip.classList.add("nq-open");
      chip.after(pop);
      return;
    }
    const card = document.getElementById((chip.getAttribute("href") || "").slice(1));
    if (!card) return;
    const turn = card.closest("details.nq-turn");
    if (turn) turn.open = true;
    card.scrollIntoView({ behavior: "smooth", block: "center" });
    flash(card);
  }, true);
  document.addEventListener("toggle", (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLDetailsElement) || !box.open || !box.classList.contains("nq-full")) return;
    const mark = box.querySelector("mark");
    const scroller = box.querySelector(".nq-article");
    if (mark && scroller) {
      // .nq-article is positioned: offsetTop is within it. Centred if it fits, else from its start.
      const room = Math.max(0, (scroller.clientHeight - mark.offsetHeight) / 2);
      scroller.scrollTop = mark.offsetTop - room;
    }
  }, true);
})();
</script>
"""


# What Gradio's Markdown (marked, GFM, plus a ``$$`` LaTeX block) would turn into markup:
# code, emphasis and strike marks, link and image brackets, the backslash itself, a heading
# mark at a line start, ``$$`` runs, and the starts of GFM's bare links (``https://``,
# ``www.``, ``name@host``). ``<``, ``>`` and ``&`` become entities afterwards.
_MD_ACTIVE = re.compile(
    r"[\\`*_\[\]~@]|!(?=\[)|\${2,}|(?:https?|ftp)(?=://)|www(?=\.)|(?m:^[ \t]{0,3}#)",
    re.IGNORECASE,
)


def _inert(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "$":
        return "\\$" * len(found)
    if found[-1] == "#":
        return found[:-1] + "\\#"
    if found.isalpha():  # a URL scheme or "www": escape the ":" or "." after it
        end = match.end()
        return found + "\\" + match.string[end]
    return "\\" + found


def markdown_text(text: str) -> str:
    """``text`` escaped for Markdown: shown as the characters it is, never as markup."""
    escaped = []
    at = 0
    for match in _MD_ACTIVE.finditer(text):
        if match.start() < at:  # the ":" or "." already escaped after a scheme
            continue
        escaped.append(text[at:match.start()])
        escaped.append(_inert(match))
        at = match.end() + (1 if match.group().isalpha() else 0)
    escaped.append(text[at:])
    return html.escape("".join(escaped), quote=False)


def card_id(turn: int, n: int) -> str:
    """The id of answer ``turn``'s source card ``[n]`` in the sources panel."""
    return f"nq-t{turn}-c{n}"


def citation_chip(n: int, turn: int | None, citations: dict[int, Citation]) -> str:
    """Marker ``[n]``: plain text, or (in the chat, ``turn`` given) a link to its source card
    whose tooltip is the supporting sentence."""
    if turn is None or n not in citations:
        return f"[{n}]"
    sentence = html.escape(citations[n].sentence, quote=True)
    return f'<a class="nq-cite" href="#{card_id(turn, n)}" title="{sentence}">[{n}]</a>'


def blocks_markdown(
    blocks: list[Block], turn: int | None = None, citations: dict[int, Citation] | None = None
) -> str:
    """Answer blocks (``assistant/render.py``) as Markdown: text escaped, list items as "- ",
    markers as plain ``[n]`` or (with ``turn``) chips, warnings in italics after a ⚠️."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        body = ""
        for run in block["runs"]:
            if "text" in run:
                body += markdown_text(run["text"])
            elif "cite" in run:
                if body.endswith("!"):  # not an image: "![1]"
                    body = body[:-1] + "\\!"
                body += citation_chip(run["cite"], turn, citations or {})
            else:
                body += f" ⚠️ *{markdown_text(run['warning'])}*"
        if i:
            out.append("\n" if block["kind"] == "item" == blocks[i - 1]["kind"] else "\n\n")
        out.append(("- " if block["kind"] == "item" else "") + body)
    return "".join(out)


def _with_markers(text: str, turn: int | None = None, citations: dict[int, Citation] | None = None) -> str:
    """``markdown_text`` of a text whose ``[n]`` citation markers stay markers (chips with ``turn``)."""
    return blocks_markdown([{"kind": "paragraph", "runs": text_runs(text)}], turn, citations)


def _link(url: str) -> str:
    """An http(s) URL as a Markdown autolink, with nothing in it that could end the link."""
    return "<" + quote(url, safe=":/?#[]@!$&'()*+,;=%~-._") + ">"


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


def answer_markdown(answer: Answer, turn: int | None = None) -> str:
    """The answer for a chat bubble: escaped; markers as plain ``[n]`` text, or with ``turn``
    (the answer's number in the chat) as chips linking to that answer's source cards.

    Sentences of a generated answer that failed verification carry a visible warning;
    a notice (why the model's answer is not shown) comes first.
    """
    text = blocks_markdown(answer_blocks(answer), turn, {c.n: c for c in answer.citations})
    if answer.notice:
        text = f"⚠️ *{markdown_text(answer.notice)}*\n\n{text}"
    if answer.searched:
        text += f"\n\n*Searched: {markdown_text(answer.searched)}*"
    return text


def draft_markdown(draft: str, status: str = "") -> str:
    """A streaming answer in progress: the model's unverified draft, escaped."""
    text = _with_markers(draft)
    return f"{text}\n\n*{markdown_text(status)}*" if status else text


def _source_card(
    citation: Citation, article: Article | None, closest: bool, turn: int | None = None
) -> str:
    p = citation.passage
    meta = " · ".join(
        html.escape(x) for x in (p.date.strftime("%-d %B %Y") if p.date else "date unknown", p.source) if x
    )
    if citation.speaker:
        meta += f" · speaker: {html.escape(citation.speaker)}"
    if citation.also_published_by:
        meta += " · also published by " + html.escape(", ".join(citation.also_published_by))
    offset = p.chunk.start
    if closest:  # not evidence: no highlight
        passage = html.escape(p.chunk.text)
    else:
        passage = highlight(p.chunk.text, citation.start - offset, citation.end - offset)
    link = ""
    if p.url.startswith(("http://", "https://")):
        link = f' · <a href="{html.escape(p.url)}" target="_blank" rel="noopener noreferrer">original</a>'
    full = ""
    if article is not None:
        text = html.escape(article.text) if closest else highlight(article.text, citation.start, citation.end)
        full = (
            '<details class="nq-full"><summary>Open the whole article</summary>'
            f'<div class="nq-article">{text}</div></details>'
        )
    label = "" if closest else f"[{citation.n}] "
    if closest:
        kind, note = " nq-not-evidence", "Closest passage — does not answer the question"
        ident = f"nq-t{turn}-x{citation.n}" if turn is not None else f"nq-closest-{citation.n}"
    else:
        kind, note = "", f"Answer {turn} · [{citation.n}]" if turn is not None else ""
        ident = card_id(turn, citation.n) if turn is not None else f"nq-source-{citation.n}"
    note_html = f'<div class="nq-label">{note}</div>' if note else ""
    return (
        f'<div class="nq-source{kind}" id="{ident}" data-n="{citation.n}">{note_html}'
        f"<h4>{label}{html.escape(p.title)}</h4>"
        f'<div class="nq-meta">{meta}{link}</div>'
        f'<div class="nq-passage">{passage}</div>{full}</div>'
    )


def _closest_per_article(closest: list[Citation]) -> list[Citation]:
    """The nearest passage of each article (the list is best first)."""
    seen: set[str] = set()
    kept = []
    for c in closest:
        if c.passage.article_id not in seen:
            seen.add(c.passage.article_id)
            kept.append(c)
    return kept


def turn_sources_html(answer: Answer, articles: dict[str, Article], turn: int) -> str:
    """One answer's section of the sources panel: its cited passages, each card labelled with
    the answer's number and marker, or the closest passages marked as not answering."""
    question = html.escape(answer.question if len(answer.question) <= 90 else answer.question[:90] + "…")
    if answer.citations:
        cards = [_source_card(c, articles.get(c.passage.article_id), False, turn) for c in answer.citations]
        body = "".join(cards)
    elif answer.closest:
        nearest = _closest_per_article(answer.closest)
        body = (
            '<p class="nq-closest">Nothing in the articles answers this question; these are the '
            "nearest passages, not evidence.</p>"
            + "".join(_source_card(c, articles.get(c.passage.article_id), True, turn) for c in nearest)
        )
    else:
        body = "<p>No articles are indexed yet.</p>"
    return (
        f'<details class="nq-turn" id="nq-turn-{turn}" open>'
        f"<summary>Answer {turn}: {question}</summary>{body}</details>"
    )


def panel_html(sections: list[str]) -> str:
    """The sources panel: every answer's section, the latest first (earlier ones folded)."""
    if not sections:
        return SOURCES_CSS + '<div class="nq-sources"><p>Sources of the answer appear here.</p></div>'
    latest, earlier = sections[-1], [s.replace("\" open>", "\">", 1) for s in reversed(sections[:-1])]
    return SOURCES_CSS + '<div class="nq-sources"><h3>Sources</h3>' + latest + "".join(earlier) + "</div>"


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
        nearest = _closest_per_article(answer.closest)
        cards = [_source_card(c, articles.get(c.passage.article_id), True) for c in nearest]
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
            lines.append(f"- {key}: " + ", ".join(markdown_text(i) for i in report[key]))
    for copy, original in report.get("duplicates", {}).items():
        lines.append(
            f"- {markdown_text(copy)} is a copy of {markdown_text(original)} "
            "(kept, cited through the original)"
        )
    for failure in report.get("failed", []):
        name = failure["path"].replace("\\", "/").rsplit("/", 1)[-1]
        lines.append(f"- skipped {markdown_text(name)}: {markdown_text(failure['reason'])}")
    return "\n".join(lines)


def conversation_markdown(turns: list[dict]) -> str:
    """A chat as Markdown: each question, its answer and the sources it cites (answer JSON).

    Article text is escaped; the only links are the sources' own http(s) addresses.
    """
    parts = ["# News QA conversation\n"]
    for turn in turns:
        question = " ".join(str(turn["question"]).split())  # one heading line
        blocks = turn.get("blocks") or text_blocks(str(turn["answer"]))
        parts.append(f"## {markdown_text(question)}\n\n{blocks_markdown(blocks)}\n")
        if turn.get("notice"):
            parts.append(f"> {markdown_text(turn['notice'])}\n")
        shown = turn.get("citations") or turn.get("closest") or []
        if shown:
            parts.append("Sources:\n" if turn.get("citations") else "Closest sources (not evidence):\n")
        for c in shown:
            meta = ", ".join(x for x in (c.get("date"), c.get("source"), c.get("speaker")) if x)
            url = str(c.get("url") or "")
            link = f" {_link(url)}" if url.startswith(("http://", "https://")) else ""
            parts.append(
                f"- [{c['n']}] {markdown_text(c['title'])} ({markdown_text(meta)}){link}: "
                f"“{markdown_text(c['sentence'])}”"
            )
        parts.append("")
    return "\n".join(parts)
