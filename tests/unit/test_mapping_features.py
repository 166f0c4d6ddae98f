"""Mapping files that describe real exports: one file feeding several streams, a filter per
stream, fallback columns, per-column formats, ids hashed from columns, streams derived from the
distinct values of another file's column, constants."""

from __future__ import annotations

import pytest

from revgen.contract import stream
from revgen.errors import ConfigError, InputError
from revgen.sources.files.mapping import load_mapping
from revgen.sources.files.reader import files_for, read_records

PIPELINE = (
    "opportunity_id,sales_agent,account,deal_stage,engage_date,close_date,close_value\n"
    "O1,Ann Lee,Acme,Won,2016-10-20,2017-03-01,1054\n"
    "O2,Bo Chan,,Engaging,2016-11-02,,\n"
    "O3,Ann Lee,Acme,Prospecting,,,\n"
    "O4,Bo Chan,Initech,Lost,2016-12-01,2017-01-05,0\n"
)

MAPPING = """
streams:
  users:
    files: pipeline.csv
    distinct: true
    columns: {user_id: sales_agent, name: sales_agent}
    defaults: {role: ae, team: sales, is_active: "true"}
  leads:
    files: pipeline.csv
    columns:
      lead_id: opportunity_id
      owner_id: sales_agent
      created_at: [engage_date, close_date]
      updated_at: [close_date, engage_date]
    defaults: {status: working, created_at: "2017-12-31", updated_at: "2017-12-31"}
  opportunities:
    files: pipeline.csv
    where: {deal_stage: [Won, Lost]}
    columns:
      opportunity_id: opportunity_id
      lead_id: opportunity_id
      stage: deal_stage
      amount: close_value
      created_at: engage_date
      closed_at: close_date
  lead_history:
    files: pipeline.csv
    ids: {history_id: [opportunity_id, deal_stage]}
    columns: {lead_id: opportunity_id, new_value: deal_stage, changed_at: [close_date, engage_date]}
    defaults: {field: status, changed_at: "2017-12-31"}
"""


@pytest.fixture
def landing(tmp_path):
    (tmp_path / "pipeline.csv").write_text(PIPELINE)
    (tmp_path / "mapping.yml").write_text(MAPPING)
    return tmp_path, load_mapping(tmp_path, "crm")


def _records(folder, mapping, name):
    target = stream("crm", name)
    stream_mapping = mapping.for_stream(target)
    (path,) = files_for(folder, target, stream_mapping)
    return target, list(read_records(path, target, stream_mapping))


def test_one_file_feeds_several_streams_each_with_its_own_columns(landing):
    folder, mapping = landing
    target, leads = _records(folder, mapping, "leads")
    assert [r.values[target.column_names.index("lead_id")] for r in leads] == [
        "O1",
        "O2",
        "O3",
        "O4",
    ]
    _, opportunities = _records(folder, mapping, "opportunities")
    assert len(opportunities) == 2


def test_a_filter_keeps_only_the_rows_whose_column_holds_the_given_values(landing):
    folder, mapping = landing
    target, records = _records(folder, mapping, "opportunities")
    stages = [r.values[target.column_names.index("stage")] for r in records]
    assert stages == ["Won", "Lost"]
    assert [r.line for r in records] == [2, 5]  # line numbers of the file, for rejects


def test_the_first_non_empty_of_several_columns_gives_the_value_else_the_constant(landing):
    folder, mapping = landing
    target, leads = _records(folder, mapping, "leads")
    created = [r.values[target.column_names.index("created_at")] for r in leads]
    updated = [r.values[target.column_names.index("updated_at")] for r in leads]

    def utc(day: str) -> str:
        return f"{day}T00:00:00+00:00"

    assert created == [utc(d) for d in ("2016-10-20", "2016-11-02", "2017-12-31", "2016-12-01")]
    assert updated == [utc(d) for d in ("2017-03-01", "2016-11-02", "2017-12-31", "2017-01-05")]
    assert {r.values[target.column_names.index("status")] for r in leads} == {"working"}


def test_a_derived_stream_keeps_one_row_per_distinct_key(landing):
    folder, mapping = landing
    target, users = _records(folder, mapping, "users")
    assert [r.values[target.column_names.index("user_id")] for r in users] == [
        "Ann Lee",
        "Bo Chan",
    ]
    assert users[0].values[target.column_names.index("team")] == "sales"


def test_ids_hashed_from_columns_are_stable_and_distinct(landing, tmp_path):
    folder, mapping = landing
    target, first = _records(folder, mapping, "lead_history")
    _, again = _records(folder, mapping, "lead_history")
    position = target.column_names.index("history_id")
    ids = [r.values[position] for r in first]
    assert ids == [r.values[position] for r in again]
    assert len(set(ids)) == len(ids) == 4 and all(len(i) == 24 for i in ids)


def test_a_column_read_by_ids_or_where_missing_from_the_header_names_the_file(tmp_path):
    (tmp_path / "pipeline.csv").write_text("opportunity_id,sales_agent\nO1,Ann\n")
    (tmp_path / "mapping.yml").write_text(MAPPING)
    mapping = load_mapping(tmp_path, "crm")
    for name, missing in (
        ("opportunities", "'deal_stage' (read by `where`)"),
        ("lead_history", "history_id"),
    ):
        target = stream("crm", name)
        (path,) = files_for(tmp_path, target, mapping.for_stream(target))
        with pytest.raises(InputError) as err:
            list(read_records(path, target, mapping.for_stream(target)))
        assert str(path) in str(err.value) and missing in str(err.value)


def test_a_per_column_format_reads_a_year(tmp_path):
    (tmp_path / "accounts.csv").write_text("account,sector,year_established\nAcme,retail,1996\n")
    (tmp_path / "mapping.yml").write_text(
        "streams:\n  accounts:\n    columns: {account_id: account, name: account, "
        "industry: sector, created_at: year_established}\n"
        '    formats: {created_at: "%Y"}\n'
    )
    mapping = load_mapping(tmp_path, "crm")
    target = stream("crm", "accounts")
    (record,) = read_records(tmp_path / "accounts.csv", target, mapping.for_stream(target))
    assert record.values[target.column_names.index("created_at")] == "1996-01-01T00:00:00+00:00"


def test_a_mapping_that_is_a_yaml_list_fails_in_one_sentence(tmp_path):
    (tmp_path / "mapping.yml").write_text("- streams\n- leads\n")
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path, "crm")
    assert str(tmp_path / "mapping.yml") in str(err.value) and "streams:" in str(err.value)


def test_a_mapping_naming_an_unknown_contract_column_is_refused(tmp_path):
    (tmp_path / "mapping.yml").write_text("streams:\n  leads:\n    ids: {row_key: [a, b]}\n")
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path, "crm")
    assert "streams.leads.ids: row_key are not columns of raw_crm.leads" in str(err.value)
