"""Retrieval as a LangChain retriever over the library's Chroma store."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from index.store import passage_to_document


class NewsRetriever(BaseRetriever):
    """Dense retrieval of the ``k`` passages closest to the query.

    Returns LangChain ``Document``s (convert back with ``index.store.document_to_passage``)
    so any LangChain chain can use it.
    """

    library: Any
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [passage_to_document(p) for p in self.library.search(query, self.k)]
