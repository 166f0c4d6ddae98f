"""Run dbt on the project with the warehouse credentials, the policy file and the run's as-of time."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from revgen.config import paths
from revgen.db import connect, conninfo
from revgen.errors import ConfigError, StepFailed
from revgen.load.schema import BI_ROLE, pii_key_digest
from revgen.policy import base_policy_path, load_policy

log = logging.getLogger(__name__)

# The project's layers in build order (the folders of models/, and the snapshots). The nightly DAG
# runs one `dbt build` and judges each layer in a task of its own, `dbt_<layer>`.
LAYERS = ("staging", "snapshots", "intermediate", "marts")
# what a node that built, or a test that held (warnings included), reports in run_results.json
SUCCEEDED = ("success", "pass", "warn", "no-op")
# The scheduled builds (nightly, hourly) leave dbt's unit tests out: they check the models' code on
# fixed rows, not the night's data, so they run where code changes (`make test`, `revgen dbt
# build`), as dbt advises, and a night does not pay for them.
SCHEDULED = ("build", "--exclude-resource-type", "unit_test")
# dbt's own debug log file (each statement it sends, each connection) costs an eighth of a small
# build's time, and the task log keeps dbt's output: none unless DBT_LOG_LEVEL_FILE asks for it
DEFAULT_DBT_LOG_LEVEL_FILE = "none"


def dbt_env(url: str) -> dict[str, str]:
    info = conninfo(url)
    here = paths()
    return {
        **os.environ,
        "REVGEN_DB_HOST": info["host"],
        "REVGEN_DB_PORT": info["port"],
        "REVGEN_DB_USER": info["user"],
        "REVGEN_DB_PASSWORD": info["password"],
        "REVGEN_DB_NAME": info["dbname"],
        "DBT_PROFILES_DIR": str(here.dbt_project),
        "DBT_PROJECT_DIR": str(here.dbt_project),
        "DBT_TARGET_PATH": str(here.dbt_target),
        "DBT_LOG_PATH": str(here.dbt_logs),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or DEFAULT_DBT_LOG_LEVEL_FILE,
        # every session of dbt's in UTC, whatever the server's default: weeks, months and days are
        # cut in UTC as the marts say, and the same on every night (kept totals group by them)
        "PGTZ": "UTC",
    }


VAR_COMMANDS = (
    "build",
    "run",
    "test",
    "compile",
    "snapshot",
    "docs",
    "show",
    "ls",
    "list",
    "parse",
    "seed",
    "source",
)

# the commands that compile the incremental models against the warehouse (and so read their
# recorded builds)
FINGERPRINTED = ("build", "run", "compile", "snapshot", "show", "test", "docs generate")


def dbt_vars(bi_role: str = BI_ROLE) -> str:
    """The vars of every dbt call: the same from one run to the next (the run's as-of time goes
    by `as_of_options`), so dbt parses the project again only when the policy or code changes."""
    extra = {}
    if os.environ.get("REVGEN_LOOKBACK_HOURS"):  # the incremental models' margin (default 1 h)
        extra["lookback_hours"] = float(os.environ["REVGEN_LOOKBACK_HOURS"])
    base = load_policy(base_policy_path()).dbt_vars()["policy"]  # what dbt unit tests read
    return json.dumps(
        {
            **load_policy().dbt_vars(),
            "base_policy": base,
            "bi_role": bi_role,
            **extra,
        }
    )


def _prepare(conn: psycopg.Connection, url: str) -> str:
    """Before dbt builds: revgen_meta (incremental models record their builds there) and the role
    the marts are granted to; when that role cannot be created (no CREATEROLE), the connecting
    user itself, so the build still succeeds."""
    from revgen.load.schema import ensure_bi_role
    from revgen.meta import META_DDL

    conn.execute(META_DDL)
    return BI_ROLE if ensure_bi_role(conn) else conninfo(url)["user"]


def as_of_options(as_of: str | None) -> list[str]:
    """The run's as-of time for every connection dbt opens, as the setting revgen.as_of (read by
    the macro as_of()); checked as an ISO 8601 moment and written back as one, so nothing else
    reaches the server's options."""
    if not as_of:
        return []
    try:
        moment = datetime.fromisoformat(as_of)
    except ValueError as err:
        raise ConfigError(f"as-of {as_of!r} is not an ISO 8601 date or time.") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return [f"-c revgen.as_of={moment.isoformat()}"]


# What the models' SQL is made of, in the dbt project: a change to any file of these makes every
# incremental model recompute everything (macros included: a model's code is mostly theirs)
CODE_PATHS = ("dbt_project.yml", "models", "macros", "snapshots")


