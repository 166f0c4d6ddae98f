"""The dbt model on a generated company equals the generator's ground truth."""

import json

import pytest
from psycopg import sql

from revgen.config import paths
from revgen.db import connect
from revgen.dbt import SCHEDULED, run_dbt
from tests.helpers import ROOT, built_company, rows


def unique_indexes(url: str) -> dict[tuple[str, str, str], str]:
    """(schema, table, column) -> index name, for every valid unique index on one whole column
    (no predicate, no expression)."""
    found = rows(
        url,
        "select n.nspname, c.relname, a.attname, index_class.relname from pg_index i "
        "join pg_class c on c.oid = i.indrelid "
        "join pg_class index_class on index_class.oid = i.indexrelid "
        "join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0] "
        "where i.indisunique and i.indisvalid and i.indnatts = 1 and i.indpred is null "
        "and i.indexprs is null",
    )
    return {(schema, table, column): index for schema, table, column, index in found}


@pytest.fixture(scope="module")
def built(warehouse, server_admin, company):
    return built_company(warehouse, server_admin, company), company[1]


def test_people_per_stage_equal_ground_truth(built):
    url, truth = built
    volume = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
    expected = {stage: truth["people_per_stage"].get(stage, 0) for stage in volume}
    assert volume == expected, f"mismatch: {set(volume.items()) ^ set(expected.items())}"


def test_orphaned_leads_are_exactly_the_injected_orphans_with_their_reasons(built):
    url, truth = built
    found = dict(rows(url, "select person_id, reason from marts.orphaned_leads"))
    missing = {k: v for k, v in truth["orphans"].items() if found.get(k) != v}
    extra = {k: v for k, v in found.items() if truth["orphans"].get(k) != v}
    assert not missing and not extra, f"missing {missing}, extra {extra}"


def test_quality_gates_warn_on_orphans_and_block_on_broken_kpis(built):
    from revgen.errors import StepFailed
    from revgen.quality.gx import run_suites

    url, truth = built
    outcomes = run_suites(url, "test-warn")
    ownership = next(o for o in outcomes if o.suite == "ownership")
    # the check reads the orphan list itself: its failing ids are every orphan, whatever the reason
    assert not ownership.success and set(ownership.failing_ids) == set(truth["orphans"])
    assert all(o.success for o in outcomes if o.blocking)

    from revgen.db import connect

    with connect(url, autocommit=True) as conn:
        conn.execute(
            "update marts.kpi_stage_conversion set conversion_rate = 1.5 where from_stage = 'lead'"
        )
    try:
        with pytest.raises(StepFailed, match="kpi_sanity"):
            run_suites(url, "test-block")
        stored = rows(
            url,
            "select suite, success from revgen_meta.quality_results "
            "where run_id = 'test-block' and not success order by 1",
        )
        assert ("kpi_sanity", False) in stored and ("ownership", False) in stored
    finally:
        run_dbt(
            url, ["build", "--select", "kpi_stage_conversion"], as_of=truth["generator"]["as_of"]
        )


def test_raising_the_mql_threshold_in_the_policy_file_changes_stages_with_no_sql_edit(
    built, server_admin, company, tmp_path, monkeypatch
):
    url, truth = built
    before = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
    mqls_before = rows(url, "select count(*) from marts.dim_people where mql_at is not null")[0][0]
    policy = (ROOT / "dbt_project" / "policy.yml").read_text()
    assert "score_threshold: 60" in policy
    strict = tmp_path / "policy.yml"
    strict.write_text(policy.replace("score_threshold: 60", "score_threshold: 90"))
    monkeypatch.setenv("REVGEN_POLICY", str(strict))
    try:
        run_dbt(url, ["build"], as_of=truth["generator"]["as_of"])
        after = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
        mqls_after = rows(url, "select count(*) from marts.dim_people where mql_at is not null")[0][
            0
        ]
        assert mqls_after < mqls_before
        assert after["lead"] < before["lead"] and after["prospect"] > before["prospect"]
        assert sum(after.values()) == sum(before.values())
    finally:  # the module's warehouse back as it was built, for the tests after this one
        monkeypatch.delenv("REVGEN_POLICY")
        built_company(url, server_admin, company)
    assert dict(rows(url, "select stage_name, people from marts.kpi_stage_volume")) == before


