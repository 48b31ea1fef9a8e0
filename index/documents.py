"""Text and title of PDF (``pypdf``) and Word (``python-docx``) files.

Both return plain text with paragraphs separated by blank lines, so header lines
(``Date: …``) at the start still become metadata and chunking keeps paragraphs apart.
"""

from __future__ import annotations

import io
import re

_HYPHENATED = re.compile(r"(\w)-\n(?=[a-z])")


class DocumentError(ValueError):
    """The document cannot be read; the message says why."""


def pdf_text(data: bytes) -> tuple[str, str | None]:
    """(text, title from the document information) of a PDF file."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("the PDF is encrypted (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, DocumentError):
            raise
        # pypdf cannot tell a truncated file from a PDF feature it does not support.
        raise DocumentError(
            f"not a readable PDF: damaged, truncated or of an unsupported kind ({exc})"
        ) from None
    # Words broken at a line end ("rail-\nways") are joined; pages are paragraphs apart.
    text = "\n\n".join(_HYPHENATED.sub(r"\1", p).strip() for p in pages if p.strip())
    if not text:
        raise DocumentError("the PDF has no text layer (a scan? run OCR on it first)")
    return text, title.strip() if isinstance(title, str) and title.strip() else None


def docx_text(data: bytes) -> tuple[str, str | None]:
    """(text, title) of a .docx file: the core-properties title or a leading Title paragraph."""
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"not a readable .docx file ({exc})") from None
    title = (document.core_properties.title or "").strip() or None
    paragraphs: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not paragraphs and title is None and (style.startswith("Title") or style == "Heading 1"):
            title = text
            continue
        paragraphs.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                paragraphs.append(" | ".join(dict.fromkeys(cells)))  # merged cells repeat
    if not paragraphs:
        raise DocumentError("the document has no text")
    return "\n\n".join(paragraphs), title
