"""The :named parameters of a query, as the runner will ask for them."""

from __future__ import annotations

from llmobs_store.sql.parameters import parameter_names, parameter_values


def test_names_in_order_of_first_use_without_casts() -> None:
    sql = "SELECT x::text FROM t WHERE a = :model AND b > :since AND c = :model"
    assert parameter_names(sql) == ["model", "since"]
    assert parameter_names("SELECT 1") == []


def test_values_only_once_every_parameter_is_given() -> None:
    sql = "SELECT * FROM spans WHERE model = :model AND user_id = :user"
    assert parameter_values(sql, {"model": "m"}) is None
    assert parameter_values(sql, {"model": "m", "user": "", "extra": "x"}) == {
        "model": "m",
        "user": "",
    }
