"""URL lists (``*.urls``: one http(s) URL per line, ``#`` comments) and fetching their pages.

Every fetch has a total deadline (not only a per-read socket timeout, which a server that
trickles bytes would never trip) and a size cap checked while reading.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

USER_AGENT = "newsqa-ingest/1.0"
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_READ_SIZE = 64 * 1024


class FetchError(ValueError):
    """The page could not be fetched; the message says why."""


@dataclass(frozen=True)
class Page:
    """A fetched page: its bytes and what the server said they are."""

    url: str
    final_url: str
    content_type: str
    charset: str | None
    data: bytes


def url_lines(text: str) -> list[tuple[int, str]]:
    """(line number, URL) of a URL list; blank lines and ``#`` comments skipped.

    A comment starts at a ``#`` at the start of a line or after a space (``#`` inside a
    URL is its fragment).
    """
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if url := _COMMENT.sub("", line).strip():
            out.append((n, url))
    return out


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"not an http(s) URL: {url!r}")


def fetch(url: str, timeout: float, max_bytes: int) -> Page:
    """GET ``url`` within ``timeout`` seconds in all, refusing bodies over ``max_bytes``."""
    check_url(url)
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {int(length):,} bytes, more than the {max_bytes:,} bytes allowed")
            chunks: list[bytes] = []
            size = 0
            # read1: whatever has arrived, so a trickling server still meets the deadline check.
            read = getattr(response, "read1", response.read)
            while chunk := read(_READ_SIZE):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: more than the {max_bytes:,} bytes allowed")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: timed out after {timeout:g} s")
                chunks.append(chunk)
            headers: Message = response.headers
            return Page(
                url=url,
                final_url=response.geturl(),
                content_type=headers.get_content_type(),
                charset=headers.get_content_charset(),
                data=b"".join(chunks),
            )
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"{url}: timed out after {timeout:g} s") from None
        raise FetchError(f"{url}: cannot connect ({reason})") from None
    except TimeoutError:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, FetchError):
            raise
        raise FetchError(f"{url}: {exc}") from None
