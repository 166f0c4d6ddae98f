"""`revgen bring`: from the demo to a company's own exports in one command.

A company folder holds configuration only (docs/bring_your_own_data.md):

    <folder>/policy.yml            optional: only what differs from dbt_project/policy.yml
    <folder>/crm/mapping.yml       how the CRM exports map onto the raw contract
    <folder>/marketing/mapping.yml how the marketing-automation exports do

The exports themselves sit in the source folders beside their mapping, or in another folder
(`--exports`). Bringing them: the demo company is cleared (its tables and landing files; a
warehouse or landing folder holding anything else is never emptied), the mappings and the files
their globs name are copied into the landing folders (readable by their owner only), the policy
is installed under REVGEN_HOME, and the nightly DAG runs as of the given day.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import click

from revgen.config import paths
from revgen.contract import STREAMS
from revgen.db import check_reachable, connect, warehouse_url
from revgen.errors import ConfigError
from revgen.load.schema import drop_revgen_schemas, ensure_schema
from revgen.policy import company_policy_path, load_policy
from revgen.sources.files.mapping import MAPPING_FILE, load_mapping
from revgen.sources.files.reader import files_for

log = logging.getLogger(__name__)

SOURCES = tuple(dict.fromkeys(stream.source for stream in STREAMS))
DEMO_MARK = "ground_truth.json"  # the generator writes it beside the demo's landing folders
COMPANY_MARK = ".revgen-company"  # which company folder the landing folder was brought from


def _sources_of(folder: Path) -> list[str]:
    found = [source for source in SOURCES if (folder / source / MAPPING_FILE).is_file()]
    if not found:
        raise ConfigError(
            f"{folder} holds no mapping: expected {' or '.join(f'{s}/{MAPPING_FILE}' for s in SOURCES)}"
            " (docs/bring_your_own_data.md; examples/ has worked ones)."
        )
    return found


def _clear_demo_warehouse(url: str) -> bool:
    """Empty the warehouse when it holds the demo company; never when it holds anything else."""
    with connect(url, autocommit=True) as conn:
        ensure_schema(conn)
        if conn.execute("select 1 from revgen_meta.demo_company").fetchone() is None:
            return False
        with conn.transaction():
            drop_revgen_schemas(conn)
        ensure_schema(conn)
    return True


def _clear_demo_landing(landing: Path) -> bool:
    """Remove the demo's landing files (the generator marks them); leave anything else."""
    if not (landing / DEMO_MARK).exists():
        return False
    for source in SOURCES:
        shutil.rmtree(landing / source, ignore_errors=True)
    (landing / DEMO_MARK).unlink()
    return True


def _copy_private(source: Path, target: Path) -> None:
    """Copy a file readable by its owner only (exports carry personal data)."""
    target.unlink(missing_ok=True)
    with open(source, "rb") as reader, open(target, "xb", opener=_private_opener) as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)


def _private_opener(path: str, flags: int) -> int:
    import os

    return os.open(path, flags, 0o600)


def install(folder: Path, exports: Path | None = None) -> dict[str, list[str]]:
    """Set up the landing folders and the policy for a company folder; return the files copied per
    source. Clears the demo company first (warehouse and landing), nothing else."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise ConfigError(
            f"{folder} is not a folder: name a company folder such as examples/maven_crm."
        )
    if exports is not None and not exports.is_dir():
        raise ConfigError(f"--exports {exports} is not a folder.")
    sources = _sources_of(folder)
    # read (and so checked) once, before anything is touched: a bad mapping or policy fails here
    mappings = {source: load_mapping(folder / source, source) for source in sources}
    policy_file = folder / "policy.yml"
    if policy_file.exists():
        load_policy(policy_file)

    landing = paths().landing
    mark = landing / COMPANY_MARK
    if mark.exists() and mark.read_text().strip() != str(folder):
        raise ConfigError(
            f"{landing} holds another company's exports (brought from {mark.read_text().strip()}), "
            "and revgen will not mix two companies: bring this one into another REVGEN_HOME "
            "(REVGEN_HOME=/path/to/home revgen bring ...), or `make clean` to delete all local data."
        )
    url = warehouse_url()
    check_reachable(url)
    if _clear_demo_warehouse(url):
        click.echo("    the warehouse held the demo company: emptied it first")
    if _clear_demo_landing(landing):
        click.echo(f"    removed the demo's landing files from {landing}")

    landing.mkdir(parents=True, exist_ok=True)
    mark.write_text(f"{folder}\n")
    copied: dict[str, list[str]] = {}
    for source in sources:
        target = landing / source
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        _copy_private(folder / source / MAPPING_FILE, target / MAPPING_FILE)
        mapping = mappings[source]
        names: set[str] = set()
        for origin in (folder / source, exports):
            if origin is None:
                continue
            for stream in (s for s in STREAMS if s.source == source):
                stream_mapping = mapping.for_stream(stream) if mapping else None
                for path in files_for(origin, stream, stream_mapping):
                    if path.name not in names:
                        _copy_private(path, target / path.name)
                        names.add(path.name)
        copied[source] = sorted(names)
        click.echo(f"    {source}: {MAPPING_FILE} and {len(names)} export file(s) -> {target}")

    installed = company_policy_path()
    if policy_file.exists():
        installed.parent.mkdir(parents=True, exist_ok=True)
        _copy_private(policy_file, installed)
        click.echo(f"    policy: {installed} (over dbt_project/policy.yml)")
    else:
        installed.unlink(missing_ok=True)
    if not any(copied.values()):
        raise ConfigError(
            f"No export file matched the mappings' `files:` in {folder}"
            + (f" or {exports}" if exports else "")
            + ": put the exports beside their mapping.yml, or name their folder with --exports."
        )
    return copied


def bring(folder: Path, exports: Path | None, as_of: str, run: bool = True) -> None:
    from revgen.demo import run_nightly

    click.echo(f"1/2 bringing {folder} into {paths().landing}")
    install(folder, exports)
    if run:
        click.echo(f"2/2 the nightly run as of {as_of}")
        run_nightly(as_of)
    else:
        click.echo(f"2/2 skipped: run it with `revgen run --as-of {as_of}`")
