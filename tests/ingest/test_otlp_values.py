"""AnyValue ↔ Python values, and unix nanoseconds ↔ datetimes exact to the microsecond."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from llmobs_store.ingest.otlp_values import (
    attributes_dict,
    datetime_from_nanos,
    fill_any_value,
    id_bytes,
    nanos_from_datetime,
    optional_datetime_from_nanos,
    python_value,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _round_trip(value: Any) -> Any:
    target = AnyValue()
    fill_any_value(target, value)
    return python_value(AnyValue.FromString(target.SerializeToString()))


@pytest.mark.parametrize(
    "value",
    ["", "é✓", 0, -1, 2**63 - 1, -(2**63), 0.0, -2.5, True, False, None, [], {}, [None, [1]],
     {"a": {"b": [True, 1.5, "x"]}}],
)  # fmt: skip
def test_python_values_survive_the_wire(value: Any) -> None:
    result = _round_trip(value)
    assert (type(result), result) == (type(value), value)


def test_values_any_value_cannot_hold_are_sent_as_text() -> None:
    assert _round_trip(2**64) == str(2**64)
    assert _round_trip(Decimal("1.5")) == "1.5"
    assert _round_trip((1, "a")) == [1, "a"]


def test_bytes_come_back_as_base64_text() -> None:
    assert _round_trip(b"\x00\x01\x02") == "AAEC"
    assert python_value(AnyValue(bytes_value=b"")) == ""


def test_unset_and_profile_only_values_are_none() -> None:
    assert python_value(AnyValue()) is None
    assert python_value(AnyValue(string_value_strindex=4)) is None


def test_attributes_keep_the_last_of_a_repeated_key() -> None:
    key_values = [
        KeyValue(key="k", value=AnyValue(int_value=1)),
        KeyValue(key="x", value=AnyValue(double_value=0.5)),
        KeyValue(key="k", value=AnyValue(bool_value=True)),
    ]
    assert attributes_dict(key_values) == {"k": True, "x": 0.5}


def test_nanos_become_utc_datetimes_exact_to_the_microsecond() -> None:
    rng = random.Random(7)
    # Over the whole fixed64 range (1970–2554), densest where telemetry lives, with many
    # values at the end of a second and around 2**32 s, where the fast path stops.
    samples = [rng.randrange(0, 2**64) for _ in range(5_000)]
    samples += [rng.randrange(0, 2**32 * 10**9) for _ in range(20_000)]
    samples += [2**32 * 10**9 + rng.randrange(-(10**12), 10**12) for _ in range(2_000)]
    samples += [s // 10**9 * 10**9 + 999_999_999 for s in samples[:2000]]
    samples += [0, 1, 999, 1000, 2**64 - 1]
    for nanos in samples:
        expected = EPOCH + timedelta(microseconds=nanos // 1000)
        assert datetime_from_nanos(nanos) == expected, nanos
    assert datetime_from_nanos(1_736_935_200_005_000_999).tzinfo is UTC


def test_datetimes_become_nanos() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert nanos_from_datetime(moment) == 1_767_323_045_678_901_000
    assert nanos_from_datetime(moment.replace(tzinfo=None)) == 1_767_323_045_678_901_000
    assert datetime_from_nanos(nanos_from_datetime(moment)) == moment


def test_zero_is_unset() -> None:
    assert optional_datetime_from_nanos(0) is None
    assert optional_datetime_from_nanos(1000) == EPOCH + timedelta(microseconds=1)


def test_ids_go_to_bytes() -> None:
    assert id_bytes(None) == id_bytes("") == b""
    assert id_bytes("00f067aa0ba90201") == bytes.fromhex("00f067aa0ba90201")
