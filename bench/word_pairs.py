"""How well word similarity tells close words from merely related ones (assistant/meaning.py).

Run from the repository root::

    .venv/bin/python bench/word_pairs.py

Reads ``bench/data/word_pairs.jsonl`` (pairs marked ``close``: synonyms or near-synonyms a
question may use for an article's word; or not: related words that do not mean the same) and
prints, for GloVe, the sentence embedder and their mean, each pair's similarity and how many
pairs of each kind reach ``CLOSE``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from assistant.meaning import CLOSE, WordVectors  # noqa: E402
from assistant.sentences import EmbeddingCache  # noqa: E402
from index.embed import SentenceEmbedder  # noqa: E402
from index.settings import Settings  # noqa: E402

PAIRS = REPO / "bench" / "data" / "word_pairs.jsonl"


def main() -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    vectors = WordVectors()
    settings = Settings()
    embed = EmbeddingCache(
        SentenceEmbedder(settings.embedder, backend=settings.embedder_backend, cache_dir=settings.onnx_cache)
    )
    rows, passed = [], {True: [0, 0, 0], False: [0, 0, 0]}
    for pair in pairs:
        glove = float(vectors.similarity([pair["a"]], [pair["b"]])[0, 0])
        a, b = embed([pair["a"], pair["b"]])
        mini = float(a @ b)
        mean = (glove + mini) / 2
        for i, value in enumerate((glove, mini, mean)):
            passed[pair["close"]][i] += value >= CLOSE
        rows.append(
            f"| {pair['a']} / {pair['b']} | {'close' if pair['close'] else 'not'} | "
            f"{glove:.2f} | {mini:.2f} | {mean:.2f} |"
        )
    print("| pair | kind | GloVe | embedder | mean |\n|---|---|---:|---:|---:|")
    print("\n".join(rows))
    n_close = sum(p["close"] for p in pairs)
    n_not = len(pairs) - n_close
    print(
        f"\nreaching {CLOSE}: close pairs {passed[True][0]}/{n_close} (GloVe), {passed[True][1]}/{n_close} "
        f"(embedder), {passed[True][2]}/{n_close} (mean); unrelated pairs {passed[False][0]}/{n_not}, "
        f"{passed[False][1]}/{n_not}, {passed[False][2]}/{n_not}"
    )


if __name__ == "__main__":
    main()
