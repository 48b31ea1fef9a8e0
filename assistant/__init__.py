"""Retrieval and answering over the indexed news articles."""

import index  # noqa: F401  (sets the offline environment before any ML library loads)
