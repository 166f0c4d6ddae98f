"""Malformed input and source schema drift: each a clear error naming the file (and line), or a
quarantined row with its reason; everything else loads, and read = loaded + rejected."""

import pytest

from revgen.errors import InputError
from revgen.load.run import load_source
from tests.helpers import rows

USERS = (
    "user_id,name,email,role,team,is_active,deactivated_at,annual_revenue_target\n"
    "U1,Dana,dana@x.example,sdr,sales,true,,\n"
    "U2,Avi,avi@x.example,ae,sales,true,,1200000\n"
)
LEADS_HEADER = "lead_id,contact_id,email,status,lead_source,owner_id,created_at,updated_at\n"
NOW = "2026-03-01T10:00:00Z"


def _write(folder, name, text, encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))


def test_ten_kinds_of_malformed_input_each_rejected_or_refused_and_the_rest_loads(
    empty_warehouse, tmp_path
):
    crm, marketing = tmp_path / "crm", tmp_path / "marketing"
    _write(crm, "users.csv", USERS)
    big = "x" * (10 * 1024 * 1024)
    _write(
        crm,
        "leads.csv",
        LEADS_HEADER
        + "\n".join(
            [
                f"L1,C1,a@x.example,new,marketing,U1,{NOW},{NOW}",  # clean
                f",C2,b@x.example,new,marketing,U1,{NOW},{NOW}",  # missing id
                f"L1,C3,c@x.example,new,marketing,U1,{NOW},{NOW}",  # duplicate id
                f"L4,C4,d@x.example,new,marketing,U1,2099-01-01T00:00:00Z,{NOW}",  # future date
                f"L5,C5,e@x.example,new,marketing,U404,{NOW},{NOW}",  # unknown owner
                f"L6,C6,f@x.example,{big},marketing,U1,{NOW},{NOW}",  # 10 MB field
                f'L7,C7,g@x.example,new,"\'); drop table raw_crm.users;--",U2,{NOW},{NOW}',  # injection
                f"L8,C8,h@x.example,new,marketing,U2,not-a-date,{NOW}",  # retyped value
            ]
        )
        + "\n",
    )
    _write(
        marketing,
        "campaigns.csv",
        "campaign_id,name,channel,started_on,ended_on\nCMP1,Email 1,email,2026-01-01,\n",
    )
    _write(
        marketing,
        "campaign_spend.csv",
        "campaign_id,spend_date,amount,currency\n"
        "CMP1,2026-01-01,100.00,USD\n"
        "CMP1,2026-01-02,-25.00,USD\n",
    )  # negative spend
    _write(
        marketing,
        "contacts.csv",
        f'contact_id,email,first_name,created_at,updated_at\nC1,"a@x.example,Dana,{NOW},{NOW}\n',
    )  # broken quoting
    _write(
        marketing,
        "touchpoints.csv",
        "touchpoint_id,contact_id,channel,touch_type,touched_at\nT1,C1,email,visit,2026-01-01\n"
        "T2,C1,email,visit,2026-01-02\n",
        encoding="utf-16",
    )  # wrong encoding
    _write(marketing, "lead_scores.csv", "")  # empty file

    crm_results = {r.stream: r for r in load_source(empty_warehouse, "crm", crm)}
    with pytest.raises(InputError) as refused:
        load_source(empty_warehouse, "marketing", marketing)
    message = str(refused.value)
    assert "3 file(s) could not be loaded" in message
    assert "contacts.csv:2: broken CSV quoting" in message
    assert "touchpoints.csv" in message and "not valid utf-8" in message
    assert "lead_scores.csv: the file is empty" in message

    rejects = {
        (r[0], r[1]): (r[2], r[3])
        for r in rows(
            empty_warehouse, "select stream, line, field, reason from revgen_meta.rejects"
        )
    }
    assert rejects == {
        ("leads", 3): ("lead_id", "missing_required"),
        ("leads", 4): ("lead_id", "duplicate_key"),
        ("leads", 5): ("created_at", "future_timestamp"),
        ("leads", 6): ("owner_id", "unknown_reference"),
        ("leads", 7): ("status", "value_too_long"),
        ("leads", 9): ("created_at", "invalid_timestamp"),
        ("campaign_spend", 3): ("amount", "negative_value"),
    }
    assert crm_results["leads"].rows_loaded == 2 and crm_results["leads"].rows_rejected == 6
    injected = rows(empty_warehouse, "select lead_source from raw_crm.leads where lead_id = 'L7'")
    assert injected == [("'); drop table raw_crm.users;--",)]  # stored as text, nothing ran
    assert rows(empty_warehouse, "select count(*) from raw_crm.users") == [(2,)]
    assert rows(empty_warehouse, "select count(*) from raw_marketing.campaign_spend") == [(1,)]
    assert rows(
        empty_warehouse,
        "select count(*) from revgen_meta.load_runs where rows_read <> rows_loaded + rows_rejected",
    ) == [(0,)]


def test_schema_drift_added_kept_optional_removed_null_required_removed_refused(
    empty_warehouse, tmp_path
):
    crm = tmp_path / "crm"
    _write(
        crm,
        "users.csv",
        "user_id,name,role,team,is_active,favourite_colour\n"  # email etc. removed, one added
        "U1,Dana,sdr,sales,true,teal\nU2,Avi,ae,sales,false,\n",
    )
    (result,) = load_source(empty_warehouse, "crm", crm)
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert rows(
        empty_warehouse, "select user_id, email, _extra::text from raw_crm.users order by 1"
    ) == [("U1", None, '{"favourite_colour": "teal"}'), ("U2", None, None)]
    _write(tmp_path / "crm2", "users.csv", "user_id,name,team,is_active\nU3,Kim,sales,true\n")
    with pytest.raises(InputError, match="required column.s. role missing from the header"):
        load_source(empty_warehouse, "crm", tmp_path / "crm2")
