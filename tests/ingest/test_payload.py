"""Request bodies: size limits before and after decompression, gzip/deflate, media types."""

from __future__ import annotations

import gzip
import io
import time
import tracemalloc
import zlib

import pytest

from llmobs_store.errors import IngestRejected, PayloadTooLarge, UnsupportedMediaType
from llmobs_store.ingest.payload import media_type, read_body
from tests.fixture_files import OTLP_FIXTURES

FIXTURES = OTLP_FIXTURES
BODY = b"OTLP " * 1000
MiB = 1024 * 1024


def read(
    data: bytes,
    encoding: str | None = None,
    *,
    length: int | None = None,
    max_bytes: int = MiB,
) -> bytes:
    return read_body(
        io.BytesIO(data), content_encoding=encoding, content_length=length, max_bytes=max_bytes
    )


class CountingStream(io.BytesIO):
    """A stream that remembers how many bytes were asked of it."""

    bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/x-protobuf", "application/x-protobuf"),
        ("application/x-protobuf; charset=utf-8", "application/x-protobuf"),
        ("Application/JSON ;charset=UTF-8", "application/json"),
        ("  application/json  ", "application/json"),
        ("", ""),
        (None, ""),
    ],
)
def test_media_type_drops_parameters_and_case(content_type: str | None, expected: str) -> None:
    assert media_type(content_type) == expected


@pytest.mark.parametrize("encoding", [None, "", "identity", " Identity "])
def test_identity_bodies_are_returned_as_sent(encoding: str | None) -> None:
    assert read(BODY, encoding) == BODY
    assert read(BODY, encoding, length=len(BODY)) == BODY


@pytest.mark.parametrize("encoding", ["gzip", "GZIP", " gzip ", "x-gzip", "identity, gzip"])
def test_gzip_in_any_spelling(encoding: str) -> None:
    assert read(gzip.compress(BODY), encoding) == BODY


def test_multi_member_gzip_is_read_whole() -> None:
    assert read(gzip.compress(b"first ") + gzip.compress(b"second"), "gzip") == b"first second"


def test_the_gzip_fixture_inflates_to_the_protobuf_fixture() -> None:
    compressed = (FIXTURES / "traces_genai_gzip.bin").read_bytes()
    assert compressed[:2] == b"\x1f\x8b"
    body = read(compressed, "gzip", length=len(compressed))
    assert body == (FIXTURES / "traces_genai_protobuf.bin").read_bytes()


def test_deflate_accepts_a_zlib_stream_and_raw_deflate() -> None:
    assert read(zlib.compress(BODY), "deflate") == BODY
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert read(raw.compress(BODY) + raw.flush(), "Deflate") == BODY


def test_an_empty_compressed_body_is_an_empty_body() -> None:
    assert read(b"", "gzip") == b""


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "snappy"])
def test_unknown_encodings_are_unsupported(encoding: str) -> None:
    with pytest.raises(UnsupportedMediaType, match=encoding):
        read(BODY, encoding)


def test_stacked_encodings_are_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType, match="only one"):
        read(gzip.compress(gzip.compress(BODY)), "gzip, gzip")


@pytest.mark.parametrize(
    "data",
    [
        b"this is not gzip at all",
        gzip.compress(BODY)[:-12],  # truncated
        gzip.compress(BODY)[:10] + b"\x00" * 30,  # corrupt deflate data
    ],
)
def test_corrupt_gzip_is_rejected(data: bytes) -> None:
    with pytest.raises(IngestRejected, match="not valid gzip") as caught:
        read(data, "gzip")
    assert not isinstance(caught.value, PayloadTooLarge)


def test_trailing_garbage_after_gzip_is_rejected() -> None:
    with pytest.raises(IngestRejected, match="not valid gzip"):
        read(gzip.compress(BODY) + b"junk that is no gzip member", "gzip")


@pytest.mark.parametrize("data", [zlib.compress(BODY)[:-8], zlib.compress(BODY) + b"more", b"\x78"])
def test_corrupt_deflate_is_rejected(data: bytes) -> None:
    with pytest.raises(IngestRejected, match="not valid deflate"):
        read(data, "deflate")


def test_bodies_arriving_a_byte_at_a_time_inflate() -> None:
    class Trickle(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            return super().read(1)

    for data, encoding in ((zlib.compress(BODY), "deflate"), (gzip.compress(BODY) * 2, "gzip")):
        body = read_body(
            Trickle(data), content_encoding=encoding, content_length=None, max_bytes=MiB
        )
        assert body == BODY * (2 if encoding == "gzip" else 1)


def test_a_content_length_over_the_limit_is_refused_before_reading() -> None:
    stream = CountingStream(BODY)
    with pytest.raises(PayloadTooLarge) as caught:
        read_body(stream, content_encoding=None, content_length=MiB + 1, max_bytes=MiB)
    assert stream.bytes_read == 0
    assert caught.value.limit_bytes == MiB


def test_a_body_over_the_limit_without_content_length_is_refused() -> None:
    with pytest.raises(PayloadTooLarge):
        read(b"x" * (MiB + 1))
    assert read(b"x" * MiB) == b"x" * MiB


def test_a_compressed_body_over_the_limit_is_refused() -> None:
    incompressible = bytes(range(256)) * 4096  # 1 MiB that gzip cannot shrink much
    compressed = gzip.compress(incompressible)
    with pytest.raises(PayloadTooLarge):
        read(compressed, "gzip", max_bytes=len(compressed) - 1)


def test_the_decompressed_size_is_limited() -> None:
    compressed = gzip.compress(b"\0" * (MiB + 1))
    assert len(compressed) < MiB
    with pytest.raises(PayloadTooLarge):
        read(compressed, "gzip")
    assert read(gzip.compress(b"\0" * MiB), "gzip") == b"\0" * MiB


def test_nothing_is_read_past_content_length() -> None:
    stream = CountingStream(BODY + b"next request")
    body = read_body(stream, content_encoding=None, content_length=len(BODY), max_bytes=MiB)
    assert body == BODY
    assert stream.bytes_read == len(BODY)


def test_a_body_shorter_than_its_content_length_is_rejected() -> None:
    with pytest.raises(IngestRejected, match="ended after 5 of the 10 bytes"):
        read(b"12345", length=10)


def _gzip_bomb(decompressed_mib: int) -> bytes:
    """A valid gzip of ``decompressed_mib`` MiB of zeros, built without compressing them all.

    After a full flush a deflate stream forgets its history, so every further MiB of zeros
    compresses to the same block: it is made once and repeated (0.1 s instead of 3 s).
    """
    zeros = bytes(MiB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH) == block
    crc = 0
    for _ in range(decompressed_mib):
        crc = zlib.crc32(zeros, crc)
    size = decompressed_mib * MiB
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little")
    body = first + block * (decompressed_mib - 1) + deflate.flush()
    return header + body + trailer


def test_the_bomb_is_a_valid_gzip() -> None:
    assert gzip.decompress(_gzip_bomb(3)) == bytes(3 * MiB)


def test_a_gzip_bomb_stops_at_the_limit_quickly_and_small() -> None:
    bomb = _gzip_bomb(1024)  # 1 GiB of zeros, about 1 MiB compressed
    assert len(bomb) < 2 * MiB
    limit = 8 * MiB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PayloadTooLarge):
            read(bomb, "gzip", max_bytes=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    # The output up to the limit, and little else: the input is streamed in 64 KiB chunks.
    assert peak < limit + MiB, peak
    assert elapsed < 2.0