def test_dbt_docs_generate_builds_a_catalog_of_every_mart(built):
    import json

    from revgen.config import paths

    url, truth = built
    assert run_dbt(url, ["docs", "generate"], as_of=truth["generator"]["as_of"]) == 0
    target = paths().dbt_target
    assert (target / "index.html").stat().st_size > 10_000
    catalog = json.loads((target / "catalog.json").read_text())
    marts = {
        node["metadata"]["name"]
        for node in catalog["nodes"].values()
        if node["metadata"]["schema"] == "marts"
    }
    assert {
        "dim_people",
        "orphaned_leads",
        "kpi_stage_conversion",
        "fct_stage_transitions",
        "kpi_campaign_attribution",
        "kpi_wasted_sales_time",
    } <= marts
    manifest = json.loads((target / "manifest.json").read_text())
    assert {e["name"] for e in manifest["exposures"].values()} >= {"orphaned_leads_watch"}


def test_every_key_the_docs_call_unique_by_an_index_has_a_unique_index(built):
    """A key guarded by a unique index needs no nightly test scanning the whole table: the index
    rejects a duplicate in the write that brings it, at the cost of the rows written. Every key the
    docs say is unique by an index has one in the warehouse (and a duplicate is refused)."""
    import json
    import re

    import psycopg
    from psycopg import sql

    from revgen.config import paths
    from revgen.db import connect

    url, truth = built
    manifest = json.loads((paths().dbt_target / "manifest.json").read_text())
    claimed = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        table = (node["schema"], node["alias"])
        for column in node["columns"].values():
            if "unique index" in (column.get("description") or ""):
                claimed.add((*table, column["name"]))
        for name in re.findall(r"(\w+) is unique by the model's unique index", node["description"]):
            claimed.add((*table, name))
    indexed = unique_indexes(url)
    assert len(claimed) >= 8
    assert claimed <= indexed.keys(), claimed - indexed.keys()
    with connect(url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "insert into intermediate.int_stage_journeys "
            "select * from intermediate.int_stage_journeys limit 1"
        )

    # a warehouse built before the index joined the model's config gains it on the next build,
    # though a unique index that guards only some of the keys (a predicate) is there
    journeys = ("intermediate", "int_stage_journeys", "journey_id")
    with connect(url, autocommit=True) as conn:
        dropped = sql.Identifier("intermediate", indexed[journeys])
        conn.execute(sql.SQL("drop index {}").format(dropped))
        conn.execute(
            "create unique index on intermediate.int_stage_journeys (journey_id) "
            "where journey_id like 'none of them%'"
        )
    assert journeys not in unique_indexes(url)
    run_dbt(url, ["build", "--select", "int_stage_journeys"], as_of=truth["generator"]["as_of"])
    assert journeys in unique_indexes(url)


def test_the_marts_contract_constraints_are_enforced_by_the_warehouse(built):
    """The marts' keys, required columns and closed value lists are contract constraints, not
    nightly test nodes: the warehouse refuses a bad row in the write that brings it (the build
    fails and the previous table stays). Every constraint the contracts declare is in the
    warehouse, and a duplicate key, a null and a value outside a list are refused."""
    import json

    import psycopg

    from revgen.config import paths

    url, _ = built
    manifest = json.loads((paths().dbt_target / "manifest.json").read_text())
    declared: dict[str, set] = {"primary_key": set(), "not_null": set(), "check": set()}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["contract"]["enforced"]:
            for column in node["columns"].values():
                for constraint in column.get("constraints") or []:
                    declared[constraint["type"]].add(
                        (node["schema"], node["alias"], column["name"])
                    )
    assert len(declared["primary_key"]) >= 20 and len(declared["check"]) >= 5
    # (constraint, schema, table, column) of every table: a primary key or check on a column
    # (pg_constraint), and a column's not null (pg_attribute)
    enforced = set(
        rows(
            url,
            "select case k.contype when 'p' then 'primary_key' else 'check' end, "
            "n.nspname, c.relname, a.attname from pg_constraint k "
            "join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace "
            "join pg_attribute a on a.attrelid = c.oid and a.attnum = any(k.conkey) "
            "where k.contype = 'c' or (k.contype = 'p' and cardinality(k.conkey) = 1) "
            "union all "
            "select 'not_null', n.nspname, c.relname, a.attname from pg_attribute a "
            "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
            "where a.attnotnull and a.attnum > 0 and c.relkind = 'r'",
        )
    )
    for kind, columns in declared.items():
        missing = {column for column in columns if (kind, *column) not in enforced}
        assert not missing, (kind, missing)

    refused = {
        psycopg.errors.UniqueViolation: "insert into marts.kpi_headlines "
        "select * from marts.kpi_headlines limit 1",
        psycopg.errors.NotNullViolation: "update marts.orphaned_leads set reason = null",
        psycopg.errors.CheckViolation: "update marts.orphaned_leads set reason = 'misplaced'",
    }
    for error, statement in refused.items():
        with connect(url) as conn, pytest.raises(error):
            conn.execute(statement)


