"""Least privilege: the read-only BI role reads the marts and nothing else (not raw, not
staging), cannot write, and keeps its grants after the marts are rebuilt (dbt grants)."""

import psycopg

from revgen.db import connect, conninfo
from revgen.dbt import run_dbt


def test_the_bi_role_reads_marts_only_cannot_write_and_survives_rebuilds(built_warehouse, company):
    _, truth = company
    as_of = truth["generator"]["as_of"]
    with connect(built_warehouse, autocommit=True) as conn:
        conn.execute("drop role if exists bi_reader")
        conn.execute("create role bi_reader login password 'bi-Reader-pw' in role revgen_bi")
    info = conninfo(built_warehouse)
    at = f"{info['host']}:{info['port']}/{info['dbname']}"
    reader = f"postgresql://bi_reader:bi-Reader-pw@{at}"
    for wrong in (f"postgresql://bi_reader@{at}", f"postgresql://bi_reader:guess@{at}"):
        try:  # a BI login without its password, or with a wrong one, is refused
            psycopg.connect(wrong, connect_timeout=5).close()
            raise AssertionError(f"{wrong} logged in")
        except psycopg.OperationalError as err:
            assert "password" in str(err)

    def can(statement: str) -> bool:
        with psycopg.connect(reader, autocommit=True) as conn:
            try:
                conn.execute(statement)
                return True
            except psycopg.errors.InsufficientPrivilege:
                return False

    try:
        assert can("select count(*) from marts.dim_people")
        assert can("select count(*) from marts.kpi_campaign_attribution")
        assert not can("select count(*) from raw_marketing.contacts")
        assert not can("select count(*) from staging.stg_crm__leads")
        assert not can("select count(*) from revgen_meta.rejects")
        assert not can("delete from marts.orphaned_leads")
        assert not can("create table marts.bi_scratch (x int)")
        run_dbt(built_warehouse, ["build", "--select", "path:models/marts"], as_of=as_of)
        assert can("select count(*) from marts.orphaned_leads")  # grants kept after rebuild
    finally:
        with connect(built_warehouse, autocommit=True) as conn:
            conn.execute("drop role bi_reader")
