"""Defects an adversarial pass found in the loaders: a NUL byte, COPY's end-of-data marker, values
that do not read the way the mapping says, and words PostgreSQL reads as data. Each bad value
rejects its own row, with its reason and field; everything else loads; counts reconcile."""

from __future__ import annotations

from pathlib import Path

import pytest

from revgen.contract import stream
from tests.helpers import rows

USERS = "user_id,name,role,team,is_active\nU1,Sam,ae,sales,true\n"
LEADS_HEADER = "lead_id,status,owner_id,created_at,updated_at\n"


def _load(url: str, folder: Path, source: str = "crm"):
    from revgen.load.run import load_source

    return load_source(url, source, folder)


def _rejects(url: str) -> dict[str, tuple[str, str]]:
    return {
        key: (field, reason)
        for key, field, reason in rows(
            url, "select record_key, field, reason from revgen_meta.rejects"
        )
    }


def _crm(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "users.csv").write_text(USERS)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def test_a_nul_byte_rejects_its_row_on_the_direct_and_the_checked_path(empty_warehouse, tmp_path):
    lead = "2026-03-01T10:00:00Z"
    folder = _crm(
        tmp_path,
        {
            # contract-shaped: the direct COPY would take it, then fail on the NUL
            "leads.csv": (
                LEADS_HEADER
                + f"L1,new,U1,{lead},{lead}\nL2,ne\x00w,U1,{lead},{lead}\nL3,new,U1,{lead},{lead}\n"
            ).encode()
        },
    )
    results = _load(empty_warehouse, folder)
    leads = next(r for r in results if r.stream == "leads")
    assert (leads.rows_read, leads.rows_loaded, leads.rows_rejected) == (3, 2, 1)
    assert _rejects(empty_warehouse) == {"L2": ("status", "invalid_character")}
    assert rows(empty_warehouse, "select lead_id from raw_crm.leads order by 1") == [
        ("L1",),
        ("L3",),
    ]


def test_a_nul_byte_in_an_api_record_rejects_that_record_and_the_batch_loads(empty_warehouse):
    from revgen.db import connect
    from revgen.load.copy import load_records
    from revgen.load.schema import ensure_schema
    from revgen.records import Record

    users = stream("crm", "users")
    records = [
        Record(1, ("U1", "Sam", None, "ae", "sales", "true", None, None, None, None)),
        Record(2, ("U2", "Al\x00ex", None, "ae", "sales", "true", None, None, None, None)),
    ]
    with connect(empty_warehouse, autocommit=True) as conn:
        ensure_schema(conn)
        result = load_records(conn, users, records, "salesforce:User", "chunk-1", origin="api")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert _rejects(empty_warehouse) == {"U2": ("name", "invalid_character")}


def test_an_end_of_data_line_loses_no_row_after_it(empty_warehouse, tmp_path):
    lead = "2026-03-01T10:00:00Z"
    folder = _crm(
        tmp_path,
        {"leads.csv": LEADS_HEADER + f"L1,new,U1,{lead},{lead}\n\\.\nL3,new,U1,{lead},{lead}\n"},
    )
    results = _load(empty_warehouse, folder)
    leads = next(r for r in results if r.stream == "leads")
    assert (leads.rows_read, leads.rows_loaded, leads.rows_rejected) == (3, 2, 1)
    assert rows(empty_warehouse, "select lead_id from raw_crm.leads order by 1") == [
        ("L1",),
        ("L3",),
    ]
    assert rows(empty_warehouse, "select line, reason from revgen_meta.rejects") == [
        (3, "wrong_field_count")
    ]


@pytest.mark.parametrize("direct", [True, False], ids=["direct COPY", "checked path"])
def test_words_postgresql_reads_as_values_are_rejected_not_loaded(
    empty_warehouse, tmp_path, direct
):
    ok = "2026-03-01T10:00:00Z"
    body = (
        f"L1,new,U1,{ok},{ok}\nL2,new,U1,yesterday,{ok}\nL3,new,U1,{ok},now\n"
        f"L4,new,U1,Infinity,{ok}\nL5,new,U1,{ok},{ok}\n"
    )
    # a column the contract does not know sends the file to the checked path
    header = LEADS_HEADER if direct else LEADS_HEADER.replace("\n", ",note\n")
    if not direct:
        body = "".join(line + ",x\n" for line in body.splitlines())
    folder = _crm(tmp_path, {"leads.csv": header + body})
    _load(empty_warehouse, folder)
    assert _rejects(empty_warehouse) == {
        "L2": ("created_at", "invalid_timestamp"),
        "L3": ("updated_at", "invalid_timestamp"),
        "L4": ("created_at", "invalid_timestamp"),
    }
    assert rows(empty_warehouse, "select lead_id from raw_crm.leads order by 1") == [
        ("L1",),
        ("L5",),
    ]


