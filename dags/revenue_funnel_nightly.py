"""
# revenue_funnel_nightly

The nightly airflow DAG of revgen: extract the marketing-automation and CRM exports, load them into
the raw schemas (COPY, upsert, rejects kept), build the dbt model (stages, transitions, KPIs, orphaned
leads), run the Great Expectations suites, alert on orphaned leads, and log the funnel summary.

The run's as-of time is its data interval's end, never the wall clock: re-running a date gives the
same result. The warehouse comes from the Airflow connection `revgen_warehouse`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import Asset, CronDataIntervalTimetable, TaskGroup, dag, task

from revgen.contract import STREAMS
from revgen.dbt import LAYERS
from revgen.orchestration import DBT_POOL, dag_defaults, nightly_deadline
from revgen.sources.api import SETTINGS as API_SETTINGS
from revgen.sources.api import objects, upstream_objects

MARTS = Asset("revgen://warehouse/marts")
SOURCES = ("marketing", "crm")


def raw_asset(table: str) -> Asset:
    return Asset(f"revgen://warehouse/{table}")


@dag(
    dag_id="revenue_funnel_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2000, 1, 1, tzinfo=UTC),  # any as-of date can be run (historic exports)
    catchup=False,
    max_active_runs=1,
    default_args=dag_defaults(),
    deadline=nightly_deadline(),
    tags=["revgen", "nightly"],
    doc_md=__doc__,
)
def revenue_funnel_nightly():
    @task
    def extract_files(
        source: str,
        data_interval_start=None,
        data_interval_end=None,
        logical_date=None,
        dag_run=None,
    ) -> dict:
        """The source's export files; dated ones (`<stream>-YYYY-MM-DD.csv`) up to this run's end."""
        from revgen.orchestration import check_run_dates
        from revgen.pipeline import extract_files as find_files

        check_run_dates(dag_run.run_type, logical_date, data_interval_start, data_interval_end)
        return find_files(source, until=data_interval_end.date())

    @task
    def load_stream(source: str, stream: str, found: dict, data_interval_end=None) -> dict:
        """The stream's files that extract_<source>_files found (none other)."""
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import load_files

        return load_files(
            warehouse_url_from_connection(),
            source,
            stream,
            until=data_interval_end.date(),
            found=found,
        )

    @task.branch
    def choose_api_sources() -> list[str]:
        """Follow only the API sources whose Airflow connection exists; skip the others."""
        from revgen.pipeline import configured_api_systems

        chosen = [
            f"extract_{system}_{key.lower()}"
            for system in configured_api_systems()
            for key in objects(system)
            if not upstream_objects(system, key)
        ]
        return chosen or ["no_api_source"]

    @task
    def no_api_source() -> None:
        """Nothing to extract from APIs: no revgen_hubspot or revgen_salesforce connection."""

    @task
    def extract_api(system: str, key: str) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import extract_api as extract

        return extract(warehouse_url_from_connection(), system, key)

    @task(pool=DBT_POOL, trigger_rule="none_failed")
    def dbt_build(data_interval_end=None, run_id=None) -> dict:
        """One `dbt build` of the project: models, snapshots, tests and unit tests. Each node's
        result goes to revgen_meta.dbt_node_results; the dbt_<layer> tasks judge them."""
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import build_nightly

        return build_nightly(warehouse_url_from_connection(), data_interval_end.isoformat(), run_id)

    @task
    def dbt_layer(layer: str, run_id=None) -> dict:
        """This layer of the run's dbt build: fails naming each node that did not build or hold."""
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import judge_layer

        return judge_layer(warehouse_url_from_connection(), run_id, layer)

    @task
    def check_quality(run_id=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import check_quality as run_checks

        return run_checks(warehouse_url_from_connection(), run_id)

    @task
    def alert_orphans(run_id=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import alert_orphans as send_alert

        return send_alert(warehouse_url_from_connection(), run_id=run_id)

    @task
    def summarize() -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import summarize as log_summary

        return log_summary(warehouse_url_from_connection())

    # one load task per stream; a stream waits for the streams its ids refer to
    loads = {}
    for source in SOURCES:
        extracted = extract_files.override(task_id=f"extract_{source}_files")(source)
        for stream in (s for s in STREAMS if s.source == source):
            loads[stream.name, source] = load_stream.override(
                task_id=f"load_{source}_{stream.name}", outlets=[raw_asset(stream.table)]
            )(source, stream.name, extracted)  # type: ignore[arg-type]  # an XCom: a dict at run time
            for reference in stream.references:
                loads[reference.stream, source] >> loads[stream.name, source]
    # API sources: one task per object, after the objects whose ids it names; each system's in a
    # task group (one row in the grid, skipped as a whole when its connection is not set)
    chooser = choose_api_sources()
    chooser >> no_api_source()
    extracts = {}
    for system in API_SETTINGS:
        with TaskGroup(group_id=system, prefix_group_id=False, tooltip=f"{system} API extracts"):
            for key, (source, name) in objects(system).items():
                extracts[system, key] = extract_api.override(
                    task_id=f"extract_{system}_{key.lower()}",
                    outlets=[raw_asset(f"raw_{source}.{name}")],
                )(system, key)
        for key in objects(system):
            upstream = upstream_objects(system, key)
            for other in upstream:
                extracts[system, other] >> extracts[system, key]
            if not upstream:
                chooser >> extracts[system, key]
    # dbt: one build (its fixed cost paid once), then one task per layer, in build order, each
    # green or red by that layer's nodes; a later layer is judged once the earlier ones held
    with TaskGroup(group_id="dbt", prefix_group_id=False, tooltip="dbt build, judged by layer"):
        build = dbt_build()
        layers = [
            dbt_layer.override(
                task_id=f"dbt_{layer}",
                **({"trigger_rule": "one_done"} if layer == LAYERS[0] else {}),
                **({"outlets": [MARTS]} if layer == LAYERS[-1] else {}),
            )(layer)
            for layer in LAYERS
        ]
    [*loads.values(), *extracts.values()] >> build >> layers[0]
    for earlier, later in zip(layers, layers[1:], strict=False):
        earlier >> later
    layers[-1] >> check_quality() >> alert_orphans() >> summarize()


revenue_funnel_nightly()
