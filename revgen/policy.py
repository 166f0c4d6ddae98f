"""The policy file (`dbt_project/policy.yml`): loaded, validated, handed to dbt as vars."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from revgen.config import paths, read_yaml
from revgen.errors import ConfigError

STAGE_NAMES = ("awareness", "preference", "database", "prospect", "lead", "opportunity", "customer")
# awareness and preference are measured per campaign (mostly anonymous reach); from the database
# stage on, per person. dbt's macro person_stages() and kpi_stage_volume.is_per_person read this.
PER_PERSON_FROM = STAGE_NAMES.index("database")
PERSON_STAGES = STAGE_NAMES[PER_PERSON_FROM:]


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
    # where a person goes when their deal is lost: back to marketing's nurture (principle 3), to
    # sales as a lead, or to the database: closed for good, no longer anyone's to own
    lost_returns_to: Literal["prospect", "lead", "database"] = "prospect"

    @field_validator("sub_stages")
    @classmethod
    def _as_staging_reads_them(cls, value: list[str]) -> list[str]:
        """Stages are compared lower-cased and trimmed, as the staging models read the CRM's."""
        return [stage.strip().lower() for stage in value]


# What can show that a person entered a stage, per stage (docs/bring_your_own_data.md):
#   computed            revgen's own rule: prospect = ICP fit + an interest touch; lead = score
#   lifecycle           the marketing tool's lifecycle-stage changes (words: lifecycle_stages)
#   crm_lead            a CRM lead's status: created new/working -> lead, nurturing -> prospect
#   lead_converted      a lead's status turning converted, when it has an opportunity
#   opportunity_created an opportunity's creation
#   won_deal            a deal won (history, else the opportunity's own stage and close date)
EVIDENCE_KINDS = {
    "prospect": ("computed", "lifecycle", "crm_lead"),
    "lead": ("computed", "lifecycle", "crm_lead"),
    "opportunity": ("lead_converted", "opportunity_created", "lifecycle"),
    "customer": ("won_deal", "lifecycle"),
}

# Salesforce's standard lead statuses (and plain words) -> the contract's lead statuses.
LEAD_STATUSES = {
    "open - not contacted": "new",
    "open": "new",
    "working - contacted": "working",
    "contacted": "working",
    "qualified": "working",
    "nurturing": "nurturing",
    "nurture": "nurturing",
    "unqualified": "disqualified",
    "closed - not converted": "disqualified",
    "closed - converted": "converted",
}

# HubSpot's lifecycle stages -> revgen's stages (a word mapped to null is ignored).
LIFECYCLE_STAGES: dict[str, str | None] = {
    "subscriber": "database",
    "lead": "prospect",
    "marketingqualifiedlead": "lead",
    "salesqualifiedlead": "lead",
    "opportunity": "opportunity",
    "customer": "customer",
    "evangelist": "customer",
    "other": None,
}

# Who can own a person in each open stage, per stage (the first kind that names someone wins):
#   nurture_program   the contact's nurture program (marketing automation)
#   marketing_user    the person's CRM lead owner, when that user is in the marketing team
#   lead_owner        the owner of the person's latest CRM lead
#   opportunity_owner the owner of the person's latest opportunity
#   account_owner     the owner of the account of the person's won deal
#   won_deal_owner    the owner of the person's won deal (the rep who closed it)
OWNER_KINDS = (
    "nurture_program",
    "marketing_user",
    "lead_owner",
    "opportunity_owner",
    "account_owner",
    "won_deal_owner",
)

LEAD_STATUS_WORDS = ("new", "working", "nurturing", "recycled", "disqualified", "converted")


class Evidence(_Strict):
    prospect: list[str] = Field(default=["computed"], min_length=1)
    lead: list[str] = Field(default=["computed"], min_length=1)
    opportunity: list[str] = Field(default=["lead_converted"], min_length=1)
    customer: list[str] = Field(default=["won_deal"], min_length=1)

    @model_validator(mode="after")
    def _known_kinds(self) -> Evidence:
        for stage, allowed in EVIDENCE_KINDS.items():
            unknown = set(getattr(self, stage)) - set(allowed)
            if unknown:
                raise ValueError(
                    f"{stage}: {', '.join(sorted(unknown))} cannot show a {stage}; "
                    f"choose from {', '.join(allowed)}"
                )
        return self


class Owners(_Strict):
    prospect: list[Literal[OWNER_KINDS]] = Field(default=["nurture_program"], min_length=1)  # type: ignore[valid-type]
    lead: list[Literal[OWNER_KINDS]] = Field(default=["lead_owner"], min_length=1)  # type: ignore[valid-type]
    opportunity: list[Literal[OWNER_KINDS]] = Field(default=["opportunity_owner"], min_length=1)  # type: ignore[valid-type]
    customer: list[Literal[OWNER_KINDS]] = Field(default=["account_owner"], min_length=1)  # type: ignore[valid-type]


class Alerts(_Strict):
    quiet_period_hours: float = Field(default=24, ge=0)


RECORD_KINDS = ("opportunity", "lead", "contact")


