"""One reading of an answer's structure, shared by every place that shows it.

An answer becomes a list of blocks: a paragraph or a list item, each a list of runs, where a
run is text (``{"text": …}``), a citation marker (``{"cite": n}``), or the reason a sentence
of a generated answer could not be verified (``{"warning": …}``). The chat turns the blocks
into Markdown with clickable chips (``assistant/html.py``), the export into Markdown, and
the API sends them as ``blocks`` in its answer JSON, from which the widget builds its DOM
(``assistant/static/widget.js``). Nothing else parses an answer's text for markers or list
items, so the chat and the widget cannot read one answer two ways.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from assistant.types import Answer

# A citation marker "[3]" (also in a run "[3][4]") that is not the start of a Markdown link
# "[3](…)", a reference "[3][x]" or a definition "[3]: …".
MARKER = re.compile(r"\[(\d{1,3})\](?!\(|:|\[(?!\d{1,3}\]))")
_ITEM = re.compile(r"^[ \t]*[-*] (.*)$")


class Run(TypedDict, total=False):
    text: str
    cite: int
    warning: str


class Block(TypedDict):
    kind: Literal["paragraph", "item"]
    runs: list[Run]


def text_runs(text: str) -> list[Run]:
    """``text`` as runs: the stretches between markers, and each ``[n]`` as a citation."""
    runs: list[Run] = []
    at = 0
    for match in MARKER.finditer(text):
        if match.start() > at:
            runs.append({"text": text[at : match.start()]})
        runs.append({"cite": int(match.group(1))})
        at = match.end()
    if at < len(text):
        runs.append({"text": text[at:]})
    return runs


def text_blocks(text: str) -> list[Block]:
    """Text whose lines starting with "- " are list items (the marker dropped); other runs
    of lines are paragraphs (blank lines separate them, single line breaks are kept)."""
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            blocks.append({"kind": "paragraph", "runs": text_runs(body)})
        lines.clear()

    for line in text.split("\n"):
        item = _ITEM.match(line)
        if item:
            flush()
            blocks.append({"kind": "item", "runs": text_runs(item.group(1).strip())})
        elif not line.strip():
            flush()
        else:
            lines.append(line)
    flush()
    return blocks


def answer_blocks(answer: Answer) -> list[Block]:
    """The answer's blocks. A generated answer is one paragraph of its statements: a verified
    one followed by its markers, an unverified one (shown only when so configured) by its
    problem as a warning; an extractive answer is read from its text."""
    if not answer.statements:
        return text_blocks(answer.text)
    runs: list[Run] = []
    for s in answer.statements:
        if runs:
            runs.append({"text": " "})
        if s.verified:
            runs.append({"text": s.text + " " if s.markers else s.text})
            runs.extend({"cite": m} for m in s.markers)
        else:
            runs.append({"text": s.text})
            runs.append({"warning": s.problem or "not supported by the cited passages"})
    return [{"kind": "paragraph", "runs": runs}]


def blocks_text(blocks: list[Block]) -> str:
    """The blocks as plain text with ``[n]`` markers and "- " list items (for logs and tests):
    a blank line between blocks, but for consecutive list items."""
    out = []
    for i, block in enumerate(blocks):
        body = "".join(
            r["text"] if "text" in r else f"[{r['cite']}]" if "cite" in r else f" ({r['warning']})"
            for r in block["runs"]
        )
        if i:
            out.append("\n" if block["kind"] == blocks[i - 1]["kind"] == "item" else "\n\n")
        out.append(("- " if block["kind"] == "item" else "") + body)
    return "".join(out)
