"""The LangChain seams: the retriever and the answer runnable work in LangChain terms."""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.types import Answer
from index.store import document_to_passage


def test_retriever_returns_documents_that_round_trip_to_passages(sample_assistant):
    docs = sample_assistant.retriever.invoke("railway cooperation")
    assert docs and all(isinstance(d, Document) for d in docs)
    assert len(docs) <= sample_assistant.retriever.k
    passages = [document_to_passage(d, d.metadata["score"]) for d in docs]
    assert passages == sample_assistant.retriever.passages("railway cooperation")
    assert len({p.id for p in passages}) == len(passages) and all(p.id for p in passages)
    article = sample_assistant.library.get(passages[0].article_id)
    assert article.text[passages[0].chunk.start : passages[0].chunk.end] == passages[0].chunk.text
    assert any(s.speaker for p in passages for s in p.chunk.sentences)


def test_answer_runnable_matches_ask(sample_assistant):
    question = "What did Xi say about the role of the United Nations?"
    answer = sample_assistant.as_runnable().invoke({"question": question})
    assert isinstance(answer, Answer)
    assert answer.to_json() == sample_assistant.ask(question).to_json()