def code_digest(project: Path) -> str:
    """A digest of the dbt project's code (CODE_PATHS): every file's path and bytes."""
    digest = hashlib.sha256()
    for entry in CODE_PATHS:
        top = project / entry
        for file in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if file.is_file():
                digest.update(f"{file.relative_to(project)}\0{file.stat().st_size}\0".encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def build_fingerprint(conn: psycopg.Connection) -> str:
    """What the incremental models' rows depend on besides the data: the policy, the key that
    hashes emails (email_hash, person ids made of emails) and the project's code. Each incremental
    model records it with its build (revgen_meta.model_builds); a build with another fingerprint
    recomputes everything, so no row keeps what an older policy, key or code made of it. Computed
    once per dbt call and handed to every connection as the setting revgen.build_fingerprint."""
    parts = {
        "policy": load_policy().dbt_vars()["policy"],
        "pii_key": pii_key_digest(conn),
        "code": code_digest(paths().dbt_project),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def session_options(options: list[str]) -> dict[str, str]:
    """The environment that hands `options` (`-c name=value`) to every connection dbt opens
    (libpq's PGOPTIONS), after any the caller set."""
    if not options:
        return {}
    return {"PGOPTIONS": " ".join(filter(None, (os.environ.get("PGOPTIONS"), *options)))}


def run_dbt(url: str, args: list[str], as_of: str | None = None, check: bool = True) -> int:
    """Run `dbt <args>`; its output goes to this process's output (so to the Airflow task log)."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args]
    options = as_of_options(as_of)
    role = BI_ROLE
    command_name = " ".join(args[:2]) if args[:1] == ["docs"] else (args or [""])[0]
    if command_name in FINGERPRINTED:  # one connection for what dbt needs first
        with connect(url, autocommit=True) as conn:
            if command_name in ("build", "run"):
                # models that are (re)built get the BI grants; make sure the role is there first
                role = _prepare(conn, url)
            options.append(f"-c revgen.build_fingerprint={build_fingerprint(conn)}")
    if args and args[0] in VAR_COMMANDS:
        command += ["--vars", dbt_vars(role)]
    log.info("running dbt %s (as of %s)", " ".join(args), as_of or "now")
    env = {**dbt_env(url), **session_options(options)}
    # an invocation that stops before running anything writes none: never read an older one's
    (paths().dbt_target / "run_results.json").unlink(missing_ok=True)
    completed = subprocess.run(command, env=env, cwd=paths().dbt_project)
    if check and completed.returncode != 0:
        failed = [
            f"{r['unique_id']} ({r['status']}: {(r.get('message') or '').strip()})"
            for r in _run_results()
            if r.get("status") in ("error", "fail")
        ]
        raise StepFailed(
            f"dbt {' '.join(args)} failed (exit {completed.returncode}): "
            + ("; ".join(failed) or "its output above says why.")
        )
    return completed.returncode


@dataclass(frozen=True)
class NodeResult:
    """One node of dbt's last invocation: a model, snapshot, test or unit test."""

    unique_id: str
    layer: str
    status: str
    seconds: float | None
    message: str | None

    def described(self) -> str:
        return f"{self.unique_id} ({self.status}" + (f": {self.message})" if self.message else ")")


def _layer(unique_id: str, manifest: dict) -> str:
    """A node's layer: a model's folder under models/, snapshots; a test's, unit test's or
    exposure's is the latest layer of the nodes it reads (a source's is staging)."""
    if unique_id.startswith("source."):
        return LAYERS[0]
    node = next(
        nodes[unique_id]
        for key in ("nodes", "unit_tests", "exposures")
        if unique_id in (nodes := manifest[key])
    )
    kind = node["resource_type"]
    if kind == "snapshot":
        return "snapshots"
    if kind == "model":
        folder = Path(node["original_file_path"]).parts[1]  # models/<layer>/...
        if folder not in LAYERS:
            raise ConfigError(
                f"dbt model {unique_id} is in models/{folder}/, not in a layer {LAYERS}."
            )
        return folder
    if kind == "seed":
        return LAYERS[0]
    tested = [_layer(other, manifest) for other in node["depends_on"]["nodes"]]
    return max(tested, key=LAYERS.index, default=LAYERS[-1])


def _run_results() -> list[dict]:
    """The results of dbt's last invocation (run_results.json); none when it ran nothing."""
    try:
        return json.loads((paths().dbt_target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []


def last_results() -> list[NodeResult]:
    """Every node of dbt's last invocation, with its layer (from manifest.json)."""
    results = _run_results()
    if not results:
        return []
    manifest = json.loads((paths().dbt_target / "manifest.json").read_text())
    return [
        NodeResult(
            result["unique_id"],
            _layer(result["unique_id"], manifest),
            result["status"],
            result.get("execution_time"),
            (result.get("message") or "").strip() or None,
        )
        for result in results
    ]


def record_results(url: str, run_id: str, results: list[NodeResult]) -> None:
    """Keep a run's node results in revgen_meta.dbt_node_results (a retry's replace its try's)."""
    with connect(url) as conn:
        conn.execute("delete from revgen_meta.dbt_node_results where run_id = %s", (run_id,))
        with conn.cursor() as cursor:
            cursor.executemany(
                "insert into revgen_meta.dbt_node_results "
                "(run_id, unique_id, layer, status, seconds, message, recorded_at) "
                "values (%s, %s, %s, %s, %s, %s, now())",
                [(run_id, n.unique_id, n.layer, n.status, n.seconds, n.message) for n in results],
            )


def judge_layer(url: str, run_id: str, layer: str) -> dict:
    """The verdict on one layer of a run's dbt build: fails naming every node of the layer that
    did not build or hold (skipped ones too: something upstream failed)."""
    with connect(url) as conn:
        found = [
            NodeResult(*row)
            for row in conn.execute(
                "select unique_id, layer, status, seconds, message "
                "from revgen_meta.dbt_node_results where run_id = %s and layer = %s "
                "order by unique_id",
                (run_id, layer),
            )
        ]
    if not found:
        raise StepFailed(
            f"The dbt build of run {run_id} recorded nothing of the {layer} layer: "
            "the dbt_build task's log says why."
        )
    failed = [node for node in found if node.status not in SUCCEEDED]
    if failed:
        raise StepFailed(
            f"dbt's {layer} layer: {len(failed)} of {len(found)} nodes did not succeed: "
            + "; ".join(node.described() for node in failed)
        )
    warned = [node.unique_id for node in found if node.status == "warn"]
    if warned:
        log.warning("dbt's %s layer: %d test(s) warn: %s", layer, len(warned), ", ".join(warned))
    log.info("dbt's %s layer: %d nodes built and held", layer, len(found))
    return {
        "layer": layer,
        "nodes": len(found),
        "warnings": len(warned),
        "seconds": round(sum(node.seconds or 0 for node in found), 1),
    }
