"""Read and validate expectations/suites.yml (no GX import here: cheap for DAG parsing and tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from revgen.config import paths
from revgen.errors import ConfigError


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str = ""
    table: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
    id_column: str | None = None
    blocking: bool
    expectations: list[dict[str, dict[str, Any]]] = Field(min_length=1)

    @field_validator("expectations")
    @classmethod
    def _one_key_each(
        cls, value: list[dict[str, dict[str, Any]]]
    ) -> list[dict[str, dict[str, Any]]]:
        for item in value:
            if len(item) != 1:
                raise ValueError("each expectation is one `expectation_name: {arguments}` mapping")
        return value

    @property
    def schema_name(self) -> str:
        return self.table.split(".")[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".")[1]


def load_suites(path: Path | None = None) -> list[Suite]:
    """The suites of REVGEN_SUITES when set (another company's gates), else expectations/suites.yml."""
    override = os.environ.get("REVGEN_SUITES")
    path = path or (Path(override) if override else paths().expectations / "suites.yml")
    try:
        data = yaml.safe_load(path.read_text()) or {}
        return [
            Suite.model_validate({**body, "name": name})
            for name, body in (data.get("suites") or {}).items()
        ]
    except OSError as err:
        raise ConfigError(f"Cannot read the suites file {path}: {err.strerror}.") from err
    except (yaml.YAMLError, ValidationError, AttributeError, TypeError) as err:
        raise ConfigError(f"The suites file {path} is invalid: {err}") from err
