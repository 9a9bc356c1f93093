"""The worker process side of ``TracePreparationPool``: request bodies in, span tables out.

A worker reads frames from stdin and answers each on stdout. It imports only what preparing
spans needs (protobuf, orjson): not pyarrow, genai-prices, SQLAlchemy, a database driver or
Flask, as its memory counts against the server's. The serving process prices the spans and
builds the Arrow table.

Frames are a 4-byte big-endian length and that many bytes. The first frame is the pickled
``WorkerConfig``; then each request is two frames, the media type and the raw body, and is
answered by one pickled ``PreparedColumns`` (prices are added by the serving process) or
``("rejected", exception class name, message, field)``.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from typing import IO, Any, NamedTuple

from llmobs_store.errors import IngestRejected
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.redactors import RegexRedactor
from llmobs_store.ingest.span_columns import prepare_columns

LENGTH = struct.Struct(">I")


class WorkerConfig(NamedTuple):
    """What a worker needs from the serving process's settings."""

    capture_content: bool
    max_content_chars: int
    redact_patterns: tuple[str, ...]


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    """One length-prefixed frame."""
    stream.write(LENGTH.pack(len(payload)))
    stream.write(payload)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the stream."""
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (size,) = LENGTH.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def serve(inbound: IO[bytes], outbound: IO[bytes]) -> None:
    """Answer requests until ``inbound`` ends."""
    first = read_frame(inbound)
    if first is None:
        return
    config: WorkerConfig = pickle.loads(first)
    policy = ContentPolicy(
        capture=config.capture_content,
        max_chars=config.max_content_chars,
        redactor=RegexRedactor(config.redact_patterns),
    )
    while True:
        header = read_frame(inbound)
        body = read_frame(inbound)
        if header is None or body is None:
            return
        answer: Any
        try:
            answer = tuple(prepare_columns(body, header.decode(), policy))
        except IngestRejected as exc:
            answer = ("rejected", type(exc).__name__, str(exc), exc.field)
        write_frame(outbound, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        outbound.flush()


def main() -> None:
    """Serve on stdin/stdout; anything printed goes to stderr, away from the frames."""
    # Ctrl+C reaches the whole process group: the serving process stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    outbound = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, outbound)


if __name__ == "__main__":
    main()