def test_nan_and_infinity_are_not_money(empty_warehouse, tmp_path):
    folder = tmp_path / "marketing"
    folder.mkdir()
    (folder / "campaigns.csv").write_text(
        "campaign_id,name,channel,started_on\nC1,Spring,email,2026-01-01\n"
    )
    (folder / "campaign_spend.csv").write_text(
        "campaign_id,spend_date,amount,currency\n"
        "C1,2026-01-02,10.50,USD\nC1,2026-01-03,NaN,USD\nC1,2026-01-04,infinity,USD\n"
    )
    _load(empty_warehouse, folder, "marketing")
    reasons = rows(
        empty_warehouse, "select line, field, reason from revgen_meta.rejects order by 1"
    )
    assert reasons == [(3, "amount", "invalid_numeric"), (4, "amount", "invalid_numeric")]
    assert rows(empty_warehouse, "select sum(amount)::text from raw_marketing.campaign_spend") == [
        ("10.50",)
    ]


def test_a_value_that_does_not_match_the_mapping_is_rejected_and_the_zone_applies_to_iso(
    empty_warehouse, tmp_path
):
    folder = _crm(
        tmp_path,
        {
            "leads.csv": LEADS_HEADER
            + "L1,new,U1,04-03-2018 10:00,2018-03-04T10:00:00\n"  # as the format says; ISO
            + "L2,new,U1,04/03/2018 10:00,2018-03-04T10:00:00\n",  # not as the format says
            "mapping.yml": (
                "streams:\n  leads:\n"
                '    timestamp_format: "%d-%m-%Y %H:%M"\n'
                "    formats: {updated_at: '%Y-%m-%dT%H:%M:%S'}\n"
                "    timezone: Asia/Jerusalem\n"
            ),
        },
    )
    _load(empty_warehouse, folder)
    assert rows(
        empty_warehouse, "select record_key, field, value, reason from revgen_meta.rejects"
    ) == [("L2", "created_at", "04/03/2018 10:00", "invalid_timestamp")]
    assert rows(
        empty_warehouse,
        "select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') from raw_crm.leads",
    ) == [("2018-03-04 08:00",)]  # 10:00 in Jerusalem (UTC+2), day first


def test_iso_timestamps_without_an_offset_take_the_mappings_zone(empty_warehouse, tmp_path):
    folder = _crm(
        tmp_path,
        {
            "leads.csv": LEADS_HEADER + "L1,new,U1,2018-07-04T10:00:00,2018-07-04 10:00\n",
            "mapping.yml": "streams:\n  leads:\n    timezone: Asia/Jerusalem\n",
        },
    )
    _load(empty_warehouse, folder)
    assert rows(
        empty_warehouse,
        "select to_char(created_at at time zone 'UTC', 'HH24:MI'), "
        "to_char(updated_at at time zone 'UTC', 'HH24:MI') from raw_crm.leads",
    ) == [("07:00", "07:00")]  # UTC+3 in summer


def test_a_decimal_comma_mapping_rejects_a_number_written_with_a_decimal_point(
    empty_warehouse, tmp_path
):
    folder = _crm(
        tmp_path,
        {
            "users.csv": USERS.replace("is_active\n", "is_active,annual_revenue_target\n").replace(
                "true\n", 'true,"1.234,50"\n'
            )
            + "U2,Al,ae,sales,true,1234.50\n",
            "mapping.yml": "streams:\n  users:\n    decimal_comma: true\n",
        },
    )
    _load(empty_warehouse, folder)
    assert rows(
        empty_warehouse, "select user_id, annual_revenue_target::text from raw_crm.users"
    ) == [("U1", "1234.50")]
    assert rows(
        empty_warehouse, "select record_key, field, value, reason from revgen_meta.rejects"
    ) == [("U2", "annual_revenue_target", "1234.50", "invalid_numeric")]


