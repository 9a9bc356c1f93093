"""``Store``: one database (DuckDB file or PostgreSQL), its schema, and its batch writer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType

import pyarrow as pa
from sqlalchemy import Connection, Engine

from llmobs_store.config import Settings
from llmobs_store.db import migrate
from llmobs_store.db.engine import create_store_engine
from llmobs_store.ingest.allocator import tune_allocator
from llmobs_store.ingest.arrow_tables import to_arrow
from llmobs_store.ingest.batch_writer import BatchWriter, CommitListener
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.override_rates import PriceOverride, load_overrides
from llmobs_store.ingest.pipeline import prepare_spans
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import LogRecord, RawSpan, Record
from llmobs_store.ingest.redaction import protect_log
from llmobs_store.ingest.sinks import sink_for


class Store:
    """The database llmobs reads and writes, opened from a URL.

    >>> with Store.open("duckdb:///llmobs.duckdb") as store:     # doctest: +SKIP
    ...     store.write([span_record])          # returns once the span is committed
    ...     with store.connect() as conn:
    ...         conn.exec_driver_sql("SELECT count(*) FROM spans").scalar()
    """

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        # Before the writer thread starts, so that it shares the arenas too.
        tune_allocator()
        # First: a bad LLMOBS_REDACT_PATTERNS entry fails here, before the writer starts.
        self._content_policy = ContentPolicy.from_settings(settings)
        self._writer = BatchWriter(
            engine,
            sink_for(engine.dialect.name),
            batch_max_rows=settings.writer_batch_max_rows,
            queue_max_rows=settings.writer_queue_max_rows,
            flush_interval_s=settings.writer_flush_interval_s,
            retry_after_s=settings.writer_retry_after_s,
            linger_s=settings.writer_linger_s,
        )
        self._pricer = Pricer()
        self.price_overrides: tuple[PriceOverride, ...] = ()
        self.reload_prices()

    @classmethod
    def open(
        cls, url: str | None = None, *, settings: Settings | None = None, upgrade: bool = True
    ) -> Store:
        """Open the database at ``url`` (default: ``LLMOBS_DATABASE_URL``).

        With ``upgrade`` (the default) a new or older database is first brought to the
        newest schema. Raises ``DatabaseLocked`` if another process holds the DuckDB file.
        """
        settings = settings or Settings.from_env()
        if url is not None:
            settings = settings.replace(database_url=url)
        engine = create_store_engine(
            settings.database_url,
            pool_size=settings.pool_size,
            duckdb_memory_limit_mb=settings.duckdb_memory_limit_mb,
            duckdb_checkpoint_mb=settings.duckdb_checkpoint_mb,
        )
        try:
            if upgrade and migrate.current_revision(engine) != migrate.head_revision():
                migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, settings)

    def reload_prices(self) -> None:
        """Read the ``model_prices`` overrides again; call after changing that table."""
        with self.engine.connect() as conn:
            self.price_overrides = tuple(load_overrides(conn))
        self._pricer = Pricer(self.price_overrides)

    @property
    def pricer(self) -> Pricer:
        """Prices spans with the bundled data and this database's overrides."""
        return self._pricer

    @property
    def content_policy(self) -> ContentPolicy:
        """How captured prompts and answers are redacted and cut (from the settings)."""
        return self._content_policy

    def submit_tables(
        self, batches: dict[str, pa.Table], *, block: bool = False, timeout: float | None = None
    ) -> Future[None]:
        """Queue rows already in their Arrow form (from ``to_arrow``, e.g. in a worker)."""
        return self._writer.submit(batches, block=block, timeout=timeout)

    def expect(self) -> AbstractContextManager[None]:
        """Announce a submission being prepared, so the writer may wait for it to batch it
        with others (``BatchWriter.expect``)."""
        return self._writer.expect()

    @property
    def dialect_name(self) -> str:
        """``duckdb`` or ``postgresql``."""
        return self.engine.dialect.name

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Call ``listener`` with the rows of every commit (see ``BatchWriter``)."""
        self._writer.add_commit_listener(listener)

    @property
    def pending_rows(self) -> int:
        """Rows accepted by ``submit`` and not yet committed."""
        return self._writer.pending_rows

    def submit(
        self, records: Iterable[Record], *, block: bool = False, timeout: float | None = None
    ) -> Future[None]:
        """Validate and queue ``records``; the future completes once they are committed.

        Raises ``IngestRejected`` (nothing queued) for a record that cannot be stored, and
        ``WriterBusy`` when the queue is full, unless ``block`` waits for room.
        """
        groups: dict[str, list[Record]] = {}
        for record in records:
            if type(record) is LogRecord:  # log entries carry prompts too (PromptLogger)
                record = protect_log(record, self._content_policy)
            groups.setdefault(record.table, []).append(record)
        batches = {name: to_arrow(name, rows) for name, rows in groups.items()}
        return self._writer.submit(batches, block=block, timeout=timeout)

    def submit_spans(
        self, spans: Iterable[RawSpan], *, block: bool = False, timeout: float | None = None
    ) -> Future[None]:
        """Normalise, price and protect ``spans`` as producers sent them, then ``submit`` them."""
        prepared = prepare_spans(spans, self._pricer, self._content_policy)
        return self.submit(prepared, block=block, timeout=timeout)

    def write(self, records: Iterable[Record], *, timeout: float | None = None) -> None:
        """Store ``records`` and return once they are committed (waits for queue room)."""
        self.submit(records, block=True, timeout=timeout).result(timeout)

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything submitted before this call is committed."""
        self._writer.submit({}, block=True, timeout=timeout).result(timeout)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A pooled connection for reading (each thread uses its own)."""
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        """Commit what is queued, stop the writer and release the database."""
        self._writer.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
