"""Every file in dags/ imports cleanly, quickly, and wires the tasks we expect."""

import time

import pytest

from tests.helpers import ROOT

EXPECTED_EDGES = {
    ("extract_marketing", "load_marketing"),
    ("extract_crm", "load_crm"),
    ("load_marketing", "dbt_build"),
    ("load_crm", "dbt_build"),
    ("dbt_build", "check_quality"),
    ("check_quality", "alert_orphans"),
    ("alert_orphans", "summarize"),
}


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
    assert edges == EXPECTED_EDGES
    assert {task.task_id for task in dag.tasks} == {
        name for edge in EXPECTED_EDGES for name in edge
    }


def test_dags_are_scheduled_tagged_retried_and_single_run(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.max_active_runs == 1
        assert dag.catchup is False
        assert dag.doc_md
        for task in dag.tasks:
            assert task.retries >= 1, task.task_id
