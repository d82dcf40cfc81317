from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics import sql
from analytics.errors import QueryError
from analytics.settings import load_settings


def test_lakehouse_from_environment(tmp_path):
    s = load_settings({"SCALEBOARD_LAKEHOUSE": str(tmp_path / "lh"), "SCALEBOARD_DISCOUNT_RATE": "0.1"})
    assert s.lakehouse == (tmp_path / "lh").resolve() and s.discount_rate == 0.1


def test_default_lakehouse_is_data_lakehouse():
    assert load_settings({}).lakehouse.parts[-2:] == ("data", "lakehouse")


def test_unknown_override_fails_fast():
    with pytest.raises(ValueError, match="Unknown setting"):
        load_settings({}, nope=1)


def test_every_sql_file_states_its_grain_and_ends_with_final():
    for name in sql.names():
        text = sql._index()[name].read_text()
        assert text.lstrip().startswith("-- grain:"), name
        assert "select * from final" in text.strip().splitlines()[-1], name


def test_values_are_bound_not_formatted():
    con = duckdb.connect()
    evil = "x'); drop table t; --"
    got = sql.query(con, "select $value as v", name="t", value=evil)
    assert got["v"].to_list() == [evil]


def test_only_mentioned_parameters_are_bound():
    con = duckdb.connect()
    # $team is mentioned, $teams is not: binding must not confuse the two
    got = sql.query(con, "select $team as v", team="a", teams=["b"])
    assert got["v"].to_list() == ["a"]


def test_query_error_names_the_query():
    with pytest.raises(QueryError, match="Query 'broken' failed"):
        sql.query(duckdb.connect(), "select * from no_such_table", name="broken")


def test_include_inlines_another_query():
    text = sql.load("model_monthly_value")
    assert "QUERY_" not in text and "row_number()" in text


def test_unknown_query_name():
    with pytest.raises(QueryError, match="no such SQL file"):
        sql.load("does_not_exist")


def test_sql_dir_has_no_duplicate_stems():
    stems = [p.stem for p in Path(sql.SQL_DIR).rglob("*.sql")]
    assert len(stems) == len(set(stems))
