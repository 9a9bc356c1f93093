"""The global filters read from the query string, and how they go back into links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webui.params import filters_from_args, parse_moment

NOW = datetime(2026, 3, 10, 12, 30, 15, tzinfo=UTC)


def test_the_default_is_the_last_24_hours_of_every_service() -> None:
    filters = filters_from_args({}, now=NOW)
    assert (filters.since, filters.until) == (NOW - timedelta(hours=24), NOW)
    assert filters.range_key == "24h" and filters.service is None
    assert filters.query_args() == {"range": "24h"}
    assert filters.label == "Last 24 hours"


def test_named_ranges_and_a_service() -> None:
    filters = filters_from_args({"range": "7d", "service": " api "}, now=NOW)
    assert filters.since == NOW - timedelta(days=7)
    assert filters.service == "api"
    assert filters.query_args() == {"range": "7d", "service": "api"}
    assert filters_from_args({"range": "1h"}, now=NOW).since == NOW - timedelta(hours=1)
    assert filters_from_args({"range": "30d"}, now=NOW).since == NOW - timedelta(days=30)


def test_a_custom_range_is_read_as_utc_and_kept_in_links() -> None:
    args = {"range": "custom", "since": "2026-03-01T08:00", "until": "2026-03-02T08:00+01:00"}
    filters = filters_from_args(args, now=NOW)
    assert filters.since == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert filters.until == datetime(2026, 3, 2, 7, tzinfo=UTC)
    assert filters.query_args() == {
        "range": "custom",
        "since": "2026-03-01T08:00:00+00:00",
        "until": "2026-03-02T07:00:00+00:00",
    }
    assert filters_from_args(filters.query_args(), now=NOW) == filters
    assert filters.label == "2026-03-01 08:00 – 2026-03-02 07:00"


def test_broken_values_fall_back_to_the_default() -> None:
    for args in [
        {"range": "3y"},
        {"range": "custom", "since": "yesterday"},
        {"range": "custom", "since": "2026-03-05", "until": "2026-03-01"},
    ]:
        filters = filters_from_args(args, now=NOW)
        assert filters.range_key == "24h", args
        assert filters.until == NOW
    only_since = filters_from_args({"range": "custom", "since": "2026-03-09"}, now=NOW)
    assert (only_since.since, only_since.until) == (datetime(2026, 3, 9, tzinfo=UTC), NOW)


def test_parse_moment() -> None:
    assert parse_moment("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_moment("2026-03-01 10:00Z") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_moment("") is None and parse_moment(None) is None
