"""The raw contract: the canonical tables every source lands in (documented in docs/raw_contract.md).

One schema per source system: `raw_marketing` (marketing automation: HubSpot, Marketo, Pardot style)
and `raw_crm` (Salesforce style). Every column lands as the type named here; a value that does not
parse as its type rejects its row (with file, line, field and reason), it never fails the batch.
Every raw row also carries `_source`, `_batch_id` and `_loaded_at`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# SQL type of each contract type; `email` is text checked for shape.
SQL_TYPES = {
    "text": "text",
    "email": "text",
    "int": "bigint",
    "numeric": "numeric(18,2)",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}


# Words PostgreSQL reads as a value of these types though no export means them as data: a row
# holding one is rejected (invalid_<type>), and a file holding one never takes the direct COPY.
_TIME_WORDS = (
    "epoch",
    "infinity",
    "+infinity",
    "-infinity",
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "allballs",
)
_NUMBER_WORDS = ("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
SPECIAL_WORDS = {
    "timestamp": _TIME_WORDS,
    "date": _TIME_WORDS,
    "numeric": _NUMBER_WORDS,
    "int": _NUMBER_WORDS,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    required: bool = False
    description: str = ""
    non_negative: bool = False  # numbers that cannot be below zero (spend, amounts, durations)


@dataclass(frozen=True)
class Reference:
    """A value that must name a row of another stream of the same source (e.g. an owner id)."""

    column: str
    stream: str
    target_column: str


@dataclass(frozen=True)
class Stream:
    source: str
    name: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str
    references: tuple[Reference, ...] = field(default_factory=tuple)
    # timestamp columns that may not lie after the load's as-of time
    no_future: tuple[str, ...] = field(default_factory=tuple)

    @property
    def schema(self) -> str:
        return f"raw_{self.source}"

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _c(
    name: str,
    type_: str = "text",
    required: bool = False,
    description: str = "",
    non_negative: bool = False,
) -> Column:
    return Column(name, type_, required, description, non_negative)


MARKETING = "marketing"
CRM = "crm"

# fmt: off
STREAMS: tuple[Stream, ...] = (
    # ------------------------------------------------------------------ marketing automation
    Stream(MARKETING, "nurture_programs", ("program_id",), (
        _c("program_id", required=True),
        _c("name", required=True),
        _c("is_active", "bool", required=True),
    ), "Nurture programs: the marketing 'owner' of a prospect that sales does not work."),
    Stream(MARKETING, "campaigns", ("campaign_id",), (
        _c("campaign_id", required=True),
        _c("name", required=True),
        _c("channel", required=True),
        _c("started_on", "date", required=True),
        _c("ended_on", "date"),
    ), "Campaigns, each on one channel."),
    Stream(MARKETING, "campaign_spend", ("campaign_id", "spend_date"), (
        _c("campaign_id", required=True),
        _c("spend_date", "date", required=True),
        _c("amount", "numeric", required=True, description="USD", non_negative=True),
        _c("currency", required=True),
    ), "Daily spend per campaign.",
        references=(Reference("campaign_id", "campaigns", "campaign_id"),)),
    Stream(MARKETING, "contacts", ("contact_id",), (
        _c("contact_id", required=True),
        _c("email", "email", description="links the person to CRM leads; a person may have none"),
        _c("first_name"),
        _c("last_name"),
        _c("job_title"),
        _c("company"),
        _c("industry"),
        _c("country"),
        _c("company_size", "int"),
        _c("nurture_program_id", description="current nurture program (current state only)"),
        _c("created_at", "timestamp", required=True),
        _c("updated_at", "timestamp", required=True),
        _c("merged_into_id", description="set when this record was merged into another contact"),
        _c("is_deleted", "bool", description="deleted in the marketing tool: not a person"),
    ), "Known people (the database stage and beyond), merged and deleted records included.",
        no_future=("created_at", "updated_at")),
    Stream(MARKETING, "touchpoints", ("touchpoint_id",), (
        _c("touchpoint_id", required=True),
        _c("contact_id", description="null for anonymous visitors"),
        _c("visitor_id"),
        _c("campaign_id"),
        _c("channel", required=True),
        _c("touch_type", required=True),
        _c("touched_at", "timestamp", required=True),
    ), "Every interaction: impressions, visits, clicks, form fills, events.",
        no_future=("touched_at",)),
    Stream(MARKETING, "lead_scores", ("score_id",), (
        _c("score_id", required=True),
        _c("contact_id", required=True),
        _c("score", "int", required=True),
        _c("scored_at", "timestamp", required=True),
    ), "Lead-score changes (the score after each change).", no_future=("scored_at",)),
    Stream(MARKETING, "lifecycle_changes", ("change_id",), (
        _c("change_id", required=True),
        _c("contact_id", required=True),
        _c("lifecycle_stage", required=True,
           description="the marketing tool's own lifecycle stage (subscriber, marketingqualifiedlead, ...)"),
        _c("changed_at", "timestamp", required=True),
    ), "Lifecycle-stage changes as the marketing tool records them: stage evidence when the "
       "policy's `evidence` names `lifecycle` (its words: `lifecycle_stages`).",
        no_future=("changed_at",)),
    # ------------------------------------------------------------------ CRM
    Stream(CRM, "users", ("user_id",), (
        _c("user_id", required=True),
        _c("name", required=True),
        _c("email", "email"),
        _c("role", required=True, description="sdr, ae, am or marketing"),
        _c("team", required=True, description="sales or marketing"),
        _c("is_active", "bool", required=True),
        _c("deactivated_at", "timestamp"),
        _c("annual_revenue_target", "numeric", description="USD; the policy default when empty"),
        _c("office", description="office or region the user works from"),
        _c("manager", description="the user's manager (a name or an id)"),
    ), "Users of the CRM: sales reps and marketers."),
    Stream(CRM, "accounts", ("account_id",), (
        _c("account_id", required=True),
        _c("name", required=True),
        _c("industry"),
        _c("country"),
        _c("company_size", "int"),
        _c("owner_id", description="account manager"),
        _c("created_at", "timestamp", required=True),
    ), "Companies that bought, or are being sold to.",
        references=(Reference("owner_id", "users", "user_id"),), no_future=("created_at",)),
    Stream(CRM, "leads", ("lead_id",), (
        _c("lead_id", required=True),
        _c("contact_id", description="the marketing contact this lead came from"),
        _c("email", "email"),
        _c("status", required=True,
           description="new, working, nurturing, recycled, disqualified, converted (Salesforce's "
                       "standard statuses are understood too: the policy's `lead_statuses`)"),
        _c("lead_source", description="marketing (an MQL hand-over) or sales (sales-sourced)"),
        _c("channel", description="the channel the lead came from (the CRM's lead source: "
                                  "Google, Referral, ...) when no touchpoint says"),
        _c("origin", description="how the lead was created (web form, import, API, ...)"),
        _c("owner_id"),
        _c("created_at", "timestamp", required=True),
        _c("updated_at", "timestamp", required=True),
    ), "CRM leads (current state).",
        references=(Reference("owner_id", "users", "user_id"),),
        no_future=("created_at", "updated_at")),
    Stream(CRM, "lead_history", ("history_id",), (
        _c("history_id", required=True),
        _c("lead_id", required=True),
        _c("field", required=True, description="status or owner_id"),
        _c("old_value"),
        _c("new_value"),
        _c("changed_at", "timestamp", required=True),
    ), "Every change of a lead's status or owner (Salesforce LeadHistory style).",
        references=(Reference("lead_id", "leads", "lead_id"),), no_future=("changed_at",)),
    Stream(CRM, "contacts", ("contact_id",), (
        _c("contact_id", required=True),
        _c("account_id"),
        _c("lead_id", description="the lead this contact was converted from"),
        _c("email", "email"),
        _c("first_name"),
        _c("last_name"),
        _c("created_at", "timestamp", required=True),
    ), "CRM contacts: people at accounts, most converted from leads.",
        references=(Reference("account_id", "accounts", "account_id"),),
        no_future=("created_at",)),
    Stream(CRM, "opportunities", ("opportunity_id",), (
        _c("opportunity_id", required=True),
        _c("account_id"),
        _c("lead_id", description="the lead it was converted from (new business)"),
        _c("contact_id", description="the CRM contact it is with, when the export names no "
                                     "lead: the deal reaches the lead that contact came from"),
        _c("name"),
        _c("opportunity_type", description="new_business, upsell, cross_sell or renewal"),
        _c("stage", required=True, description="discovery, proposal, negotiation, won, lost"),
        _c("amount", "numeric", description="USD", non_negative=True),
        _c("currency"),
        _c("has_budget", "bool"),
        _c("owner_id"),
        _c("created_at", "timestamp", required=True),
        _c("closed_at", "timestamp"),
    ), "Opportunities (current state).",
        references=(Reference("owner_id", "users", "user_id"),
                    Reference("account_id", "accounts", "account_id")),
        no_future=("created_at", "closed_at")),
    Stream(CRM, "opportunity_history", ("history_id",), (
        _c("history_id", required=True),
        _c("opportunity_id", required=True),
        _c("stage", required=True),
        _c("amount", "numeric"),
        _c("changed_at", "timestamp", required=True),
    ), "Every stage change of an opportunity (OpportunityHistory style), backward moves included.",
        references=(Reference("opportunity_id", "opportunities", "opportunity_id"),),
        no_future=("changed_at",)),
    Stream(CRM, "activities", ("activity_id",), (
        _c("activity_id", required=True),
        _c("activity_type", required=True, description="call, meeting or email"),
        _c("owner_id", required=True),
        _c("lead_id"),
        _c("opportunity_id"),
        _c("contact_id", description="the CRM contact worked, when the export names no lead or "
                                     "opportunity: it reaches the lead that contact came from"),
        _c("started_at", "timestamp", required=True),
        _c("duration_minutes", "int", non_negative=True),
    ), "Sales activities (calls, meetings, emails) with their duration.",
        references=(Reference("owner_id", "users", "user_id"),),
        no_future=("started_at",)),
    Stream(CRM, "orders", ("order_id",), (
        _c("order_id", required=True),
        _c("account_id", required=True),
        _c("opportunity_id"),
        _c("order_type", required=True, description="new_business, upsell, cross_sell or renewal"),
        _c("product", required=True),
        _c("amount", "numeric", required=True, description="contract value, USD",
           non_negative=True),
        _c("currency", required=True),
        _c("started_on", "date", required=True),
        _c("ended_on", "date", description="set when the subscription ended (churn)"),
    ), "Orders and subscriptions: what customers bought (retention, up-sell, cross-sell).",
        references=(Reference("account_id", "accounts", "account_id"),)),
)
# fmt: on

STREAMS_BY_KEY = {(stream.source, stream.name): stream for stream in STREAMS}


def stream(source: str, name: str) -> Stream:
    return STREAMS_BY_KEY[(source, name)]


def markdown() -> str:
    """docs/raw_contract.md, rendered from the declarations above (a test keeps them in sync)."""
    lines = [
        "# The raw contract",
        "",
        "Generated by `revgen contract > docs/raw_contract.md` from `revgen/contract.py`; a test",
        "keeps the two in sync. Every source lands in these tables, one schema per source system.",
        "Each row also carries `_source`, `_batch_id` (the load batch) and `_loaded_at` (UTC).",
        "A value that does not parse as its column's type, a missing required value, a timestamp",
        "in the future, a duplicate key within a file or an unknown referenced id rejects its row into",
        "`revgen_meta.rejects` (file, line, field, value, reason); the rest of the file loads.",
        "",
        "Timestamps are ISO 8601 (UTC unless an offset is given); booleans `true`/`false`; money",
        "has two decimals.",
    ]
    for item in STREAMS:
        lines += [
            "",
            f"## `{item.table}`",
            "",
            item.description,
            "",
            f"Grain: one row per {', '.join(item.primary_key)}. "
            f"Primary key: ({', '.join(item.primary_key)}).",
            "",
        ]
        if item.references:
            refs = "; ".join(
                f"`{r.column}` → `{item.schema}.{r.stream}.{r.target_column}`"
                for r in item.references
            )
            lines += [f"References: {refs}.", ""]
        lines += ["| column | type | required | notes |", "|---|---|---|---|"]
        for column in item.columns:
            notes = column.description
            if column.name in item.no_future:
                notes = (notes + "; " if notes else "") + "not in the future"
            if column.non_negative:
                notes = (notes + "; " if notes else "") + "not negative"
            lines.append(
                f"| `{column.name}` | {column.type} | {'yes' if column.required else ''} "
                f"| {notes} |"
            )
    return "\n".join(lines) + "\n"


SOURCE_DESCRIPTIONS = {
    MARKETING: "Marketing automation exports (HubSpot, Marketo, Pardot style), landed by revgen's "
    "loaders.",
    CRM: "CRM exports (Salesforce style), landed by revgen's loaders.",
}
# how late a source's newest load may be before `dbt source freshness` warns, then errors
FRESHNESS_HOURS = {"warn": 36, "error": 72}


def dbt_sources(source: str) -> str:
    """dbt's sources yml of one raw schema (models/staging/<source>/_<source>__sources.yml),
    rendered from the contract (a test keeps them in sync): tables, descriptions, freshness."""
    import json

    lines = [
        f"# Generated by `revgen contract --dbt-sources {source}` from revgen/contract.py.",
        "version: 2",
        "",
        "sources:",
        f"  - name: {source}",
        f"    description: {json.dumps(SOURCE_DESCRIPTIONS[source])}",
        f"    schema: raw_{source}",
        "    config:",
        "      loaded_at_field: _loaded_at",
        "      freshness:",
        f"        warn_after: {{count: {FRESHNESS_HOURS['warn']}, period: hour}}",
        f"        error_after: {{count: {FRESHNESS_HOURS['error']}, period: hour}}",
        "    tables:",
    ]
    for item in (s for s in STREAMS if s.source == source):
        lines += [
            f"      - name: {item.name}",
            f"        description: {json.dumps(item.description)}",
        ]
    return "\n".join(lines) + "\n"
