"""The LangChain seams: the retriever and the answer runnable work in LangChain terms."""

from __future__ import annotations

import asyncio
from operator import itemgetter
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from assistant.types import Answer, AnswerEvent
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


QUESTION = "What did Xi say about the role of the United Nations?"


class PromptRecorder(BaseCallbackHandler):
    """Keeps the messages each chat model call was given."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(self, serialized: dict, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        self.prompts += ["\n".join(str(m.content) for m in batch) for batch in messages]


def test_a_users_lcel_chain_gets_our_documents_limited_to_k(sample_assistant):
    retriever = sample_assistant.retriever
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from these articles:\n{context}"), ("human", "{question}")]
    )

    def format_docs(docs: list[Document]) -> str:
        return "\n\n".join(f"[{i}] {d.metadata['title']}: {d.page_content}" for i, d in enumerate(docs, 1))

    llm = FakeListChatModel(responses=["The UN's role has grown [1]."])
    chain = RunnableParallel(docs=retriever.bind(k=2), question=RunnablePassthrough()).assign(
        answer=RunnableLambda(lambda x: {"context": format_docs(x["docs"]), "question": x["question"]})
        | prompt
        | llm
        | StrOutputParser()
    )
    recorder = PromptRecorder()
    out = chain.invoke(QUESTION, config={"callbacks": [recorder]})
    assert out["answer"] == "The UN's role has grown [1]."
    assert out["docs"] == retriever.invoke(QUESTION, k=2)
    assert [document_to_passage(d, d.metadata["score"]) for d in out["docs"]] == retriever.passages(
        QUESTION, k=2
    )
    (sent,) = recorder.prompts
    assert all(d.page_content in sent for d in out["docs"]) and "[3]" not in sent


def test_create_retrieval_chain_on_our_retriever_with_a_filter(sample_assistant):
    classic = pytest.importorskip("langchain_classic.chains")
    from langchain_classic.chains.combine_documents import create_stuff_documents_chain

    prompt = ChatPromptTemplate.from_messages([("system", "Context:\n{context}"), ("human", "{input}")])
    llm = FakeListChatModel(responses=["An answer."])
    # a bound retriever is no longer a BaseRetriever: the chain hands it the whole input dict
    retriever = itemgetter("input") | sample_assistant.retriever.bind(k=3, where={"since": "2025-09-01"})
    chain = classic.create_retrieval_chain(retriever, create_stuff_documents_chain(llm, prompt))
    out = chain.invoke({"input": QUESTION})
    assert out["answer"] == "An answer."
    assert len(out["context"]) == 3 and all(d.metadata["date"] >= "2025-09-01" for d in out["context"])
    assert out["context"] == sample_assistant.retriever.invoke(QUESTION, k=3, where={"since": "2025-09-01"})


def test_answer_runnable_streams_events_and_invokes_to_the_answer(sample_assistant):
    runnable = sample_assistant.as_runnable()
    expected = sample_assistant.ask(QUESTION).to_json()
    events = list(runnable.stream(QUESTION))
    assert all(isinstance(e, AnswerEvent) for e in events)
    assert events[0].kind == "status" and [e.kind for e in events].count("answer") == 1
    assert events[-1].kind == "answer" and events[-1].answer.to_json() == expected
    assert runnable.invoke(QUESTION).to_json() == expected
    assert asyncio.run(runnable.ainvoke({"question": QUESTION})).to_json() == expected

    async def collect() -> list[AnswerEvent]:
        return [e async for e in runnable.astream({"question": QUESTION})]

    streamed = asyncio.run(collect())
    assert [e.kind for e in streamed] == [e.kind for e in events]
    assert streamed[-1].answer.to_json() == expected


def test_answer_runnable_takes_a_filter_dict_and_streams_inside_a_chain(sample_assistant):
    runnable = sample_assistant.as_runnable()
    where = {"until": "2025-08-31"}
    answer = runnable.invoke({"question": QUESTION, "where": where})
    expected = sample_assistant.ask(QUESTION, where=sample_assistant.make_filter(until="2025-08-31"))
    assert answer.to_json() == expected.to_json()
    assert answer.searched.startswith("until 2025-08-31")
    chain = RunnableParallel(question=RunnablePassthrough(), where=RunnableLambda(lambda _: where)) | runnable
    events = list(chain.stream(QUESTION))
    assert events[0].kind == "status" and events[-1].answer.to_json() == expected.to_json()
