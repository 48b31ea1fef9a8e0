"""The ONNX embedder backends: a local export of the bundled model, fp32 and int8.

Real model, real export: the session's ONNX cache is a temporary folder, exported into once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.identity import EmbedderMismatch, EmbedderRecord, describe, mismatch_message

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "The river bridge opened on Sunday after three years of construction.",
    "Shares of the carmaker fell 4% after the central bank raised interest rates.",
    "The zoo welcomed a baby giraffe on Tuesday morning.",
    "Heavy rain flooded several streets in the city centre overnight.",
]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def int8_embedder(onnx_cache):
    """The bundled model on ``onnx-int8``, exported (and quantised) into ``onnx_cache`` once."""
    from index.embed import SentenceEmbedder

    emb = SentenceEmbedder(backend="onnx-int8", cache_dir=onnx_cache)
    emb.load()
    return emb


def test_int8_loads_from_the_local_export(int8_embedder, onnx_cache):
    from index.identity import fingerprint

    folder = onnx_cache / fingerprint(int8_embedder.path)
    assert int8_embedder.model.file.parent == folder
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "sentence-v1-int8.onnx",
        "sentence-v1.onnx",
    ]
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # no half-written file left
    # int8 weights: about a quarter of the fp32 export
    sizes = {p.name: p.stat().st_size for p in folder.glob("*.onnx")}
    assert sizes["sentence-v1-int8.onnx"] < 0.4 * sizes["sentence-v1.onnx"]


def test_int8_vectors_are_close_to_torch(int8_embedder, torch_embedder):
    vectors = int8_embedder.encode(SENTENCES)
    assert vectors.dtype == np.float32 and vectors.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * torch_embedder.encode(SENTENCES)).sum(axis=1)
    assert cosines.min() > 0.98, cosines
    assert int8_embedder.embed_documents([]) == []
    assert np.allclose(int8_embedder.embed_documents(SENTENCES), vectors, atol=1e-6)  # deterministic
    # Activations are quantised over the whole batch, so a vector moves a little with its
    # batch-mates (unlike fp32, where padding is masked out): alone vs. in a batch.
    alone = np.array([int8_embedder.embed_query(text) for text in SENTENCES])
    assert alone.shape == (len(SENTENCES), 384)
    assert (alone * vectors).sum(axis=1).min() > 0.98


def test_int8_ranks_a_paraphrase_above_an_unrelated_sentence(int8_embedder):
    query, paraphrase, unrelated = int8_embedder.encode(
        [
            "A new bridge over the river was opened to traffic on Sunday.",
            "On Sunday the river crossing opened for cars for the first time.",
            "The football club signed a new goalkeeper from Portugal.",
        ]
    )
    assert query @ paraphrase > query @ unrelated + 0.2


def test_int8_counts_tokens_as_torch(int8_embedder, torch_embedder):
    embedder = torch_embedder
    long_text = " ".join(SENTENCES * 20)
    for text in [*SENTENCES, long_text, "", "émigré café naïve — 3.5% of €2bn"]:
        assert int8_embedder.count_tokens(text) == embedder.count_tokens(text)
    assert int8_embedder.max_tokens == embedder.max_tokens == 256
    # truncation as the model does it: a text past 256 tokens encodes as its first 256
    assert int8_embedder.count_tokens(long_text) > 256


def test_int8_tokenizes_as_transformers(int8_embedder):
    # The encoder reads tokenizer.json with the tokenizers library (no transformers, no torch
    # at query time); its model inputs are exactly what transformers' tokenizer gives.
    encoder = int8_embedder.model
    assert encoder.fast_tokenizer is not None
    long_text = " ".join(SENTENCES * 20)  # past 256 tokens: truncated
    texts = [
        *SENTENCES,
        long_text,
        "",
        "émigré café naïve — 3.5% of €2bn",
        "東京 🙂\u200b\t\nX",
        "[CLS] [PAD]",
    ]
    for batch in (texts, texts[:1], texts[4:6], sorted(texts, key=len)):
        expected = encoder.tokenizer(
            batch, padding=True, truncation=True, max_length=encoder.max_seq_length, return_tensors="np"
        )
        got = encoder._features(batch)
        assert set(got) == set(encoder.inputs)
        for name in encoder.inputs:
            assert got[name].dtype == np.int64
            assert np.array_equal(got[name], expected[name].astype(np.int64)), name


def test_int8_query_does_not_import_torch(int8_embedder, onnx_cache):
    # Searching needs the query's vector only: no torch (~200 MiB) in a process that encodes
    # with the int8 export already made, and the same vector and token count as here.
    question = "Who opened the bridge over the river?"
    script = (
        "import json, sys; from index.embed import SentenceEmbedder; "
        f"e = SentenceEmbedder(backend='onnx-int8', cache_dir={str(onnx_cache)!r}); "
        f"v = e.embed_query({question!r}); n = e.count_tokens({question!r}); "
        "m = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]; "
        "print(json.dumps([v, n, m]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    vector, tokens, modules = json.loads(done.stdout.splitlines()[-1])
    assert modules == []
    assert tokens == int8_embedder.count_tokens(question)
    assert np.allclose(vector, int8_embedder.embed_query(question), atol=1e-6)


def test_onnx_fp32_reproduces_torch(onnx_cache, int8_embedder, torch_embedder):
    embedder = torch_embedder
    from index.embed import SentenceEmbedder

    fp32 = SentenceEmbedder(backend="onnx", cache_dir=onnx_cache)  # its file came with the int8 export
    texts = [*SENTENCES, "short", " ".join(SENTENCES * 20)]
    vectors = fp32.encode(texts)
    cosines = (vectors * embedder.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    alone = np.array([fp32.embed_query(text) for text in texts])
    assert np.allclose(alone, vectors, atol=1e-5)  # padding is masked: a batch changes nothing


def test_export_is_not_repeated_when_cached(int8_embedder, onnx_cache, monkeypatch):
    import index.onnx_encoder as onnx_encoder
    from index.embed import SentenceEmbedder

    files = {p: p.stat().st_mtime_ns for p in int8_embedder.model.file.parent.glob("*.onnx")}

    def refuse(*args, **kwargs):
        raise AssertionError("exported again although the cache holds the model")

    monkeypatch.setattr(onnx_encoder, "export_fp32", refuse)
    monkeypatch.setattr(onnx_encoder, "quantize_int8", refuse)
    again = SentenceEmbedder(backend="onnx-int8", cache_dir=onnx_cache)
    again.load()
    assert again.model.file == int8_embedder.model.file
    assert {p: p.stat().st_mtime_ns for p in files} == files
    assert np.allclose(again.encode(SENTENCES[:1]), int8_embedder.encode(SENTENCES[:1]), atol=1e-6)


def test_unknown_backend_is_refused():
    from index.embed import EmbedderError, SentenceEmbedder

    with pytest.raises(EmbedderError, match="unknown embedder backend 'onnx-int4'"):
        SentenceEmbedder(backend="onnx-int4")


def test_backend_setting(monkeypatch, tmp_path):
    from assistant.settings import Settings
    from index.embed import DEFAULT_BACKEND

    assert Settings().embedder_backend == DEFAULT_BACKEND
    monkeypatch.setenv("NEWSQA_EMBEDDER_BACKEND", "onnx-int8")
    monkeypatch.setenv("NEWSQA_ONNX_CACHE", str(tmp_path))
    settings = Settings()
    assert (settings.embedder_backend, settings.onnx_cache) == ("onnx-int8", tmp_path)


# --- the embedder record ----------------------------------------------------------------------


def test_record_keeps_the_backend(embedder):
    torch_record = describe(embedder.name, embedder.path)  # records without a backend read as torch
    int8_record = describe(embedder.name, embedder.path, backend="onnx-int8")
    assert (torch_record.backend, int8_record.backend) == ("torch", "onnx-int8")
    assert not torch_record.same_space(int8_record) and not int8_record.same_space(torch_record)
    # fp32 ONNX reproduces torch's vectors (test_onnx_fp32_reproduces_torch): one space
    assert describe(embedder.name, embedder.path, backend="onnx").same_space(torch_record)
    assert EmbedderRecord.from_json(int8_record.to_json()) == int8_record

    old = json.loads(torch_record.to_json())
    del old["backend"]  # a record written before backends existed
    assert EmbedderRecord.from_json(json.dumps(old)).same_space(torch_record)

    message = mismatch_message(int8_record, torch_record)
    assert "this index was built with all-MiniLM-L6-v2 (backend onnx-int8" in message
    assert "you configured all-MiniLM-L6-v2 (backend torch" in message
    assert "python -m index reindex" in message and "NEWSQA_EMBEDDER_BACKEND=onnx-int8" in message
    assert "NEWSQA_EMBEDDER=" not in message  # the model is the same: only the backend differs


def test_index_built_with_int8_refuses_torch(fresh_settings, int8_embedder, torch_embedder, tmp_path):
    embedder = torch_embedder
    from assistant.build import build_library
    from index.library import Library

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zoo.txt").write_text(
        "Title: Zoo news\nDate: 2031-03-02\nSource: Test Gazette\n\n"
        "The zoo welcomed a baby giraffe on Tuesday.",
        encoding="utf-8",
    )
    library = build_library(fresh_settings, embedder=int8_embedder)
    library.add_paths([folder])
    built = library.built_with()
    assert built is not None
    assert built.backend == "onnx-int8", "index.library must record the embedder's backend"
    assert library.search("a baby giraffe at the zoo", k=1)[0].article_id == "zoo"

    with pytest.raises(EmbedderMismatch) as refused:
        Library(fresh_settings.home, embedder)
    message = str(refused.value)
    assert "this index was built with all-MiniLM-L6-v2 (backend onnx-int8" in message
    assert "you configured all-MiniLM-L6-v2 (backend torch" in message
    assert "NEWSQA_EMBEDDER_BACKEND=onnx-int8" in message and "python -m index reindex" in message
    Library(fresh_settings.home, int8_embedder)  # the same backend opens it


def test_an_index_keeps_its_backend_unless_one_is_set(tmp_path, torch_embedder, int8_embedder):
    """A change of the default backend never makes an existing index unreadable; an explicit
    setting that differs from the index's is refused, never mixed into it."""
    from assistant.build import build_library
    from assistant.settings import Settings
    from index.build import embedder_backend

    (tmp_path / "zoo.txt").write_text("Title: Zoo news\n\nThe zoo welcomed a baby giraffe on Tuesday.")
    assert embedder_backend(Settings(home=tmp_path / "new")) == Settings().embedder_backend  # nothing built
    for built, other in ((torch_embedder, "onnx-int8"), (int8_embedder, "torch")):
        home = tmp_path / built.backend
        library = build_library(Settings(home=home), embedder=built)
        library.add_paths([tmp_path / "zoo.txt"])
        assert embedder_backend(Settings(home=home)) == built.backend  # the index's own
        assert embedder_backend(Settings(home=home, embedder_backend=built.backend)) == built.backend
        assert embedder_backend(Settings(home=home, embedder_backend=other)) == other
        with pytest.raises(EmbedderMismatch, match=f"NEWSQA_EMBEDDER_BACKEND={built.backend}"):
            build_library(Settings(home=home, embedder_backend=other, onnx_cache=tmp_path / "onnx"))
