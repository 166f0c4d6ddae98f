"""Every file in dags/ imports cleanly, quickly, and wires the tasks we expect."""

import time

import pytest

from revgen.contract import STREAMS
from revgen.sources.api import SETTINGS, objects, upstream_objects
from tests.helpers import ROOT

TAIL = [
    ("dbt_build", "dbt_staging"),
    ("dbt_staging", "dbt_snapshots"),
    ("dbt_snapshots", "dbt_intermediate"),
    ("dbt_intermediate", "dbt_marts"),
    ("dbt_marts", "check_quality"),
    ("check_quality", "alert_orphans"),
    ("alert_orphans", "summarize"),
]


def expected_edges() -> set[tuple[str, str]]:
    """Each source's files are checked, then each stream loads (after the streams its ids name),
    then one dbt build judged layer by layer, the quality gates, the orphan alert and the summary."""
    edges = set(TAIL)
    for stream in STREAMS:
        load = f"load_{stream.source}_{stream.name}"
        edges.add((f"extract_{stream.source}_files", load))
        edges.add((load, "dbt_build"))
        edges.update((f"load_{stream.source}_{ref.stream}", load) for ref in stream.references)
    edges.add(("choose_api_sources", "no_api_source"))
    for system in SETTINGS:
        for key in objects(system):
            task = f"extract_{system}_{key.lower()}"
            edges.add((task, "dbt_build"))
            upstream = upstream_objects(system, key)
            edges.update((f"extract_{system}_{other.lower()}", task) for other in upstream)
            if not upstream:
                edges.add(("choose_api_sources", task))
    return edges


def test_api_objects_wait_for_the_objects_their_ids_name():
    assert upstream_objects("hubspot", "deals") == ["owners"]
    assert upstream_objects("salesforce", "OpportunityHistory") == ["Opportunity"]
    assert sorted(upstream_objects("salesforce", "Opportunity")) == ["Account", "User"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    started = time.monotonic()
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    bag.parse_seconds = time.monotonic() - started
    return bag


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    dag_files = sorted(p.stem for p in (ROOT / "dags").glob("*.py"))
    assert sorted(dagbag.dag_ids) == dag_files  # one DAG per file, file name == dag_id


def test_nightly_dag_has_the_expected_tasks_and_edges(dagbag):
    dag = dagbag.dags["revenue_funnel_nightly"]
    edges = {(task.task_id, child) for task in dag.tasks for child in task.downstream_task_ids}
    assert edges == expected_edges()
    assert {task.task_id for task in dag.tasks} == {name for edge in edges for name in edge}


def test_dags_are_scheduled_tagged_retried_and_single_run(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.max_active_runs == 1
        assert dag.catchup is False
        assert dag.doc_md
        for task in dag.tasks:
            assert task.retries >= 1, task.task_id


def test_the_hourly_watch_refreshes_owners_then_rebuilds_checks_and_alerts(dagbag):
    dag = dagbag.dags["watch_ownership_hourly"]
    edges = {(task.task_id, child) for task in dag.tasks for child in task.downstream_task_ids}
    assert edges == {
        ("load_crm_users", "load_crm_leads"),
        ("load_crm_leads", "load_crm_lead_history"),
        ("load_crm_lead_history", "rebuild_ownership_models"),
        ("refresh_api_owners", "rebuild_ownership_models"),
        ("rebuild_ownership_models", "check_ownership"),
        ("check_ownership", "alert_orphans"),
    }
    assert dag.timetable.expression == "0 * * * *"


def test_each_api_systems_extracts_form_one_task_group(dagbag):
    """A run that uses no API shows one skipped group per system in the grid, not 21 rows."""
    dag = dagbag.dags["revenue_funnel_nightly"]
    groups = {
        task.task_id: task.task_group.group_id
        for task in dag.tasks
        if task.task_id.startswith(tuple(f"extract_{system}_" for system in SETTINGS))
    }
    expected = {
        f"extract_{system}_{key.lower()}": system for system in SETTINGS for key in objects(system)
    }
    assert groups == expected
    assert set(dag.task_group.children) >= set(SETTINGS)


def test_every_dbt_task_of_both_dags_takes_the_one_slot_pool(dagbag):
    from revgen.orchestration import DBT_POOL, DBT_POOL_SLOTS

    dbt_tasks = {
        (dag.dag_id, task.task_id): task.pool
        for dag in dagbag.dags.values()
        for task in dag.tasks
        if task.task_id.startswith(("dbt_build", "rebuild_"))
    }
    assert len(dbt_tasks) == 2
    assert set(dbt_tasks.values()) == {DBT_POOL} and DBT_POOL_SLOTS == 1
    others = {t.pool for dag in dagbag.dags.values() for t in dag.tasks} - {DBT_POOL}
    assert others == {"default_pool"}


def test_the_nightly_dag_has_a_deadline_counted_from_its_queueing(dagbag, monkeypatch):
    from datetime import timedelta

    from airflow.sdk import DeadlineReference

    from revgen.orchestration import nightly_deadline

    (alert,) = dagbag.dags["revenue_funnel_nightly"].deadline
    assert alert.reference == DeadlineReference.DAGRUN_QUEUED_AT
    assert alert.interval == timedelta(hours=6)
    assert alert.callback.path == "revgen.alerts.failures.notify_deadline_missed"
    monkeypatch.setenv("REVGEN_NIGHTLY_DEADLINE_HOURS", "1.5")
    assert nightly_deadline().interval == timedelta(minutes=90)
    assert dagbag.dags["watch_ownership_hourly"].deadline in (None, [])