@pytest.mark.parametrize("glob", ["../outside/*.csv", "/etc/*", "sub/../../x.csv"])
def test_a_mapping_glob_that_leaves_the_landing_folder_is_refused_in_one_sentence(tmp_path, glob):
    from revgen.errors import ConfigError
    from revgen.sources.files.mapping import load_mapping

    (tmp_path / "mapping.yml").write_text(f"streams:\n  users:\n    files: '{glob}'\n")
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path, "crm")
    assert "reaches outside the landing folder" in str(err.value)
    assert str(tmp_path / "mapping.yml") in str(err.value)


def test_a_link_out_of_the_landing_folder_is_never_read(empty_warehouse, tmp_path):
    secret = tmp_path / "elsewhere" / "users.csv"
    secret.parent.mkdir()
    secret.write_text(USERS.replace("U1,Sam", "ROOT,secret"))
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "users.csv").symlink_to(secret)
    (folder / "mapping.yml").write_text("streams:\n  leads:\n    files: '*.csv'\n")
    _load(empty_warehouse, folder)
    assert rows(empty_warehouse, "select count(*) from raw_crm.users") == [(0,)]
    assert rows(empty_warehouse, "select count(*) from revgen_meta.load_runs") == [(0,)]


def test_a_header_naming_a_used_column_twice_is_refused_and_the_other_files_load(
    empty_warehouse, tmp_path
):
    from revgen.errors import InputError

    lead = "2026-03-01T10:00:00Z"
    folder = _crm(
        tmp_path,
        {"leads.csv": LEADS_HEADER.replace("owner_id", "status") + f"L1,new,U1,{lead},{lead}\n"},
    )
    with pytest.raises(InputError) as err:
        _load(empty_warehouse, folder)
    assert "leads.csv" in str(err.value) and "'status' more than once" in str(err.value)
    assert rows(empty_warehouse, "select count(*) from raw_crm.users") == [(1,)]


def test_a_key_written_twice_in_a_mapping_is_refused_naming_it(tmp_path):
    from revgen.errors import ConfigError
    from revgen.sources.files.mapping import load_mapping

    (tmp_path / "mapping.yml").write_text(
        "streams:\n  leads:\n    columns:\n      status: Lead Status\n      status: Stage\n"
    )
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path, "crm")
    assert "the key 'status' is written twice" in str(err.value)


def test_an_export_identical_to_an_older_one_still_updates_state(empty_warehouse, tmp_path):
    """A rep deactivated, then reactivated: the third export is byte-identical to the first."""
    folder = tmp_path / "crm"
    folder.mkdir()
    active, inactive = USERS, USERS.replace("true", "false")
    for content, expected in ((active, True), (inactive, False), (active, True)):
        (folder / "users.csv").write_text(content)
        _load(empty_warehouse, folder)
        assert rows(empty_warehouse, "select is_active from raw_crm.users") == [(expected,)]
    _load(empty_warehouse, folder)  # the same file again: skipped, not reloaded
    assert rows(empty_warehouse, "select count(*) from revgen_meta.load_runs") == [(3,)]


def test_a_late_older_file_never_overwrites_a_newer_record(empty_warehouse, tmp_path):
    folder = _crm(
        tmp_path,
        {
            "leads-2026-03-02.csv": LEADS_HEADER
            + "L1,working,U1,2026-03-01T10:00:00Z,2026-03-02T10:00:00Z\n",
        },
    )
    _load(empty_warehouse, folder)
    (folder / "leads-2026-03-01.csv").write_text(
        LEADS_HEADER
        + "L1,new,U1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z\n"
        + "L2,new,U1,2026-03-01T11:00:00Z,2026-03-01T11:00:00Z\n"
    )
    _load(empty_warehouse, folder)  # arrives late, holds an older version of L1 and a new L2
    assert rows(empty_warehouse, "select lead_id, status from raw_crm.leads order by 1") == [
        ("L1", "working"),
        ("L2", "new"),
    ]


def test_two_loads_of_the_same_files_at_once_load_each_file_once(empty_warehouse, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    lead = "2026-03-01T10:00:00Z"
    folder = _crm(
        tmp_path,
        {
            f"leads-2026-03-0{day}.csv": LEADS_HEADER + f"L{day},new,U1,{lead},{lead}\n"
            for day in range(1, 6)
        },
    )
    (folder / "mapping.yml").write_text("streams:\n  users:\n    delimiter: ','\n")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: _load(empty_warehouse, folder), range(2)))
    runs = rows(
        empty_warehouse,
        "select file_name, count(*) from revgen_meta.load_runs group by 1 having count(*) > 1",
    )
    assert runs == []
    assert rows(empty_warehouse, "select count(*) from raw_crm.leads") == [(5,)]


