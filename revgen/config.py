"""Where revgen keeps things, read once from the environment.

REVGEN_HOME (default: `.revgen/` in the project) holds everything generated at run time: the local
PostgreSQL data folder, Airflow's home (SQLite metadata, logs), the landing folder for source files,
dbt's target folder and the reports. It is git-ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_CONN_ID = "revgen_warehouse"
DATABASE_NAME = "revgen"


@dataclass(frozen=True)
class Paths:
    root: Path
    home: Path

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def dbt_project(self) -> Path:
        return self.root / "dbt_project"

    @property
    def dags(self) -> Path:
        return self.root / "dags"

    @property
    def expectations(self) -> Path:
        return self.root / "expectations"


def paths() -> Paths:
    home = os.environ.get("REVGEN_HOME")
    return Paths(root=PROJECT_ROOT, home=Path(home).resolve() if home else PROJECT_ROOT / ".revgen")


def read_yaml(text: str) -> object:
    """YAML as revgen's configuration files use it (safe types only); a key written twice in one
    mapping is an error, never silently the last one (yaml.YAMLError names its line)."""
    import yaml

    class _StrictLoader(yaml.SafeLoader):
        pass

    def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return loader.construct_mapping(node)

    _StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
