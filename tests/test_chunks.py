"""Chunk and citation offsets: every span is an exact slice of the article text.

Chunks hold whole sentences (boundaries from ``index.chunk.split_sentences``), fit the
embedder unless a chunk is a single sentence, and citations quote
``article.text[start:end]`` exactly.
"""

from __future__ import annotations

import pytest

from index.chunk import chunk_text, split_sentences
from index.types import Chunk

QUESTIONS = [
    "What did Xi propose on railways?",
    "When and where did Luong Cuong hold talks with Xi Jinping in Beijing?",
    "What did Xi say about the role of the United Nations?",
    "What is the recipe for pho?",
    "Which anniversaries did Xi congratulate Viet Nam on during his April visit?",
]


def check_chunks(text: str, chunks: list[Chunk], count_tokens, token_limit: int) -> None:
    """The invariants every chunk list of ``text`` must satisfy."""
    spans = split_sentences(text)
    starts, ends = {s for s, _ in spans}, {e for _, e in spans}
    assert chunks, "no chunks"
    assert [c.position for c in chunks] == list(range(len(chunks)))
    covered = set()
    for chunk in chunks:
        where = f"chunk {chunk.position} of {chunk.article_id}"
        assert text[chunk.start : chunk.end] == chunk.text, where
        assert chunk.text == chunk.text.strip(), f"{where} has untrimmed whitespace"
        # Never cuts a sentence: both ends are sentence boundaries.
        assert chunk.start in starts, f"{where} starts mid-sentence: {chunk.text[:60]!r}"
        assert chunk.end in ends, f"{where} ends mid-sentence: {chunk.text[-60:]!r}"
        assert chunk.sentences, where
        assert chunk.sentences[0].start == chunk.start and chunk.sentences[-1].end == chunk.end, where
        previous_end = chunk.start
        for sentence in chunk.sentences:
            assert chunk.start <= sentence.start < sentence.end <= chunk.end, where
            assert sentence.start >= previous_end, f"{where}: sentences overlap or are out of order"
            assert (sentence.start, sentence.end) in spans, f"{where}: {text[sentence.start:sentence.end]!r}"
            previous_end = sentence.end
            covered.add((sentence.start, sentence.end))
        if len(chunk.sentences) > 1:
            assert count_tokens(chunk.text) <= token_limit, f"{where} has {count_tokens(chunk.text)} tokens"
    assert covered == set(spans), "some sentences are in no chunk"


def test_sample_article_chunks(sample_library):
    emb = sample_library.embedder
    for meta in sample_library.list():
        article = sample_library.get(meta["id"])
        chunks = sample_library.chunk(article)
        check_chunks(article.text, chunks, emb.count_tokens, emb.max_tokens - 2)
        assert all(c.article_id == article.id for c in chunks)
        assert len(chunks) == meta["chunks"]


def test_searched_chunks_are_exact_slices(sample_assistant):
    library = sample_assistant.library
    emb = library.embedder
    total = library.stats()["chunks"]
    for query in QUESTIONS:
        hits = sample_assistant.search(query, k=total)
        assert len(hits) == total
        for passage in hits:
            chunk = passage.chunk
            article = library.get(passage.article_id)
            assert article.text[chunk.start : chunk.end] == chunk.text
            for sentence in chunk.sentences:
                assert chunk.start <= sentence.start < sentence.end <= chunk.end
                assert passage.sentence_text(sentence) == article.text[sentence.start : sentence.end]
            if len(chunk.sentences) > 1:
                assert emb.count_tokens(chunk.text) <= emb.max_tokens - 2
        # The stored chunks are the chunks the library makes (nothing stale, nothing extra).
        made = {
            (c.article_id, c.position, c.start, c.end, c.text, c.sentences)
            for a in library.list()
            for c in library.chunk(library.get(a["id"]))
        }
        got = {(p.chunk.article_id, p.chunk.position, p.chunk.start, p.chunk.end, p.chunk.text,
                p.chunk.sentences) for p in hits}
        assert got == made


@pytest.mark.parametrize("question", QUESTIONS)
def test_citation_sentences_are_exact_slices(sample_assistant, question):
    answer = sample_assistant.ask(question)
    quoted = answer.citations + answer.closest
    assert quoted, "an answer or a refusal always shows passages"
    for c in quoted:
        article = sample_assistant.library.get(c.passage.article_id)
        assert c.sentence == article.text[c.start : c.end]
        assert c.passage.chunk.start <= c.start < c.end <= c.passage.chunk.end
        data = c.to_json()
        assert data["sentence"] == article.text[data["start"] : data["end"]]
        assert data["text"] == article.text[data["passage_start"] : data["passage_start"] + len(data["text"])]


