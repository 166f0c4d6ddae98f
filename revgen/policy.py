"""The policy file (`dbt_project/policy.yml`): loaded, validated, handed to dbt as vars."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from revgen.config import paths
from revgen.errors import ConfigError

STAGE_NAMES = ("awareness", "preference", "database", "prospect", "lead", "opportunity", "customer")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StagePolicy(_Strict):
    name: str
    owner_team: Literal["sales", "marketing"]
    sla_hours: float | None = Field(default=None, gt=0)
    target_conversion: float | None = Field(default=None, ge=0, le=1)
    target_velocity_days: float | None = Field(default=None, gt=0)


class Icp(_Strict):
    industries: list[str]
    countries: list[str]
    min_company_size: int = Field(ge=0)
    job_title_keywords: list[str] = []


class Interest(_Strict):
    touch_types: list[str] = Field(min_length=1)


class Mql(_Strict):
    score_threshold: int = Field(gt=0)


class OpportunityRule(_Strict):
    require_budget: bool = True
    sub_stages: list[str] = Field(default=["discovery", "proposal", "negotiation"], min_length=1)


class Alerts(_Strict):
    quiet_period_hours: float = Field(default=24, ge=0)


class WastedTime(_Strict):
    annual_revenue_target_usd: float = Field(gt=0)
    working_days_per_year: float = Field(gt=0)
    hours_per_day: float = Field(gt=0)

    @property
    def hourly_value_usd(self) -> float:
        return self.annual_revenue_target_usd / (self.working_days_per_year * self.hours_per_day)


class Policy(_Strict):
    stages: list[StagePolicy]
    icp: Icp
    interest: Interest
    mql: Mql
    opportunity: OpportunityRule = OpportunityRule()
    stale_days: int = Field(gt=0)
    alerts: Alerts = Alerts()
    wasted_time: WastedTime

    @model_validator(mode="after")
    def _stages_in_order(self) -> Policy:
        names = tuple(stage.name for stage in self.stages)
        if names != STAGE_NAMES:
            raise ValueError(
                f"stages must be, in this order: {', '.join(STAGE_NAMES)} (got {names})"
            )
        return self

    def stage(self, name: str) -> StagePolicy:
        return next(stage for stage in self.stages if stage.name == name)

    def dbt_vars(self) -> dict:
        return {"policy": self.model_dump(mode="json")}


def default_policy_path() -> Path:
    """REVGEN_POLICY when set (another company's or a what-if policy), else dbt_project/policy.yml."""
    override = os.environ.get("REVGEN_POLICY")
    return Path(override) if override else paths().dbt_project / "policy.yml"


def load_policy(path: Path | None = None) -> Policy:
    path = path or default_policy_path()
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"Cannot read the policy file {path}: {err.strerror}.") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"The policy file {path} is not valid YAML: {err}") from err
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top)'}: {error['msg']}"
            for error in err.errors()
        )
        raise ConfigError(f"The policy file {path} is invalid: {problems}") from err
