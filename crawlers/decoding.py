"""Turn a response body into text the way a browser would, tuned for Chinese sites.

Declared encodings win (BOM, HTTP header, ``<meta>``), GBK and GB2312 are read as their
superset GB18030, undeclared bodies are detected, and bad bytes never raise.
"""
from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

logger = logging.getLogger(__name__)

#: A declared encoding is believed when at most this share of the body fails to decode in it
#: (sites declare the right encoding and then paste in a few stray bytes).
MAX_BAD_SHARE = 0.01
#: Bytes handed to charset-normalizer; enough for a confident guess, cheap on large pages.
DETECT_BYTES = 64 * 1024
#: Detector guesses that, for sites in mainland China, are nearly always GBK misread: when the
#: body is valid GB18030 it is read as that instead.
UNLIKELY_GUESSES = frozenset({"euc_kr", "cp949", "johab", "iso2022_kr", "shift_jis", "cp932", "euc_jp", "iso2022_jp"})
#: What ``surrogateescape`` turns each undecodable byte into.
_ESCAPED = re.compile("[\udc80-\udcff]")


def decode_body(body: bytes, content_type_header: str | None) -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding)``; the encoding is a Python codec name.

    Order: byte-order mark, the ``charset`` of ``content_type_header``, the document's own
    ``<meta charset>`` / ``http-equiv`` / XML declaration, then detection (strict UTF-8, then
    charset-normalizer), then UTF-8 with replacement characters. A declared encoding under
    which the body does not decode (beyond a few stray bytes) is passed over for the next one.
    """
    declared = declared_encodings(body, content_type_header)
    if not body:
        return "", declared[0] if declared else "utf-8"
    for encoding in declared:
        text, bad = _decode(body, encoding)
        if bad <= max(1, len(body) * MAX_BAD_SHARE):
            if bad:
                logger.debug("%d undecodable bytes in a %s body", bad, encoding)
            return text, encoding
    detected = detect_encoding(body)
    if detected:
        text, bad = _decode(body, detected)
        if bad == 0 or not declared:
            return text, detected
    encoding = declared[0] if declared else "utf-8"
    return _decode(body, encoding)[0], encoding


def declared_encodings(body: bytes, content_type_header: str | None) -> list[str]:
    """The encodings the response declares, strongest first, resolved and without repeats.

    The BOM comes first because browsers follow it even against the HTTP header
    (WHATWG "encoding sniffing"); GBK/GB2312 labels resolve to ``gb18030``.
    """
    found: list[str | None] = []
    bom_encoding, _ = read_bom(body)
    found.append(bom_encoding)
    if content_type_header:
        found.append(http_content_type_encoding(content_type_header))
    meta = html_body_declared_encoding(body)
    if meta and meta.startswith("utf-16") and not bom_encoding:
        meta = "utf-8"  # a <meta> read in ASCII cannot really be UTF-16 (HTML spec)
    found.append(meta)
    result: list[str] = []
    for encoding in found:
        encoding = _usable(encoding)
        if encoding and encoding not in result:
            result.append(encoding)
    return result


def detect_encoding(body: bytes) -> str | None:
    """Guess the encoding of an undeclared body: UTF-8 if it is valid UTF-8, else
    charset-normalizer's best guess (GBK family resolved to GB18030), else None."""
    sample = body[:DETECT_BYTES]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if len(body) > DETECT_BYTES and exc.start >= len(sample) - 3:
            return "utf-8"
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    guess = _usable(best.encoding)
    if guess in UNLIKELY_GUESSES and _decodes(sample, "gb18030"):
        return "gb18030"  # short Chinese texts in GBK are often taken for Korean or Japanese
    return guess


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # a character cut at the end of the sample
    return True


def _usable(label: str | None) -> str | None:
    """A Python codec name for ``label`` (WHATWG mappings applied), or None if unknown."""
    if not label:
        return None
    encoding = resolve_encoding(label) or label
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _decode(body: bytes, encoding: str) -> tuple[str, int]:
    """Decode, replacing bad bytes with U+FFFD; return the text and the number of bad bytes."""
    try:
        text = body.decode(encoding, errors="surrogateescape")
    except LookupError:
        return body.decode("utf-8", errors="replace"), len(body)
    bad = len(_ESCAPED.findall(text))
    if bad:
        text = _ESCAPED.sub("\ufffd", text)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, bad