class Report(_Strict):
    """The funnel report: the days each side of the this-period-against-last comparison, and a
    link template per CRM record kind (`{id}` is replaced by the URL-quoted id; none: no link)."""

    comparison_days: int = Field(default=30, gt=0)
    record_urls: dict[Literal[RECORD_KINDS], str | None] = {}  # type: ignore[valid-type]

    @field_validator("record_urls")
    @classmethod
    def _safe_templates(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for kind, template in value.items():
            if template is None:
                continue
            parts = urlsplit(template.strip())
            scheme = parts.scheme.lower()
            if scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"record_urls.{kind}: a link must start with https:// or http:// and a "
                    f"host (got {template!r})"
                )
            rest = template.replace("{id}", "", 1)
            if "{id}" not in template or "{" in rest or "}" in rest:
                raise ValueError(
                    f"record_urls.{kind}: write {{id}} once where the record's id goes, "
                    "and no other braces"
                )
        return value

    def record_url(self, kind: str, record_id: str | None) -> str | None:
        """The CRM link of one record, or None (no template for its kind, or no id)."""
        template = self.record_urls.get(kind)
        if not template or not record_id:
            return None
        return template.strip().replace("{id}", quote(str(record_id), safe=""))


class WastedTime(_Strict):
    annual_revenue_target_usd: float = Field(gt=0)
    working_days_per_year: float = Field(gt=0)
    hours_per_day: float = Field(gt=0)

    def hourly_value_of(self, annual_target_usd: float | None) -> float:
        """Principle 1: a rep's hourly value = annual revenue target / (working days x hours a
        day), this policy's target when the rep has none (SQL: macro hourly_value_usd)."""
        target = annual_target_usd or self.annual_revenue_target_usd
        return target / (self.working_days_per_year * self.hours_per_day)

    @property
    def hourly_value_usd(self) -> float:
        """The hourly value of a rep with the policy's default target."""
        return self.hourly_value_of(None)


class Policy(_Strict):
    stages: list[StagePolicy]
    icp: Icp
    interest: Interest
    mql: Mql
    opportunity: OpportunityRule = OpportunityRule()
    # null: the exports hold no sales activities, so staleness cannot be measured (not judged)
    stale_days: int | None = Field(gt=0)
    alerts: Alerts = Alerts()
    report: Report = Report()
    wasted_time: WastedTime
    evidence: Evidence = Evidence()
    owners: Owners = Owners()
    # company words on top of the built-in ones (lower-case keys; a company's word wins)
    lead_statuses: dict[str, str] = {}
    lifecycle_stages: dict[str, str | None] = {}

    @model_validator(mode="after")
    def _known_words(self) -> Policy:
        wrong = {k: v for k, v in self.lead_statuses.items() if v not in LEAD_STATUS_WORDS}
        if wrong:
            raise ValueError(
                f"lead_statuses: {', '.join(f'{k} -> {v}' for k, v in wrong.items())}: "
                f"a status must become one of {', '.join(LEAD_STATUS_WORDS)}"
            )
        wrong_stages = {
            k: v
            for k, v in self.lifecycle_stages.items()
            if v is not None and v not in PERSON_STAGES
        }
        if wrong_stages:
            raise ValueError(
                f"lifecycle_stages: {', '.join(f'{k} -> {v}' for k, v in wrong_stages.items())}: "
                f"a lifecycle word must become one of {', '.join(PERSON_STAGES)} or null"
            )
        return self

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
        policy = self.model_dump(mode="json")
        policy["per_person_from"] = PER_PERSON_FROM + 1  # a stage_order: database
        # the built-in vocabularies under the company's own words, keys lower-cased
        policy["lead_statuses"] = {
            **LEAD_STATUSES,
            **{k.strip().lower(): v for k, v in self.lead_statuses.items()},
        }
        policy["lifecycle_stages"] = {
            **LIFECYCLE_STAGES,
            **{k.strip().lower(): v for k, v in self.lifecycle_stages.items()},
        }
        return {"policy": policy}


def base_policy_path() -> Path:
    """The policy file revgen ships: every other policy file names only what differs from it."""
    return paths().dbt_project / "policy.yml"


def company_policy_path() -> Path:
    """Where `revgen bring` puts a company's own policy file (it wins over the shipped one)."""
    return paths().home / "policy.yml"


def default_policy_path() -> Path:
    """REVGEN_POLICY when set (another company's or a what-if policy), else the policy that
    `revgen bring` installed under REVGEN_HOME, else dbt_project/policy.yml."""
    override = os.environ.get("REVGEN_POLICY")
    if override:
        return Path(override)
    installed = company_policy_path()
    return installed if installed.exists() else base_policy_path()


def _read_yaml(path: Path) -> object:
    try:
        return read_yaml(path.read_text())
    except OSError as err:
        raise ConfigError(f"Cannot read the policy file {path}: {err.strerror}.") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"The policy file {path} is not valid YAML: {err}") from err


def _merged(base: object, override: object) -> object:
    """`override` over `base`: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{key: _merged(base.get(key), value) for key, value in override.items()}}
    return override


def load_policy(path: Path | None = None) -> Policy:
    """The policy: a company's file names only what differs from the shipped one (a full file
    works too: whatever it names wins)."""
    path = path or default_policy_path()
    data = _read_yaml(path)
    base = base_policy_path()
    if path.resolve() != base.resolve():
        if not isinstance(data, dict):
            raise ConfigError(
                f"The policy file {path} must be a mapping of policy keys "
                f"(see {base}), not {type(data).__name__}."
            )
        data = _merged(_read_yaml(base), data)
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top)'}: {error['msg']}"
            for error in err.errors()
        )
        raise ConfigError(f"The policy file {path} is invalid: {problems}") from err
