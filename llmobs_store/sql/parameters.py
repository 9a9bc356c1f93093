"""The ``:named`` parameters of an ad-hoc query, found as the runner's SQLAlchemy finds them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import text


def parameter_names(sql: str) -> list[str]:
    """The names of ``sql``'s ``:named`` parameters, in order of first use.

    >>> parameter_names("SELECT * FROM spans WHERE model = :model AND user_id = :user")
    ['model', 'user']
    """
    # The same parse the runner's text() makes, so the fields match what it will ask for;
    # "::" casts and ":name" inside a string literal are treated the same way.
    return list(text(sql).compile().params)


def parameter_values(sql: str, given: Mapping[str, str]) -> dict[str, str] | None:
    """The values of every parameter of ``sql`` from ``given``; None while one is missing.

    Values stay strings: both databases cast a string parameter to the column's type.
    """
    names = parameter_names(sql)
    if any(name not in given for name in names):
        return None
    return {name: given[name] for name in names}
