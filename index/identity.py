"""Which embedder built an index: a record kept in the catalogue and checked on opening.

Vectors of two models live in different spaces; mixing them makes every similarity
meaningless without any error. So the catalogue records the model that built the index
(its setting, folder, a hash of its files, dimension, library versions, and the backend
that ran it) and an index is not opened with another one. The int8 ONNX backend's vectors
are close to but not the same as the fp32 ones, so moving to or from it is a change of space
too; the fp32 ONNX export reproduces PyTorch's vectors (cosine > 0.9999, checked when it is
exported), so ``torch`` and ``onnx`` share one space (records written before backends
existed read as ``torch``). The hash covers the
model's files (weights, configuration, tokenizer), so a copied or moved folder is the same
model, and a changed pooling or weights file is not. Hashing ~90 MB takes about a second,
so it is cached per file size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

_CACHE_VERSION = 1
_MEMO: dict[str, tuple[list, str]] = {}  # folder -> (file stamps, sha256), per process


# Backends whose vectors are interchangeable map to one space; any other backend is its own.
_SPACES = {"torch": "fp32", "onnx": "fp32"}


def vector_space(backend: str) -> str:
    """The space a backend's vectors live in: ``torch`` and ``onnx`` (both fp32) share one."""
    return _SPACES.get(backend, backend)


class EmbedderMismatch(RuntimeError):
    """The index was built with another embedder than the configured one."""


@dataclass(frozen=True)
class EmbedderRecord:
    """What the catalogue keeps about the embedder that built the index."""

    name: str
    path: str
    fingerprint: str
    dimension: int | None
    sentence_transformers: str
    package: str = ""
    backend: str = "torch"  # index.embed.BACKENDS; absent from records of older indexes

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, payload: str) -> EmbedderRecord:
        data = json.loads(payload)
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})

    def same_space(self, other: EmbedderRecord) -> bool:
        """Whether vectors of the two are comparable (same files, dimension and vector space)."""
        return (
            self.fingerprint == other.fingerprint
            and self.dimension == other.dimension
            and vector_space(self.backend) == vector_space(other.backend)
        )

    def label(self) -> str:
        return (
            f"{self.name} (backend {self.backend}, model files {self.fingerprint[:12]}, "
            f"{self.dimension or '?'} dimensions)"
        )


def mismatch_message(built: EmbedderRecord, configured: EmbedderRecord) -> str:
    settings = []
    if built.fingerprint != configured.fingerprint or built.dimension != configured.dimension:
        settings.append(f"NEWSQA_EMBEDDER={built.name}")
    if vector_space(built.backend) != vector_space(configured.backend):
        settings.append(f"NEWSQA_EMBEDDER_BACKEND={built.backend}")
    return (
        f"this index was built with {built.label()}; you configured {configured.label()}: "
        f"run `python -m index reindex` to re-embed every article with the configured one, "
        f"or set {' and '.join(settings or [f'NEWSQA_EMBEDDER={built.name}'])}"
    )


def _model_files(folder: Path) -> list[Path]:
    """Files that decide the vectors: everything but hidden files and read-mes."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.suffix.lower() != ".md"
    )


def fingerprint(folder: Path, cache_file: Path | None = None) -> str:
    """sha256 over the model folder's files (relative names and contents)."""
    files = _model_files(folder)
    stamp = [[str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    key = str(folder.resolve())
    if (memo := _MEMO.get(key)) and memo[0] == stamp:
        return memo[1]
    cache = _read_cache(cache_file)
    hit = cache.get(key)
    if hit and hit.get("stamp") == stamp:
        _MEMO[key] = (stamp, hit["sha256"])
        return hit["sha256"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        digest.update(b"\0")
    value = digest.hexdigest()
    _MEMO[key] = (stamp, value)
    if cache_file is not None:
        cache[key] = {"stamp": stamp, "sha256": value}
        _write_cache(cache_file, cache)
    return value


def _read_cache(cache_file: Path | None) -> dict:
    if cache_file is None:
        return {}
    try:
        data = json.loads(cache_file.read_text())
        return data["models"] if data.get("version") == _CACHE_VERSION else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_cache(cache_file: Path, cache: dict) -> None:
    try:
        tmp = cache_file.with_name(f"{cache_file.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"version": _CACHE_VERSION, "models": cache}))
        os.replace(tmp, cache_file)
    except OSError as exc:  # a read-only home only costs the hash next time
        log.debug("could not cache the embedder fingerprint: %s", exc)


def dimension(folder: Path) -> int | None:
    """Output size of a sentence-transformers folder, read from its module configs."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
    except (OSError, ValueError):
        modules = []
    size = None
    for module in modules:
        kind, config = module.get("type", ""), folder / module.get("path", "") / "config.json"
        try:
            if kind.endswith("Pooling"):
                size = json.loads(config.read_text()).get("word_embedding_dimension", size)
            elif kind.endswith("Dense"):
                size = json.loads(config.read_text()).get("out_features", size)
        except (OSError, ValueError):
            continue
    if size is None:
        try:
            size = json.loads((folder / "config.json").read_text()).get("hidden_size")
        except (OSError, ValueError):
            return None
    return int(size) if size else None


def describe(
    name: str, folder: Path, cache_file: Path | None = None, backend: str = "torch"
) -> EmbedderRecord:
    """The record of a configured embedder (``name``: the NEWSQA_EMBEDDER setting,
    ``backend``: NEWSQA_EMBEDDER_BACKEND, which runtime computes its vectors)."""
    try:
        st_version = metadata.version("sentence-transformers")
    except metadata.PackageNotFoundError:
        st_version = ""
    package = ""
    marks = [i for i, part in enumerate(folder.parts) if part in ("site-packages", "dist-packages")]
    if marks and marks[-1] + 1 < len(folder.parts):
        top = folder.parts[marks[-1] + 1]  # the distribution that ships the model
        try:
            package = f"{top}=={metadata.version(top)}"
        except metadata.PackageNotFoundError:
            package = top
    return EmbedderRecord(
        name=name,
        path=str(folder),
        fingerprint=fingerprint(folder, cache_file),
        dimension=dimension(folder),
        sentence_transformers=st_version,
        package=package,
        backend=backend,
    )
