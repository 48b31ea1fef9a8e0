"""Which field of a record (JSON, JSONL, CSV row, front matter) holds which article field.

By default each article field is read from the first present of its usual names
(``ALIASES``; matched case-insensitively, spaces and hyphens as underscores). An explicit
mapping (``--map text=body``) names the one field to read instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("id", "title", "date", "source", "url", "text")
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "guid", "uuid"),
    "title": ("title", "headline", "heading"),
    "date": ("date", "published", "published_at", "publish_date", "published_date", "pubdate",
             "pub_date", "date_published", "datetime"),
    "source": ("source", "publisher", "outlet", "source_name", "site_name", "sitename", "site",
               "publication"),
    "url": ("url", "link", "href", "permalink", "article_url", "source_url"),
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext",
             "article_text", "story"),
}


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


class FieldMapError(ValueError):
    """A ``--map`` option that cannot be used; the message says why."""


@dataclass(frozen=True)
class FieldMap:
    """Article field -> record field names to try, in order (defaults: ``ALIASES``)."""

    explicit: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Iterable[str]) -> FieldMap:
        """``["text=body", "date=published_at"]`` -> a FieldMap (FieldMapError if malformed)."""
        explicit: dict[str, str] = {}
        for spec in specs:
            target, sep, column = spec.partition("=")
            target, column = target.strip().lower(), column.strip()
            if not sep or not column:
                raise FieldMapError(f"--map {spec!r}: write FIELD=COLUMN, e.g. text=body")
            if target not in FIELDS:
                raise FieldMapError(f"--map {spec!r}: unknown field {target!r}; fields: {', '.join(FIELDS)}")
            explicit[target] = column
        return cls(explicit)

    def names(self, target: str) -> tuple[str, ...]:
        return (self.explicit[target],) if target in self.explicit else ALIASES[target]

    def missing(self, columns: Iterable[str]) -> list[str]:
        """Explicitly mapped columns that are not among ``columns`` (e.g. a CSV header)."""
        have = {_key(c) for c in columns}
        return [f"{t}={c}" for t, c in self.explicit.items() if _key(c) not in have]

    def pick(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The article fields of ``record`` (absent ones are None)."""
        keyed = {_key(k): v for k, v in record.items()}
        out: dict[str, Any] = {}
        for target in FIELDS:
            value = None
            for name in self.names(target):
                value = record.get(name, keyed.get(_key(name)))
                if value not in (None, ""):
                    break
            out[target] = _plain(value, target)
        return out

    def describe(self, target: str) -> str:
        """How the record field for ``target`` is named in messages."""
        return f"{self.explicit[target]!r} (mapped to {target})" if target in self.explicit else repr(target)


def _plain(value: Any, target: str) -> Any:
    """Common nested shapes: ``source: {"name": ...}`` (NewsAPI), text as a list of paragraphs."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("title") or value.get("id")
    if isinstance(value, list) and target == "text":
        value = "\n\n".join(str(v) for v in value if v not in (None, ""))
    if value in (None, ""):
        return None
    return value if target == "date" else str(value)
