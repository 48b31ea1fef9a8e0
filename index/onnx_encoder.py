"""The embedder on ONNX Runtime: a local export of the packaged model, optionally int8.

The same sentence-transformers model as the ``torch`` backend, exported once from its own
files (nothing is downloaded) with ``torch.onnx.export`` into a cache folder keyed by a hash
of those files, ``<cache>/<sha256>/``. The exported graph is the whole sentence-transformers
pipeline (transformer, pooling with the attention mask, normalisation), traced from the
loaded ``SentenceTransformer``, so it computes what ``SentenceTransformer.encode`` does; it
is checked against the PyTorch model (cosine > 0.9999) before it is kept. ``onnx-int8``
adds ONNX Runtime's dynamic quantisation of that export: int8 weights, quantised per
output channel (per-tensor int8 loses too much on this model: cosine to fp32 down to 0.88),
activations quantised at run time. Those activations are quantised with one scale per
batch, so an int8 vector moves slightly with the texts batched alongside it (cosine ~0.99
between a text encoded alone and in a batch); fp32 vectors do not.

Every file is written under a temporary name and renamed into place, and exports hold a
file lock, so two processes that start at once neither leave a half-written model nor
export it twice. Exporting needs torch (~10 s, once); encoding needs only onnxruntime and
the model's own tokenizer, read from its ``tokenizer.json`` with the ``tokenizers`` library:
transformers' ``AutoTokenizer`` computes the same ids (the same Rust tokenizer) but importing
it imports torch, ~200 MiB of a searching process that never runs it.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # bump when the export or quantisation recipe changes: files get new names
OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_PROBE = [
    "The river bridge opened on Sunday after three years of work.",
    "Shares fell 4% when the central bank raised interest rates.",
]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/newsqa/onnx`` (``~/.cache/newsqa/onnx``)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "newsqa" / "onnx"


def model_file(cache_dir: Path, fingerprint: str, quantized: bool) -> Path:
    """Where the export of the model with these files' hash lives."""
    suffix = "-int8" if quantized else ""
    return cache_dir / fingerprint / f"sentence-v{EXPORT_VERSION}{suffix}.onnx"


def _read_max_seq_length(folder: Path) -> int:
    """The model's ``max_seq_length``, capped at 256 as the torch backend does."""
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text())
        length = int(config.get("max_seq_length") or 256)
    except (OSError, ValueError, TypeError):
        length = 256
    return min(length, 256)


def _pad_token(folder: Path) -> str | None:
    """The model's padding token, as transformers reads it (special tokens map, else config)."""
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        try:
            token = json.loads((folder / name).read_text()).get("pad_token")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(token, dict):  # an AddedToken written out
            token = token.get("content")
        if isinstance(token, str) and token:
            return token
    return None


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold a file lock, so concurrent processes export one after the other."""
    from filelock import FileLock

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path)):
        yield


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def export_fp32(folder: Path, target: Path) -> None:
    """Trace the sentence-transformers model in ``folder`` to ONNX at ``target`` (atomic)."""
    import torch
    from sentence_transformers import SentenceTransformer

    log.info("exporting the embedder in %s to ONNX (once)", folder)
    model = SentenceTransformer(
        str(folder), device="cpu", local_files_only=True, model_kwargs={"attn_implementation": "eager"}
    ).eval()
    model.max_seq_length = _read_max_seq_length(folder)
    features = model.tokenizer(_PROBE, padding=True, truncation=True, return_tensors="pt")
    names = [n for n in _INPUTS if n in features]

    class Pipeline(torch.nn.Module):
        """Token ids in, the pipeline's sentence embedding out."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(names, tensors, strict=True)))["sentence_embedding"]

    tmp = _temporary(target)
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"sentence_embedding": {0: "batch"}}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notes
            torch.onnx.export(
                Pipeline().eval(),
                tuple(features[n] for n in names),
                str(tmp),
                dynamo=False,
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes=axes,
                opset_version=OPSET,
            )
            expected = model.encode(_PROBE, normalize_embeddings=True, show_progress_bar=False)
        got = _normalise(_session(tmp, 1).run(None, {n: features[n].numpy() for n in names})[0])
        if float((got * expected).sum(axis=1).min()) < 0.9999:
            raise RuntimeError(f"the ONNX export of {folder} does not reproduce the model's vectors")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


