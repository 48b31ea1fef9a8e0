"""Bytes of a text file -> ``str``: UTF-8, UTF-16/32 with a BOM, or a detected legacy encoding.

Detection (charset-normalizer) is trusted only when it is unambiguous: when the
candidates that fit the bytes equally well disagree on the text and no language could
be recognised (a few accented letters in a short file), the file is refused rather than
indexed as mojibake. Among equally good candidates the commonest encodings of news text
win (charset-normalizer alone prefers cp1250, which turns French "après" into "aprčs").
"""

from __future__ import annotations

import codecs
import re
from typing import Any

# Tried first, in this order, among candidates that fit equally well.
PREFERRED = (
    "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "iso8859_2", "cp1250",
    "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1253", "cp1254", "cp1255", "cp1256",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHAOS_TOLERANCE = 0.02
_COHERENCE_TOLERANCE = 0.05
_MAX_CONTROL_SHARE = 0.01
# Unicode's control characters (category Cc) but the whitespace ones: \t \n \v \f \r.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class DecodeError(ValueError):
    """The bytes are not text in an encoding that can be told; the message says why."""


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file (see the module docstring for the rules)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding))
            except UnicodeDecodeError as exc:
                name = encoding.removesuffix("-sig").upper()
                raise DecodeError(
                    f"starts with a {name} byte-order mark but is not {name} ({exc.reason})"
                ) from None
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        first_bad = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
    return _checked(_detect(data, first_bad))


def stream_encoding(sample: bytes) -> str:
    """The encoding to read a file too large to hold in memory, told from its first bytes.

    The same rules as ``decode_text``; a sample that ends inside a character is fine.
    """
    encoding = next((name for bom, name in _BOMS if sample.startswith(bom)), None)
    if encoding is None:
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
                encoding = "utf-8"  # cut inside the last character
            else:
                encoding = _chosen(sample, f"byte 0x{sample[exc.start]:02x} at offset {exc.start}")[0]
    _checked(sample.decode(encoding, errors="replace"))
    return encoding


def _detect(data: bytes, first_bad: str) -> str:
    encoding, best = _chosen(data, first_bad)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:  # an equivalent code page that differs on an unused byte
        return str(best)


def _chosen(data: bytes, first_bad: str) -> tuple[str, Any]:
    """(the encoding to use, charset-normalizer's best match) for bytes that are not UTF-8."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise DecodeError(f"not UTF-8 ({first_bad}) and no text encoding fits: a binary file?")
    best = matches[0]
    tied = [
        m for m in matches
        if m.chaos <= best.chaos + _CHAOS_TOLERANCE and m.coherence >= best.coherence - _COHERENCE_TOLERANCE
    ]
    if best.coherence == 0 and len({str(m) for m in tied}) > 1:
        names = ", ".join(m.encoding for m in tied[:3])
        raise DecodeError(
            f"not UTF-8 ({first_bad}), and too little text to tell its encoding ({names}?); "
            "save the file as UTF-8 and add it again"
        )
    fitting = {enc for m in tied for enc in (m.encoding, *m.could_be_from_charset)}
    return next((enc for enc in PREFERRED if enc in fitting), best.encoding), best


def _checked(text: str) -> str:
    """Refuse text that is mostly not text (a binary file that happens to decode)."""
    controls = len(_CONTROLS.findall(text))
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise DecodeError(f"binary content ({controls} control characters): not a text file")
    return text
