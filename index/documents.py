"""Text and title of PDF (``pypdf``) and Word (``python-docx``) files.

Both return plain text with paragraphs separated by blank lines, so header lines
(``Date: …``) at the start still become metadata and chunking keeps paragraphs apart.
Both are compressed formats: caps on what they may expand to are checked before (DOCX)
or while (PDF) parsing, so a small decompression bomb is refused instead of filling memory.
"""

from __future__ import annotations

import io
import re
import struct

_HYPHENATED = re.compile(r"(\w)-\n(?=[a-z])")

MAX_DOCX_EXPANDED = 50 * 1024 * 1024  # all parts of a .docx together, uncompressed
MAX_DOCX_PARTS = 1000  # a Word file has a few dozen; a photo-heavy one a few hundred
MAX_DOCX_RATIO = 100  # compression ratio allowed for a part over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_PDF_PAGES = 1000
MAX_PDF_CHARS = 5_000_000  # extracted text of one PDF
MAX_PDF_STREAM = 20 * 1024 * 1024  # one decoded PDF stream (pypdf's default is 75 MB)


class DocumentError(ValueError):
    """The document cannot be read; the message says why."""


def _size(n: int) -> str:
    """``n`` bytes for a message: "1.2 GB", "50 MB", "740 KB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def pdf_text(
    data: bytes,
    *,
    max_pages: int = MAX_PDF_PAGES,
    max_chars: int = MAX_PDF_CHARS,
    max_stream: int = MAX_PDF_STREAM,
) -> tuple[str, str | None]:
    """(text, title from the document information) of a PDF file.

    Refused: more than ``max_pages`` pages, more than ``max_chars`` characters of text,
    or a stream that decodes to more than ``max_stream`` bytes.
    """
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    # pypdf reads its limits from a context variable while it decodes, so they hold
    # for this call (and thread) only, including streams decoded lazily by extract_text.
    limits = {
        name: max_stream
        for name in (
            "maximum_declared_stream_length", "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length", "lzw_maximum_output_length",
            "run_length_maximum_output_length", "zlib_maximum_output_length",
            "brotli_maximum_output_length", "image_maximum_buffer_size",
        )
    }
    try:
        with apply_configuration(**limits, stream_decoding_work_maximum_length=5 * max_stream):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("the PDF is encrypted (password protected)")
            if (count := len(reader.pages)) > max_pages:
                raise DocumentError(f"refused: the PDF has {count:,} pages (limit {max_pages:,})")
            pages: list[str] = []
            length = 0
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                length += len(pages[-1])
                if length > max_chars:
                    raise DocumentError(
                        f"refused: the PDF holds more than {max_chars:,} characters of text"
                    )
            title = (reader.metadata.title if reader.metadata else None) or None
    except LimitReachedError:
        raise DocumentError(
            f"refused: a stream in the PDF expands to more than {_size(max_stream)}, "
            "a possible decompression bomb"
        ) from None
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


def _zip_directory(data: bytes) -> tuple[int, int] | None:
    """(entry count, central directory size) from a zip's end record, or None without one."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if at < 0 or at + 22 > len(data):
        return None
    count, size = struct.unpack_from("<HI", data, at + 10)
    return count, size


def check_zip(
    data: bytes,
    kind: str = ".docx",
    *,
    max_expanded: int = MAX_DOCX_EXPANDED,
    max_parts: int = MAX_DOCX_PARTS,
    max_ratio: int = MAX_DOCX_RATIO,
) -> None:
    """Raise ``DocumentError`` when the zip ``data`` may expand past the caps (a zip bomb).

    Only the central directory is read. Python's ``zipfile`` never yields more than the
    size a member declares there (the CRC check fails instead), so the declared sizes bound
    what a parser can be made to decompress.
    """
    import zipfile

    # The end record first: zipfile builds an object per listed part before anything
    # could count them, and a 50 MB file can list a million (about 400 MB of them).
    directory = _zip_directory(data)
    if directory is not None:
        count, size = directory
        if count > max_parts:
            raise DocumentError(f"refused: the {kind} has {count:,} parts (limit {max_parts:,})")
        if size > max_parts * 1024:
            raise DocumentError(
                f"refused: the {kind} has a {_size(size)} list of parts (limit {max_parts:,} parts)"
            )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, struct.error) as exc:
        raise DocumentError(f"not a readable {kind} file ({exc})") from None
    if len(members) > max_parts:
        raise DocumentError(f"refused: the {kind} has {len(members):,} parts (limit {max_parts:,})")
    expanded = sum(m.file_size for m in members)
    if expanded > max_expanded:
        raise DocumentError(
            f"refused: the {kind} expands to {_size(expanded)} (limit {_size(max_expanded)}), "
            "a possible zip bomb"
        )
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Word writes only these; the others are decompressed without an output limit.
            raise DocumentError(
                f"not a readable {kind} file ({member.filename} uses zip compression method "
                f"{member.compress_type}, not one Word writes)"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > max_ratio:
            raise DocumentError(
                f"refused: {member.filename} in the {kind} expands {ratio:,.0f} times "
                f"({_size(member.compress_size)} to {_size(member.file_size)}, limit {max_ratio}:1), "
                "a possible zip bomb"
            )


def docx_text(
    data: bytes,
    *,
    max_expanded: int = MAX_DOCX_EXPANDED,
    max_parts: int = MAX_DOCX_PARTS,
    max_ratio: int = MAX_DOCX_RATIO,
) -> tuple[str, str | None]:
    """(text, title) of a .docx file: the core-properties title or a leading Title paragraph.

    The zip is checked against the caps (see ``check_zip``) before python-docx opens it.
    """
    import zipfile

    import docx

    check_zip(data, ".docx", max_expanded=max_expanded, max_parts=max_parts, max_ratio=max_ratio)
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
