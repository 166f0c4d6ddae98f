"""Run the suites with GX Core 1.x against the warehouse; store one row per expectation result."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from revgen.config import paths
from revgen.db import connect
from revgen.errors import ConfigError, StepFailed
from revgen.meta import META_DDL
from revgen.quality.suites import Suite, load_suites

log = logging.getLogger(__name__)

MAX_IDS_KEPT = 1000
DOCS_SITE = "revgen"
# GX logs its own workings at INFO (hundreds of lines a run: decorators it skips, fields it
# defaults, schema names it lowercases); the task log keeps its warnings and revgen's own lines
GX_LOG_LEVEL = logging.WARNING


def data_docs_folder(run_id: str) -> Path:
    """Where a run's Data Docs (static HTML) are written: REVGEN_HOME/quality/data_docs/<run>."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)
    return paths().home / "quality" / "data_docs" / safe


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str
    index: int
    blocking: bool
    success: bool
    unexpected_count: int | None
    failing_ids: list[str]


def _expectation(name: str, arguments: dict, suite: Suite):
    import great_expectations as gx

    class_name = "".join(part.title() for part in name.split("_"))
    cls = getattr(gx.expectations, class_name, None)
    if cls is None:
        raise ConfigError(f"suites.yml, suite {suite.name}: unknown expectation {name!r}.")
    return cls(**arguments)


def _outcome(suite: Suite, index: int, name: str, result) -> ExpectationOutcome:
    details = result.result or {}
    count = details.get("unexpected_count")
    ids: list[str] = []
    if name == "unexpected_rows_expectation":
        count = details.get("observed_value")
        rows = (details.get("details") or {}).get("unexpected_rows") or []
        if suite.id_column:
            ids = [str(row.get(suite.id_column)) for row in rows if isinstance(row, dict)]
    else:
        for item in details.get("unexpected_index_list") or []:
            ids.append(str(item.get(suite.id_column)) if isinstance(item, dict) else str(item))
    return ExpectationOutcome(
        suite.name,
        name,
        index,
        suite.blocking,
        bool(result.success),
        int(count) if count is not None else None,
        sorted(ids)[:MAX_IDS_KEPT],
    )


def _quiet_gx() -> None:
    """GX's package logger at GX_LOG_LEVEL unless a logging configuration set it, and every one of
    its modules' loggers following it (one sets INFO for itself on import)."""
    package = logging.getLogger("great_expectations")
    if package.level == logging.NOTSET:
        package.setLevel(GX_LOG_LEVEL)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations."):
            logging.getLogger(name).setLevel(logging.NOTSET)


def run_suites(url: str, run_id: str, names: list[str] | None = None) -> list[ExpectationOutcome]:
    """Validate, store the outcomes, and raise StepFailed if a blocking suite failed."""
    _quiet_gx()  # before its import, which logs too
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_gx()  # its modules that set their own level on import
    suites = [s for s in load_suites() if not names or s.name in names]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    docs_folder = data_docs_folder(run_id)
    config = context.get_config()  # an ephemeral context's is a DataContextConfig
    for site in list(getattr(config, "data_docs_sites", None) or {}):
        context.delete_data_docs_site(site)
    context.add_data_docs_site(
        DOCS_SITE,
        # GX's TypedDict lacks keys its SiteBuilder takes (show_how_to_buttons)
        {  # type: ignore[typeddict-unknown-key]
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_folder),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    datasource = context.data_sources.add_postgres(
        name="warehouse", connection_string=url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    outcomes: list[ExpectationOutcome] = []
    for suite in suites:
        asset = datasource.add_table_asset(
            name=suite.name, table_name=suite.table_name, schema_name=suite.schema_name
        )
        batch = asset.add_batch_definition_whole_table(f"{suite.name}_whole")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        names_in_order = []
        for item in suite.expectations:
            ((name, arguments),) = item.items()
            gx_suite.add_expectation(_expectation(name, arguments, suite))
            names_in_order.append(name)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite.name}_validation", data=batch, suite=gx_suite)
        )
        result_format: dict = {"result_format": "COMPLETE"}
        if suite.id_column:
            result_format["unexpected_index_column_names"] = [suite.id_column]
        result = validation.run(result_format=result_format, run_id=RunIdentifier(run_name=run_id))
        for index, (name, checked) in enumerate(zip(names_in_order, result.results, strict=True)):
            outcomes.append(_outcome(suite, index, name, checked))
        log.info(
            "suite %s (%s): %s",
            suite.name,
            "blocking" if suite.blocking else "warn only",
            "passed" if result.success else "FAILED",
        )
    context.build_data_docs(site_names=[DOCS_SITE])
    log.info("Data Docs of this run: %s", docs_folder / "index.html")
    _store(url, run_id, outcomes)
    failed = [o for o in outcomes if not o.success]
    for outcome in failed:
        log.warning(
            "%s %s.%s failed: %s unexpected (%s)",
            "BLOCKING" if outcome.blocking else "warning",
            outcome.suite,
            outcome.expectation,
            outcome.unexpected_count,
            ", ".join(outcome.failing_ids[:10]),
        )
    blocking = [o for o in failed if o.blocking]
    if blocking:
        raise StepFailed(
            "Blocking quality checks failed: "
            + "; ".join(
                f"{o.suite}.{o.expectation} ({o.unexpected_count} unexpected)" for o in blocking
            )
            + ". See revgen_meta.quality_results for the failing ids."
        )
    return outcomes


def _store(url: str, run_id: str, outcomes: list[ExpectationOutcome]) -> None:
    checked_at = datetime.now(UTC)
    with connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute(META_DDL)
        conn.execute("delete from revgen_meta.quality_results where run_id = %s", (run_id,))
        with conn.cursor() as cursor:
            cursor.executemany(
                "insert into revgen_meta.quality_results values (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [
                    (
                        run_id,
                        o.suite,
                        o.expectation,
                        o.index,
                        o.blocking,
                        o.success,
                        o.unexpected_count,
                        o.failing_ids,
                        checked_at,
                    )
                    for o in outcomes
                ],
            )