def test_one_person_across_merged_records_email_only_leads_and_deletions(built, company):
    url, truth = built
    folder, _ = company
    import csv

    with open(folder / "crm" / "leads.csv", newline="") as handle:
        leads = list(csv.DictReader(handle))[: truth["rows"]["crm.leads"]]
    email_only = {r["lead_id"] for r in leads if not r["contact_id"]}
    via_duplicate = {r["lead_id"] for r in leads if r["contact_id"].startswith("D")}
    assert email_only and via_duplicate
    resolved = dict(rows(url, "select lead_id, person_id from intermediate.int_leads_resolved"))
    matched = dict(rows(url, "select lead_id, matched_by from intermediate.int_leads_resolved"))
    for lead_id in email_only:
        assert matched[lead_id] == "email" and resolved[lead_id] == "C" + lead_id[1:]
    for lead_id in via_duplicate:
        assert matched[lead_id] == "contact_link" and resolved[lead_id] == "C" + lead_id[1:]
    people = {r[0] for r in rows(url, "select person_id from marts.dim_people")}
    assert len(people) == sum(truth["people_per_stage"].values())
    assert not {p for p in people if p[0] in "DZ"}  # merged duplicates and deleted records


def test_emails_reach_the_marts_only_as_a_keyed_hash_with_the_configured_key(built, monkeypatch):
    import hashlib
    import hmac

    from revgen.db import connect
    from revgen.load.schema import ensure_schema

    url, truth = built
    monkeypatch.setenv("REVGEN_PII_KEY", "a-key-from-the-secrets-backend")
    with connect(url, autocommit=True) as conn:
        ensure_schema(conn)
    run_dbt(
        url,
        ["build", "--select", "int_people_staged", "dim_people", "orphaned_leads"],
        as_of=truth["generator"]["as_of"],
    )
    person, email_hash = rows(
        url, "select person_id, email_hash from marts.dim_people order by person_id limit 1"
    )[0]
    email = rows(url, "select email from raw_marketing.contacts where contact_id = %s", (person,))[
        0
    ][0]
    expected = hmac.new(
        b"a-key-from-the-secrets-backend", email.strip().lower().encode(), hashlib.sha256
    ).hexdigest()
    assert email_hash == expected and email not in email_hash
    orphan_hashes = rows(
        url,
        "select count(*) from marts.orphaned_leads o join marts.dim_people p "
        "using (person_id) where o.email_hash = p.email_hash",
    )[0][0]
    assert orphan_hashes == len(truth["orphans"])


def test_a_snapshot_records_only_its_key_the_columns_it_checks_and_updated_at(built):
    """A snapshot's history holds what it is about (its key, the columns it checks, the record's
    own updated_at) and dbt's validity columns: no email, name or other field is copied into it,
    and each run compares narrow rows."""
    import yaml

    url, _ = built
    declared = yaml.safe_load((ROOT / "dbt_project" / "snapshots" / "_snapshots.yml").read_text())
    for snapshot in declared["snapshots"]:
        config = snapshot["config"]
        columns = {
            name
            for (name,) in rows(
                url,
                "select column_name from information_schema.columns "
                "where table_schema = 'snapshots' and table_name = %s",
                (snapshot["name"],),
            )
        }
        assert columns == {
            config["unique_key"],
            *config["check_cols"],
            "updated_at",
            "dbt_scd_id",
            "dbt_updated_at",
            "dbt_valid_from",
            "dbt_valid_to",
        }, snapshot["name"]
        assert rows(url, f"select count(*) from snapshots.{snapshot['name']}")[0][0] > 0


