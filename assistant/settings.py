"""The product's settings, re-exported from ``index.settings`` (where both layers read them)."""

from index.settings import BUNDLED_EMBEDDER, Settings, get_settings

__all__ = ["BUNDLED_EMBEDDER", "Settings", "get_settings"]