def test_long_synthetic_article_chunks(embedder):
    """Many sentences, paragraphs and a run-on sentence longer than the model reads."""
    paragraphs = []
    for p in range(6):
        sentences = [
            f"In paragraph {p}, the council member number {i} said the new tram line would "
            f"reach the northern district by {2030 + i}, according to the transport plan."
            for i in range(7)
        ]
        paragraphs.append(" ".join(sentences))
    run_on = "The list of stations includes " + ", ".join(f"Station {n} Plaza" for n in range(150)) + "."
    paragraphs.insert(3, run_on)
    text = "\n\n".join(paragraphs)
    limit = embedder.max_tokens - 2
    assert embedder.count_tokens(run_on) > limit, "the run-on sentence must exceed the model limit"

    chunks = chunk_text("synthetic", text, embedder.count_tokens, max_tokens=120,
                        overlap_sentences=1, model_limit=limit)

    assert len(chunks) > 5
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        # Nothing is longer than the model reads, not even the split run-on sentence.
        assert embedder.count_tokens(chunk.text) <= limit, chunk.text[:80]
        if len(chunk.sentences) > 1:
            assert embedder.count_tokens(chunk.text) <= 120
    # Ordinary sentences are never cut: chunks that don't touch the run-on keep boundaries.
    spans = split_sentences(text)
    run_on_span = next(s for s in spans if text[s[0] : s[1]] == run_on)
    for chunk in chunks:
        if chunk.end <= run_on_span[0] or chunk.start >= run_on_span[1]:
            assert chunk.start in {s for s, _ in spans} and chunk.end in {e for _, e in spans}
    # Every character of text outside whitespace is in some chunk.
    covered = [False] * len(text)
    for chunk in chunks:
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())
    # Overlap: a chunk after the first repeats the previous chunk's last sentence when it fits.
    overlapping = sum(
        1 for a, b in zip(chunks, chunks[1:], strict=False) if b.sentences[0] == a.sentences[-1]
    )
    assert overlapping >= len(chunks) // 2


def test_split_sentences_are_exact_and_never_cross_paragraphs():
    text = (
        "Dr. Smith arrived at 9 a.m. on Monday. She met the mayor.\n\n"
        "The U.S. delegation left on Tuesday!  Was it a success? Nobody knows.\n"
        "A line break inside a paragraph.\n\n\nLast paragraph without a full stop"
    )
    spans = split_sentences(text)
    assert spans == sorted(spans)
    for (_, e), (s2, _) in zip(spans, spans[1:], strict=False):
        assert e <= s2
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and piece
        assert "\n\n" not in piece
    pieces = [text[s:e] for s, e in spans]
    assert pieces[0].startswith("Dr. Smith arrived at 9 a.m.")
    assert pieces[-1] == "Last paragraph without a full stop"
    assert "".join(pieces).replace(" ", "") == "".join(text.split())


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # A stray period ("Chase.,") is not the end of a sentence: the piece after it opens
        # with a comma and belongs to it.
        (
            "Next came Harbor Freight., in September, for $75 million. Nobody admitted wrongdoing.",
            ["Next came Harbor Freight., in September, for $75 million.", "Nobody admitted wrongdoing."],
        ),
        # The segmenter cuts at "!" even inside Markdown image syntax; a piece that starts where
        # the last one ended, with no space between, belongs to it.
        (
            "The photographer took the picture ![pier](https://example.org/p.png) of the pier. It rained.",
            [
                "The photographer took the picture ![pier](https://example.org/p.png) of the pier.",
                "It rained.",
            ],
        ),
    ],
)
def test_a_piece_the_segmenter_cut_off_continues_its_sentence(text, sentences):
    assert [text[s:e] for s, e in split_sentences(text)] == sentences


def test_a_cut_after_a_full_stop_stays_without_a_space():
    """Only a cut inside a word or an image joins pieces: "met.[1] In …" is two sentences."""
    text = "He had never met her.[1] In the United States, such a prescription is invalid."
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert len(pieces) == 2 and pieces[1].endswith("is invalid."), pieces
