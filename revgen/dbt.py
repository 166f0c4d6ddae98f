"""Run dbt on the project with the warehouse credentials, the policy file and the run's as-of time."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from revgen.config import paths
from revgen.db import conninfo
from revgen.errors import ConfigError, StepFailed
from revgen.load.schema import BI_ROLE
from revgen.policy import base_policy_path, load_policy

log = logging.getLogger(__name__)


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


def _prepare(url: str) -> str:
    """Before dbt builds: revgen_meta (incremental models record their builds there) and the role
    the marts are granted to; when that role cannot be created (no CREATEROLE), the connecting
    user itself, so the build still succeeds."""
    from revgen.db import connect
    from revgen.load.schema import ensure_bi_role
    from revgen.meta import META_DDL

    with connect(url, autocommit=True) as conn:
        conn.execute(META_DDL)
        return BI_ROLE if ensure_bi_role(conn) else conninfo(url)["user"]


def as_of_options(as_of: str | None) -> dict[str, str]:
    """The run's as-of time for every connection dbt opens, as the setting revgen.as_of (read by
    the macro as_of()); checked as an ISO 8601 moment and written back as one, so nothing else
    reaches the server's options."""
    if not as_of:
        return {}
    try:
        moment = datetime.fromisoformat(as_of)
    except ValueError as err:
        raise ConfigError(f"as-of {as_of!r} is not an ISO 8601 date or time.") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    option = f"-c revgen.as_of={moment.isoformat()}"
    return {"PGOPTIONS": " ".join(filter(None, (os.environ.get("PGOPTIONS"), option)))}


def run_dbt(url: str, args: list[str], as_of: str | None = None, check: bool = True) -> int:
    """Run `dbt <args>`; its output goes to this process's output (so to the Airflow task log)."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args]
    if args and args[0] in VAR_COMMANDS:
        # models that are (re)built get the BI grants; make sure the role is there first
        role = _prepare(url) if args[0] in ("build", "run") else BI_ROLE
        command += ["--vars", dbt_vars(role)]
    log.info("running dbt %s (as of %s)", " ".join(args), as_of or "now")
    env = {**dbt_env(url), **as_of_options(as_of)}
    completed = subprocess.run(command, env=env, cwd=paths().dbt_project)
    if check and completed.returncode != 0:
        raise StepFailed(
            f"dbt {' '.join(args)} failed (exit {completed.returncode}): "
            + (_failures() or "its output above says why.")
        )
    return completed.returncode


def _failures() -> str:
    """The failing models and tests of dbt's last invocation, from its run_results.json."""
    try:
        results = json.loads((paths().dbt_target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return ""
    failed = [
        f"{result['unique_id']} ({result['status']}: {(result.get('message') or '').strip()})"
        for result in results
        if result.get("status") in ("error", "fail")
    ]
    return "; ".join(failed)