def test_a_new_as_of_reaches_the_models_without_dbt_parsing_the_project_again(built, capfd):
    """The run's as-of time changes every night; the vars do not (it reaches dbt's connections as
    the setting revgen.as_of), so dbt keeps its partial parse from one run to the next."""
    from datetime import UTC, datetime

    url, truth = built
    capfd.readouterr()
    try:
        run_dbt(url, ["run", "--select", "kpi_stage_volume"], as_of="2026-06-30T12:00:00Z")
        output = capfd.readouterr().out
        assert "Found " in output and "Unable to do partial parsing" not in output
        assert rows(url, "select distinct as_of from marts.kpi_stage_volume") == [
            (datetime(2026, 6, 30, 12, tzinfo=UTC),)
        ]
    finally:  # the other tests of this module read the ground truth's day
        run_dbt(url, ["run", "--select", "kpi_stage_volume"], as_of=truth["generator"]["as_of"])


def test_the_models_carry_their_docs_and_a_night_takes_no_lock_an_autovacuum_holds(
    built, monkeypatch
):
    """persist_docs: each model and documented column carries its description (people reading
    the warehouse in psql see the docs). A build writes only the comments that changed
    (macros/comments.sql): COMMENT takes the lock an autovacuum holds, and an incremental table's
    build that rewrote its comments every night waited up to a second behind one. Here another
    session holds that lock on two incremental tables, one with an undocumented column, while
    the next night's build runs: it must not wait for it."""
    url, truth = built
    monkeypatch.setenv("REVGEN_LOOKBACK_HOURS", "0")  # a night with nothing new: nobody rebuilt
    incremental = ("intermediate.int_people_staged", "intermediate.int_stage_events_unioned")
    as_of = truth["generator"]["as_of"]
    run_dbt(url, list(SCHEDULED), as_of=as_of)  # a night
    manifest = json.loads((paths().dbt_target / "manifest.json").read_text())
    comments = {
        (schema, name, column): text
        for schema, name, column, text in rows(
            url,
            "select n.nspname, c.relname, coalesce(a.attname, ''), d.description "
            "from pg_description d join pg_class c on c.oid = d.objoid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid "
            "and d.objsubid > 0 "
            "where d.classoid = 'pg_class'::regclass "
            "and n.nspname in ('staging', 'intermediate', 'marts')",
        )
    }
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    ]
    assert len(models) > 60
    for node in models:
        key = (node["schema"], node["alias"])
        assert comments.get((*key, "")) == (node["description"] or None), key
        for column in node["columns"].values():
            if (*key, column["name"]) in comments or column["description"]:
                assert comments.get((*key, column["name"])) == column["description"], column

    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=5s")
    with connect(url) as autovacuum_like:
        for table in incremental:
            autovacuum_like.execute(f"lock table {table} in share update exclusive mode")
        run_dbt(url, list(SCHEDULED), as_of=as_of)  # the next, with nothing new
        held = autovacuum_like.execute(
            "select count(*) from pg_locks where pid = pg_backend_pid() and granted "
            "and mode = 'ShareUpdateExclusiveLock' and relation = any(%s::regclass[])",
            (list(incremental),),
        ).fetchone()
        assert held == (2,)  # the build ran while both locks were held


def test_dbt_writes_its_debug_log_file_only_when_asked(built, monkeypatch):
    """dbt's log file (each statement it sends) costs an eighth of a small build: revgen's dbt
    calls leave it out, and dbt's own setting DBT_LOG_LEVEL_FILE brings it back."""
    from revgen.config import paths

    url, truth = built
    for setting in ("DBT_LOG_LEVEL_FILE", "DBT_ENGINE_LOG_LEVEL_FILE"):  # a developer's own
        monkeypatch.delenv(setting, raising=False)
    log_file = paths().dbt_logs / "dbt.log"
    log_file.unlink(missing_ok=True)
    as_of = truth["generator"]["as_of"]
    run_dbt(url, ["run", "--select", "kpi_stage_volume"], as_of=as_of)
    assert not log_file.exists()
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    run_dbt(url, ["run", "--select", "kpi_stage_volume"], as_of=as_of)
    assert '"kpi_stage_volume"' in log_file.read_text()


def test_dbt_works_in_utc_whatever_the_servers_time_zone(built, capfd):
    """Weeks, months and days are cut in UTC as the marts say, and the same way every night (the
    kept totals group by them): dbt's sessions run in UTC though the database says otherwise."""
    url, _ = built
    with connect(url, autocommit=True) as conn:
        database = sql.Identifier(conn.info.dbname)
        conn.execute(
            sql.SQL("alter database {} set timezone to 'Pacific/Kiritimati'").format(database)
        )
    try:
        with connect(url) as conn:  # a new session takes the database's zone
            assert conn.execute("show timezone").fetchone()[0] == "Pacific/Kiritimati"
        capfd.readouterr()
        run_dbt(url, ["show", "--inline", "select current_setting('TimeZone') as zone"])
        shown = capfd.readouterr().out
        assert "| UTC" in shown and "Kiritimati" not in shown
    finally:
        with connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("alter database {} reset timezone").format(database))


