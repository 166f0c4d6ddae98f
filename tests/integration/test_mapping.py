"""An export in another shape loads with a mapping file only: other column names, semicolons,
day-first dates in a local time zone, decimal commas, other status words."""

import shutil

import pytest

from revgen.errors import ConfigError
from revgen.load.run import load_source
from tests.helpers import ROOT, rows

EXAMPLE = ROOT / "examples" / "crm_export"


def test_a_differently_shaped_export_loads_with_only_a_mapping_file(empty_warehouse, tmp_path):
    folder = tmp_path / "crm"
    shutil.copytree(EXAMPLE, folder)
    results = {r.stream: r for r in load_source(empty_warehouse, "crm", folder)}
    assert (results["users"].rows_loaded, results["users"].rows_rejected) == (3, 0)
    assert (results["leads"].rows_loaded, results["leads"].rows_rejected) == (4, 1)

    users = rows(
        empty_warehouse,
        "select user_id, role, team, is_active, "
        "deactivated_at at time zone 'UTC', annual_revenue_target "
        "from raw_crm.users order by 1",
    )
    assert users[1][:4] == ("005A2", "ae", "sales", False)
    assert str(users[1][4]) == "2026-03-14 15:30:00"  # 17:30 in Jerusalem (UTC+2)
    assert float(users[1][5]) == 1_200_000.0
    leads = dict(rows(empty_warehouse, "select lead_id, status from raw_crm.leads"))
    assert leads == {"00Q1": "new", "00Q2": "working", "00Q3": "recycled", "00Q4": "disqualified"}
    created = rows(
        empty_warehouse,
        "select created_at at time zone 'UTC', lead_source "
        "from raw_crm.leads where lead_id = '00Q1'",
    )
    assert str(created[0][0]) == "2018-02-26 17:58:00" and created[0][1] == "marketing"
    # 31 February does not exist: that row alone is quarantined, naming line and field
    assert rows(
        empty_warehouse, "select file_name, line, field, value, reason from revgen_meta.rejects"
    ) == [("Leads_2026-03.csv", 6, "created_at", "31-02-2026 10:00", "invalid_timestamp")]


def test_a_mapping_naming_an_unknown_column_is_refused_with_the_file_and_the_field(tmp_path):
    folder = tmp_path / "crm"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "mapping.yml").read_text().replace("owner_id: Owner", "owner: Owner")
    (folder / "mapping.yml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_source("postgresql://unused@127.0.0.1:1/x", "crm", folder)
    assert "mapping.yml" in str(err.value) and "owner" in str(err.value)
    assert "not columns of raw_crm.leads" in str(err.value)
