"""Sentence-aware chunking with character offsets into the article text."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from index.types import Chunk, Sentence

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", re.DOTALL)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segment(body: str) -> list[str]:
    """pysbd's sentences of ``body``. Its ``segment`` then maps them back to the text with one
    freshly compiled regex per sentence, about half of its time; ``split_sentences`` finds
    them with ``str.find`` instead, so only the splitting itself is asked for."""
    segmenter = _segmenter()
    return segmenter.processor(body).process() if body else []


_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•]|\d+[.)])\s")
WRAP_WIDTH = 40  # a line this long that stops mid-sentence was wrapped, not ended


def _unwrap(body: str) -> str:
    """A hard-wrapped paragraph with its mid-sentence line breaks as spaces (same length,
    so offsets still point into the original): "The new breakwater\\ncost 40 million" is
    one sentence. Short lines (titles), lines ending in punctuation and list items still
    break."""
    lines = body.split("\n")
    out = []
    for line, following in zip(lines, lines[1:] + [None], strict=True):
        wrapped = (
            following is not None
            and len(line.strip()) >= WRAP_WIDTH
            and line.rstrip()[-1:] not in set(".!?:;\"”’)]")
            and following.strip() != ""
            and not _LIST_ITEM.match(following)
        )
        out.append(line + (" " if wrapped else "\n"))
    return "".join(out)[:-1]


_CONTINUES = frozenset(",;)")


def _cut_inside(text: str, previous_end: int, start: int) -> bool:
    """Whether a cut between two pieces with nothing between them split a word or Markdown's
    image syntax "![" (not "said.[1]" or "met.The": a missing space after a full stop)."""
    if start != previous_end or not 0 < start < len(text):
        return False
    before, after = text[start - 1], text[start]
    return (before.isalnum() and after.isalnum()) or (before == "!" and after == "[")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, whitespace trimmed, in order.

    Paragraphs (blank-line separated) are segmented separately, so a sentence never
    runs across a paragraph break, and spans are found in the original text, so
    ``text[start:end]`` is exactly the sentence.
    """
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        base, body = para.start(), _unwrap(para.group())
        cursor = 0
        for piece in _segment(body):
            piece = piece.strip()
            if not piece:
                continue
            found = body.find(piece, cursor)
            if found < 0:  # pysbd altered the text: fall back to the running cursor
                found = cursor + len(body[cursor:]) - len(body[cursor:].lstrip())
            end = min(found + len(piece), len(body))
            if end > found:
                same_paragraph = spans and spans[-1][0] >= base
                cut = same_paragraph and _cut_inside(text, spans[-1][1], base + found)
                if same_paragraph and (piece[0] in _CONTINUES or cut):
                    # "Next came JPMorgan Chase., in September, for $75 million.": a piece that
                    # opens with a comma continues the sentence the segmenter cut at the period;
                    # so does one cut inside a word or an image ("the picture ![photo](…) of").
                    spans[-1] = (spans[-1][0], base + end)
                else:
                    spans.append((base + found, base + end))
            cursor = end
        if cursor < len(body) and body[cursor:].strip():  # text pysbd dropped
            rest = body[cursor:]
            lead = len(rest) - len(rest.lstrip())
            spans.append((base + cursor + lead, base + len(body.rstrip())))
    return spans


def _split_long(
    text: str, span: tuple[int, int], count_tokens: Callable[[str], int], limit: int
) -> list[tuple[int, int]]:
    """Split a run-on "sentence" longer than the model can read at word boundaries."""
    start, end = span
    if count_tokens(text[start:end]) <= limit:
        return [span]
    pieces: list[tuple[int, int]] = []
    piece_start = start
    last_good = None
    for match in re.finditer(r"\S+", text[start:end]):
        word_end = start + match.end()
        if count_tokens(text[piece_start:word_end]) > limit and last_good is not None:
            pieces.append((piece_start, last_good))
            piece_start = start + match.start()
        last_good = word_end
    pieces.append((piece_start, end))
    return pieces


def chunk_text(
    article_id: str,
    text: str,
    count_tokens: Callable[[str], int],
    max_tokens: int = 200,
    overlap_sentences: int = 1,
    model_limit: int = 254,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens`` tokens.

    Each chunk after the first repeats the last ``overlap_sentences`` sentences of the
    previous one. A single sentence longer than ``max_tokens`` gets a chunk of its own;
    only text longer than ``model_limit`` (what the embedder can read) is split.
    """
    spans: list[tuple[int, int]] = []
    for span in split_sentences(text):
        spans.extend(_split_long(text, span, count_tokens, model_limit))
    tokens = [count_tokens(text[s:e]) for s, e in spans]

    groups: list[list[int]] = []
    current: list[int] = []
    size = 0
    for i, n in enumerate(tokens):
        if current and size + n > max_tokens:
            groups.append(current)
            carry = current[-overlap_sentences:] if overlap_sentences else []
            # Overlap is a courtesy: drop it when it would push the chunk over budget.
            while carry and sum(tokens[j] for j in carry) + n > max_tokens:
                carry = carry[1:]
            current, size = list(carry), sum(tokens[j] for j in carry)
        current.append(i)
        size += n
    if current:
        groups.append(current)

    chunks = []
    for position, group in enumerate(groups):
        start, end = spans[group[0]][0], spans[group[-1]][1]
        chunks.append(
            Chunk(
                article_id=article_id,
                position=position,
                start=start,
                end=end,
                text=text[start:end],
                sentences=tuple(Sentence(start=spans[j][0], end=spans[j][1]) for j in group),
            )
        )
    return chunks