class _QuietQuantizer(logging.Filter):
    """Drop the quantiser's per-tensor notes and its 'consider pre-processing' hint.

    onnxruntime's quantiser logs them on the root logger; they are not about this graph.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or "onnxruntime" not in record.pathname


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of ``source`` (weights per output channel) into ``target``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantising %s to int8 (once)", source.name)
    tmp = _temporary(target)
    root, hint = logging.getLogger(), _QuietQuantizer()
    root.addFilter(hint)
    try:
        quantize_dynamic(source, tmp, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, target)
    finally:
        root.removeFilter(hint)
        tmp.unlink(missing_ok=True)


def ensure_export(folder: Path, cache_dir: Path, fingerprint: str, quantized: bool) -> Path:
    """The cached ONNX file of the model in ``folder``; exported (and quantised) if missing."""
    fp32 = model_file(cache_dir, fingerprint, quantized=False)
    target = model_file(cache_dir, fingerprint, quantized)
    if target.exists():
        return target
    with _exclusive(target.parent / ".export.lock"):
        if not fp32.exists():  # another process may have written it while we waited
            export_fp32(folder, fp32)
        if quantized and not target.exists():
            quantize_int8(fp32, target)
    return target


def _threads() -> int:
    """Intra-op threads: ``OMP_NUM_THREADS`` as torch reads it, else the runtime's default (0)."""
    try:
        return max(int(os.environ.get("OMP_NUM_THREADS", "0")), 0)
    except ValueError:
        return 0


def _session(path: Path, threads: int):  # -> onnxruntime.InferenceSession
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Spinning threads only burn the other processes' time on a small shared machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class OnnxEncoder:
    """Sentence vectors from the cached ONNX export, with the model's own tokenizer.

    Offers what ``SentenceEmbedder`` uses of a ``SentenceTransformer``: ``tokenizer``,
    ``max_seq_length`` and ``encode``.
    """

    def __init__(
        self, folder: Path, cache_dir: Path, fingerprint: str, quantized: bool, threads: int | None = None
    ) -> None:
        self.folder = folder
        self.max_seq_length = _read_max_seq_length(folder)
        self.file = ensure_export(folder, cache_dir, fingerprint, quantized)
        self.session = _session(self.file, _threads() if threads is None else threads)
        self.inputs = [i.name for i in self.session.get_inputs()]

    @cached_property
    def tokenizer(self):  # -> transformers.PreTrainedTokenizerBase, as the torch backend's
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)

    @cached_property
    def fast_tokenizer(self):  # -> tokenizers.Tokenizer | None
        """The model's ``tokenizer.json`` set up as ``tokenizer(batch, padding=True,
        truncation=True, max_length=max_seq_length)`` runs it (None without that file)."""
        path = self.folder / "tokenizer.json"
        if not path.exists():
            return None
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad = _pad_token(self.folder)
        pad_id = tokenizer.token_to_id(pad) if pad else None
        if pad_id is None:
            return None
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
        return tokenizer

    def _features(self, batch: list[str]) -> dict[str, np.ndarray]:
        """The model's inputs for ``batch``: token ids, attention mask, token types (int64)."""
        tokenizer = self.fast_tokenizer
        if tokenizer is None:
            features = self.tokenizer(
                batch, padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="np"
            )
            return {n: features[n].astype(np.int64) for n in self.inputs}
        encodings = tokenizer.encode_batch(batch)
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        return {n: np.asarray(columns[n], dtype=np.int64) for n in self.inputs}

    def encode(self, texts: list[str], batch_size: int = 32, **_: object) -> np.ndarray:
        """L2-normalised float32 vectors, shape ``(len(texts), dimension)``.

        Texts are batched longest first, as ``SentenceTransformer.encode`` does, so a batch
        pads little; the rows come back in the order given.
        """
        order = np.argsort([-len(t) for t in texts], kind="stable")
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            parts.append(self.session.run(None, self._features(batch))[0])
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[order] = _normalise(np.concatenate(parts))
        return vectors

    @property
    def dimension(self) -> int:
        size = self.session.get_outputs()[0].shape[-1]
        return int(size) if isinstance(size, int) else len(self.encode(["x"])[0])
