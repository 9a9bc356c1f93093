"""Reading an HTTP request body: size limits, gzip/deflate decompression, media types."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from llmobs_store.errors import IngestRejected, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from zlib import _Decompress

_CHUNK_BYTES = 64 * 1024
_STEP_BYTES = 256 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS
# RFC 9110 §8.4.1.3: recipients should treat "x-gzip" as "gzip".
_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}


def media_type(content_type: str | None) -> str:
    """The bare, lowercase media type: "Application/JSON; charset=utf-8" → "application/json"."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def read_body(
    stream: IO[bytes],
    *,
    content_encoding: str | None,
    content_length: int | None,
    max_bytes: int,
) -> bytes:
    """The decoded body of a request, never more than ``max_bytes`` before or after decompression.

    Compressed bodies are read and inflated chunk by chunk, so a small "zip bomb" is stopped as
    soon as its output passes the limit, having allocated little more than ``max_bytes``.

    >>> read_body(io.BytesIO(gzip.compress(b"hi")), content_encoding="gzip",
    ...           content_length=None, max_bytes=1024)  # doctest: +SKIP
    b'hi'
    """
    coding = _coding(content_encoding)
    if content_length is not None and content_length > max_bytes:
        raise PayloadTooLarge(max_bytes)
    chunks = _read_chunks(stream, content_length, max_bytes)
    if coding is None:
        return b"".join(chunks)
    return _inflate(chunks, coding, max_bytes)


def _coding(content_encoding: str | None) -> str | None:
    """The one content coding to undo (None for identity); unknown codings are refused."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) > 1:
        raise UnsupportedMediaType(
            f"Content-Encoding {content_encoding!r}: only one of gzip or deflate is supported"
        )
    coding = _CODINGS.get(codings[0])
    if coding is None:
        raise UnsupportedMediaType(
            f"Content-Encoding {codings[0]!r} is not supported (use gzip, deflate or identity)"
        )
    return coding


def _read_chunks(stream: IO[bytes], content_length: int | None, max_bytes: int) -> Iterator[bytes]:
    """The raw body in chunks: Content-Length bytes when given (never reading past them), else
    up to the end of the stream; more than ``max_bytes`` raises."""
    total = 0
    remaining = content_length
    while remaining is None or remaining > 0:
        want = _CHUNK_BYTES if remaining is None else min(_CHUNK_BYTES, remaining)
        chunk = stream.read(want)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise PayloadTooLarge(max_bytes)
        yield chunk
        if remaining is not None:
            remaining -= len(chunk)
    if remaining:
        raise IngestRejected(
            f"request body ended after {total} of the {content_length} bytes announced "
            "by Content-Length"
        )


def _inflate(chunks: Iterator[bytes], coding: str, max_bytes: int) -> bytes:
    """Decompress gzip (possibly several members) or deflate (zlib or raw) under the cap."""
    label = "gzip" if coding == "gzip" else "deflate"
    out: list[bytes] = []
    size = 0
    inflater: _Decompress | None = None
    head = b""  # input held back until the deflate flavour can be told (2 bytes)
    try:
        for chunk in chunks:
            if inflater is None:
                head += chunk
                if coding == "deflate" and len(head) < 2:
                    continue
                inflater = zlib.decompressobj(_wbits(coding, head))
                chunk, head = head, b""
            while chunk:
                if inflater.eof:
                    if coding != "gzip":
                        raise IngestRejected(
                            "request body is not valid deflate: data after its end"
                        )
                    # Concatenated gzip members form one body (RFC 1952 §2.2).
                    inflater = zlib.decompressobj(_GZIP_WBITS)
                size = _inflate_chunk(inflater, chunk, out, size, max_bytes)
                chunk = inflater.unused_data
        if inflater is None and head:
            inflater = zlib.decompressobj(_wbits(coding, head))
            size = _inflate_chunk(inflater, head, out, size, max_bytes)
    except zlib.error as exc:
        raise IngestRejected(f"request body is not valid {label}: {exc}") from exc
    if inflater is not None and not inflater.eof:
        raise IngestRejected(f"request body is not valid {label}: the stream is truncated")
    return b"".join(out)


def _inflate_chunk(
    inflater: _Decompress, chunk: bytes, out: list[bytes], size: int, max_bytes: int
) -> int:
    """Feed one input chunk, appending the output to ``out``; the new output size."""
    pending = chunk
    while True:
        # Output comes in capped steps: a bomb stops one byte past the limit, and no step
        # allocates more than _STEP_BYTES (CPython's zlib assembles each result in blocks and
        # copies it once more, which would double one large step). Input arrives in small
        # chunks, so the unconsumed_tail copied at each step stays small too.
        cap = min(_STEP_BYTES, max_bytes - size + 1)
        piece = inflater.decompress(pending, cap)
        size += len(piece)
        if size > max_bytes:
            raise PayloadTooLarge(max_bytes)
        out.append(piece)
        pending = inflater.unconsumed_tail
        # A step under its cap with no input left means nothing is buffered inside.
        if inflater.eof or (not pending and len(piece) < cap):
            return size


def _wbits(coding: str, head: bytes) -> int:
    if coding == "gzip":
        return _GZIP_WBITS
    # Some clients send raw deflate (RFC 1951) for "deflate" instead of a zlib stream (1950).
    return _ZLIB_WBITS if _looks_like_zlib(head) else _RAW_DEFLATE_WBITS


def _looks_like_zlib(data: bytes) -> bool:
    """True for a zlib header (RFC 1950): deflate method and a header checksum that divides."""
    if len(data) < 2:
        return False
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
