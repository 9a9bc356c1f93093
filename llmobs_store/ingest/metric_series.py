"""How metric points join their series: a cumulative point replaces, a delta point adds.

Exporters re-send cumulative sums and histograms in every export (several libraries flush twice
at shutdown), so a cumulative point replaces the stored point of the same series and start time
instead of being added to it; only the newest value of an interval is kept.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, TableClause, and_, delete, exists, insert, select

from llmobs_store.db.models import MetricPoint

POINTS: Table = MetricPoint.__table__  # type: ignore[assignment]


def latest_cumulative(points: pa.Table) -> pa.Table:
    """``points`` with only the newest cumulative point per (series, start time)."""
    cumulative = pc.equal(points["temporality"], "cumulative").fill_null(False)
    if not pc.any(cumulative).as_py():
        return points
    rows = points.append_column("_row", pa.array(range(points.num_rows), pa.int64()))
    ordered = rows.filter(cumulative).sort_by([("time", "ascending"), ("_row", "ascending")])
    newest = ordered.group_by(["series_key", "start_time"], use_threads=False).aggregate(
        [("_row", "last")]
    )
    keep = pc.or_(pc.invert(cumulative), pc.is_in(rows["_row"], value_set=newest["_row_last"]))
    return points.filter(keep)


def write_points(conn: Connection, source: TableClause, columns: list[str]) -> None:
    """Insert the points of ``source`` into ``metric_points``, replacing re-sent cumulatives."""
    same_interval = and_(
        POINTS.c.series_key == source.c.series_key,
        POINTS.c.start_time == source.c.start_time,
        POINTS.c.temporality == "cumulative",
        source.c.temporality == "cumulative",
    )
    conn.execute(
        delete(POINTS).where(exists().where(same_interval, source.c.time >= POINTS.c.time))
    )
    # An older re-send arriving after a newer point is dropped, not stored beside it.
    stale = exists().where(same_interval, POINTS.c.time > source.c.time)
    rows = select(*[source.c[n] for n in columns]).where(~stale)
    conn.execute(insert(POINTS).from_select(columns, rows))