def test_every_unit_test_runs_here_and_holds(built):
    """The models' unit tests (fixed rows in, expected rows out) run where code changes; the
    scheduled builds leave them out (revgen.dbt.SCHEDULED)."""
    import json

    from revgen.config import paths

    url, truth = built
    run_dbt(url, ["test", "--select", "test_type:unit"], as_of=truth["generator"]["as_of"])
    target = paths().dbt_target
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit_tests = json.loads((target / "manifest.json").read_text())["unit_tests"]
    assert len(unit_tests) >= 8
    assert {r["unique_id"]: r["status"] for r in results} == dict.fromkeys(unit_tests, "pass")


def test_one_nightly_build_is_judged_layer_by_layer_and_a_failure_names_its_layer(
    built, monkeypatch
):
    """The nightly runs one `dbt build` and a task per layer judges it. A null key planted in an
    intermediate table breaks that layer's not-null test: staging and snapshots still pass, the
    intermediate layer fails naming the test, the marts fail naming what dbt skipped."""
    import json

    from revgen.config import paths
    from revgen.dbt import LAYERS, judge_layer
    from revgen.errors import StepFailed
    from revgen.pipeline import build_nightly

    url, truth = built
    as_of = truth["generator"]["as_of"]
    monkeypatch.setenv("REVGEN_LOOKBACK_HOURS", "0")  # nothing loaded since: the null stays
    assert build_nightly(url, as_of, "layers-ok")["not_succeeded"] == 0
    judged = {layer: judge_layer(url, "layers-ok", layer) for layer in LAYERS}
    # every node dbt ran is recorded once, in the layer of its folder (tests: of what they test)
    manifest = json.loads((paths().dbt_target / "manifest.json").read_text())
    models = {
        layer: {
            uid
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model"
            and node["config"]["materialized"] != "ephemeral"  # read inline, never run
            and node["original_file_path"].startswith(f"models/{layer}/")
        }
        for layer in ("staging", "intermediate", "marts")
    }
    recorded = rows(
        url,
        "select layer, array_agg(unique_id) from revgen_meta.dbt_node_results "
        "where run_id = 'layers-ok' group by layer",
    )
    by_layer = {layer: set(ids) for layer, ids in recorded}
    assert set(by_layer) == set(LAYERS)
    # unit tests check code on fixed rows: `make test` runs them, a night does not
    assert not [uid for ids in by_layer.values() for uid in ids if uid.startswith("unit_test.")]
    for layer, ids in models.items():
        assert ids <= by_layer[layer], layer
    not_null = "test.revgen.not_null_int_contacts_qualified_contact_id."  # then dbt's hash
    assert any(uid.startswith(not_null) for uid in by_layer["intermediate"])
    assert sum(j["nodes"] for j in judged.values()) == sum(len(ids) for ids in by_layer.values())

    from revgen.db import connect

    (nulled,) = rows(url, "select min(contact_id) from intermediate.int_contacts_qualified")[0]
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "update intermediate.int_contacts_qualified set contact_id = null "
            "where contact_id = %s",
            (nulled,),
        )
    try:
        result = build_nightly(url, as_of, "layers-broken")  # dbt ran: the layers judge
        assert result["not_succeeded"] > 0
        assert judge_layer(url, "layers-broken", "staging")["nodes"] == judged["staging"]["nodes"]
        judge_layer(url, "layers-broken", "snapshots")
        with pytest.raises(
            StepFailed, match="not_null_int_contacts_qualified_contact_id"
        ) as failed:
            judge_layer(url, "layers-broken", "intermediate")
        assert "dbt's intermediate layer" in str(failed.value)
        with pytest.raises(StepFailed, match=r"model\.revgen\.dim_people \(skipped"):
            judge_layer(url, "layers-broken", "marts")
        with pytest.raises(StepFailed, match="recorded nothing of the marts layer"):
            judge_layer(url, "no-such-run", "marts")
    finally:  # the key back: what dbt skipped still holds the earlier build, which was right
        with connect(url, autocommit=True) as conn:
            conn.execute(
                "update intermediate.int_contacts_qualified set contact_id = %s "
                "where contact_id is null",
                (nulled,),
            )