def test_a_record_missing_from_a_later_full_export_is_deleted_and_back_when_it_returns(
    empty_warehouse, tmp_path, monkeypatch
):
    from revgen.dbt import run_dbt

    policy = tmp_path / "policy.yml"
    policy.write_text("evidence: {lead: [crm_lead]}\n")
    monkeypatch.setenv("REVGEN_POLICY", str(policy))
    lead = "2026-03-01T10:00:00Z"
    both = LEADS_HEADER + f"L1,new,U1,{lead},{lead}\nL2,new,U1,{lead},{lead}\n"
    folder = _crm(
        tmp_path,
        {"leads.csv": both, "mapping.yml": "streams:\n  leads:\n    full_export: true\n"},
    )

    def people() -> list[str]:
        run_dbt(
            empty_warehouse,
            ["build", "--select", "+dim_people", "--indirect-selection", "cautious"],
            as_of="2026-03-02T00:00:00Z",
        )
        return [
            p for (p,) in rows(empty_warehouse, "select person_id from marts.dim_people order by 1")
        ]

    _load(empty_warehouse, folder)
    assert people() == ["lead:L1", "lead:L2"]

    (folder / "leads.csv").write_text(LEADS_HEADER + f"L1,new,U1,{lead},{lead}\n")  # L2 deleted
    deleted = next(r for r in _load(empty_warehouse, folder) if r.stream == "leads")
    assert deleted.rows_deleted == 1
    assert rows(
        empty_warehouse, "select lead_id from raw_crm.leads where _deleted_at is not null"
    ) == [("L2",)]
    assert people() == ["lead:L1"]  # a deleted lead is nobody's open lead any more

    (folder / "leads.csv").write_text(both)  # L2 is back in the CRM
    _load(empty_warehouse, folder)
    assert people() == ["lead:L1", "lead:L2"]


def test_policy_values_reach_sql_quoted_never_pasted(warehouse, tmp_path, monkeypatch):
    from revgen.config import paths
    from revgen.dbt import run_dbt

    injected = "x', (select pg_read_file('/etc/passwd')), '"
    policy = tmp_path / "policy.yml"
    policy.write_text(
        f'opportunity: {{sub_stages: [discovery, "{injected}"]}}\n'
        "icp: {job_title_keywords: [_]}\n"
    )
    monkeypatch.setenv("REVGEN_POLICY", str(policy))
    run_dbt(
        warehouse, ["compile", "--select", "fct_opportunity_stage_changes int_contacts_qualified"]
    )
    compiled = {  # the models themselves, not the unit tests' fixtures named like them
        path.name: path.read_text()
        for path in (paths().dbt_target / "compiled").rglob("*.sql")
        if path.name in ("fct_opportunity_stage_changes.sql", "int_contacts_qualified.sql")
        and path.parent.name in ("marts", "stages")
    }
    stages = compiled["fct_opportunity_stage_changes.sql"]
    assert "when 'x'', (select pg_read_file(''/etc/passwd'')), ''' then 2" in stages
    assert "pg_read_file('/etc/passwd')" not in stages
    # a keyword is text to find, not a LIKE pattern (`_` would match every title)
    titles = compiled["int_contacts_qualified.sql"]
    assert "strpos(lower(job_title), '_') > 0" in titles and " like " not in titles


def test_a_nul_byte_in_a_column_the_contract_does_not_know_rejects_only_its_row(
    empty_warehouse, tmp_path
):
    lead = "2026-03-01T10:00:00Z"
    folder = _crm(
        tmp_path,
        {
            "leads.csv": (
                LEADS_HEADER.replace("\n", ",note\n")
                + f"L1,new,U1,{lead},{lead},fine\nL2,new,U1,{lead},{lead},bad\x00note\n"
            ).encode()
        },
    )
    results = _load(empty_warehouse, folder)
    leads = next(r for r in results if r.stream == "leads")
    assert (leads.rows_loaded, leads.rows_rejected) == (1, 1)
    assert _rejects(empty_warehouse) == {"L2": ("_extra", "invalid_character")}
    assert rows(empty_warehouse, "select lead_id, _extra->>'note' from raw_crm.leads") == [
        ("L1", "fine")
    ]
