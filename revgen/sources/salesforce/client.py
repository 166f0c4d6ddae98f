"""Salesforce REST API: SOQL `query` filtered on SystemModstamp (CreatedDate for history objects),
paged with nextRecordsUrl; User, Lead, LeadHistory, Account, Contact, Opportunity,
OpportunityHistory, Task, Event, Campaign and CampaignMember, each mapped onto the raw contract
and loaded incrementally (revgen.load.incremental)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import requests

from revgen.contract import stream
from revgen.records import IncrementalStream
from revgen.sources.http import ApiClient, ApiError, RetryPolicy
from revgen.sources.salesforce import settings as s


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _word(table: dict[str, str], value) -> str | None:
    return None if value is None else table.get(str(value).lower(), str(value).lower())


def _soql_time(iso_time: str) -> str:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def _role(title: str | None, department: str | None) -> str:
    words = f"{title or ''} {department or ''}".lower()
    for word, role in s.ROLE_WORDS.items():
        if word in words:
            return role
    return "ae"


def access_token(instance_url: str, password: str | None, extra: dict) -> str:
    """The connection's token, or one obtained with the OAuth client-credentials flow."""
    if extra.get("client_id") and extra.get("client_secret"):
        response = requests.post(
            f"{instance_url.rstrip('/')}/services/oauth2/token",
            timeout=30,
            data={
                "grant_type": "client_credentials",
                "client_id": extra["client_id"],
                "client_secret": extra["client_secret"],
            },
        )
        if response.status_code != 200:
            raise ApiError(
                f"salesforce: the OAuth token request answered "
                f"{response.status_code}; check the connection's client_id/secret."
            )
        return response.json()["access_token"]
    if not password:
        raise ApiError(
            "salesforce: the connection has neither an access token (password) nor "
            "client_id/client_secret (extra)."
        )
    return password


class Salesforce:
    def __init__(self, instance_url: str, token: str, retry_policy: RetryPolicy | None = None):
        self.api = ApiClient("salesforce", instance_url, token, retry_policy)

    def query(self, soql: str) -> Iterator[dict]:
        page = self.api.request("GET", f"/services/data/{s.API_VERSION}/query", params={"q": soql})
        while True:
            yield from page.get("records", [])
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self.api.request("GET", page["nextRecordsUrl"])

    def _object(
        self, name: str, fields: list[str], cursor: str, mapper: Callable[[dict], dict]
    ) -> Callable[[str | None], Iterator[tuple[dict, str]]]:
        def fetch(since: str | None) -> Iterator[tuple[dict, str]]:
            where = f" WHERE {cursor} >= {_soql_time(since)}" if since else ""
            soql = f"SELECT {', '.join(fields)}, {cursor} FROM {name}{where} ORDER BY {cursor} ASC"
            for record in self.query(soql):
                yield mapper(record), record[cursor]

        return fetch

    def streams(self) -> list[IncrementalStream]:
        def item(key, contract_source, contract_stream, fields, mapper, cursor="SystemModstamp"):
            return IncrementalStream(
                "salesforce",
                key,
                stream(contract_source, contract_stream),
                self._object(key, fields, cursor, mapper),
            )

        return [
            item(
                "User",
                "crm",
                "users",
                [
                    "Id",
                    "Name",
                    "Email",
                    "Title",
                    "Department",
                    "IsActive",
                    "LastModifiedDate",
                    s.REVENUE_TARGET_FIELD,
                ],
                lambda r: {
                    "user_id": r["Id"],
                    "name": r.get("Name"),
                    "email": r.get("Email"),
                    "role": _role(r.get("Title"), r.get("Department")),
                    "team": "marketing"
                    if "marketing" in (r.get("Department") or "").lower()
                    else "sales",
                    "is_active": _text(r.get("IsActive")),
                    "deactivated_at": None if r.get("IsActive") else r.get("LastModifiedDate"),
                    "annual_revenue_target": _text(r.get(s.REVENUE_TARGET_FIELD)),
                },
            ),
            item(
                "Account",
                "crm",
                "accounts",
                [
                    "Id",
                    "Name",
                    "Industry",
                    "BillingCountry",
                    "NumberOfEmployees",
                    "OwnerId",
                    "CreatedDate",
                ],
                lambda r: {
                    "account_id": r["Id"],
                    "name": r.get("Name"),
                    "industry": r.get("Industry"),
                    "country": r.get("BillingCountry"),
                    "company_size": _text(r.get("NumberOfEmployees")),
                    "owner_id": r.get("OwnerId"),
                    "created_at": r.get("CreatedDate"),
                },
            ),
            item(
                "Lead",
                "crm",
                "leads",
                [
                    "Id",
                    "Email",
                    "Status",
                    "LeadSource",
                    "OwnerId",
                    "CreatedDate",
                    "LastModifiedDate",
                    s.MARKETING_CONTACT_FIELD,
                ],
                lambda r: {
                    "lead_id": r["Id"],
                    "contact_id": r.get(s.MARKETING_CONTACT_FIELD),
                    "email": r.get("Email"),
                    "status": _word(s.LEAD_STATUS, r.get("Status")),
                    "lead_source": _text(r.get("LeadSource")),
                    "owner_id": r.get("OwnerId"),
                    "created_at": r.get("CreatedDate"),
                    "updated_at": r.get("LastModifiedDate"),
                },
            ),
            item(
                "LeadHistory",
                "crm",
                "lead_history",
                ["Id", "LeadId", "Field", "OldValue", "NewValue"],
                lambda r: {
                    "history_id": r["Id"],
                    "lead_id": r.get("LeadId"),
                    "field": "owner_id"
                    if r.get("Field") == "Owner"
                    else str(r.get("Field") or "").lower(),
                    "old_value": _history_value(r, "OldValue"),
                    "new_value": _history_value(r, "NewValue"),
                    "changed_at": r.get("CreatedDate"),
                },
                cursor="CreatedDate",
            ),
            item(
                "Contact",
                "crm",
                "contacts",
                ["Id", "AccountId", "Email", "FirstName", "LastName", "CreatedDate"],
                lambda r: {
                    "contact_id": r["Id"],
                    "account_id": r.get("AccountId"),
                    "lead_id": None,
                    "email": r.get("Email"),
                    "first_name": r.get("FirstName"),
                    "last_name": r.get("LastName"),
                    "created_at": r.get("CreatedDate"),
                },
            ),
            item(
                "Opportunity",
                "crm",
                "opportunities",
                [
                    "Id",
                    "AccountId",
                    "Name",
                    "Type",
                    "StageName",
                    "Amount",
                    "OwnerId",
                    "CreatedDate",
                    "CloseDate",
                    "IsClosed",
                    s.BUDGET_FIELD,
                    s.LEAD_FIELD,
                ],
                lambda r: {
                    "opportunity_id": r["Id"],
                    "account_id": r.get("AccountId"),
                    "lead_id": r.get(s.LEAD_FIELD),
                    "name": r.get("Name"),
                    "opportunity_type": _word(s.OPPORTUNITY_TYPES, r.get("Type")),
                    "stage": _word(s.OPPORTUNITY_STAGES, r.get("StageName")),
                    "amount": _text(r.get("Amount")),
                    "currency": "USD",
                    "has_budget": _text(r.get(s.BUDGET_FIELD)),
                    "owner_id": r.get("OwnerId"),
                    "created_at": r.get("CreatedDate"),
                    "closed_at": r.get("CloseDate") if r.get("IsClosed") else None,
                },
            ),
            item(
                "OpportunityHistory",
                "crm",
                "opportunity_history",
                ["Id", "OpportunityId", "StageName", "Amount", "CreatedDate"],
                lambda r: {
                    "history_id": r["Id"],
                    "opportunity_id": r.get("OpportunityId"),
                    "stage": _word(s.OPPORTUNITY_STAGES, r.get("StageName")),
                    "amount": _text(r.get("Amount")),
                    "changed_at": r.get("CreatedDate"),
                },
            ),
            item(
                "Task",
                "crm",
                "activities",
                [
                    "Id",
                    "OwnerId",
                    "WhoId",
                    "WhatId",
                    "TaskSubtype",
                    "CreatedDate",
                    "CallDurationInSeconds",
                ],
                lambda r: {
                    "activity_id": r["Id"],
                    "activity_type": "email" if r.get("TaskSubtype") == "Email" else "call",
                    "owner_id": r.get("OwnerId"),
                    "lead_id": r.get("WhoId"),
                    "opportunity_id": r.get("WhatId"),
                    "started_at": r.get("CreatedDate"),
                    "duration_minutes": _text((r.get("CallDurationInSeconds") or 0) // 60),
                },
            ),
            item(
                "Event",
                "crm",
                "activities",
                ["Id", "OwnerId", "WhoId", "WhatId", "StartDateTime", "DurationInMinutes"],
                lambda r: {
                    "activity_id": r["Id"],
                    "activity_type": "meeting",
                    "owner_id": r.get("OwnerId"),
                    "lead_id": r.get("WhoId"),
                    "opportunity_id": r.get("WhatId"),
                    "started_at": r.get("StartDateTime"),
                    "duration_minutes": _text(r.get("DurationInMinutes")),
                },
            ),
            item(
                "Campaign",
                "marketing",
                "campaigns",
                ["Id", "Name", "Type", "StartDate", "EndDate"],
                lambda r: {
                    "campaign_id": r["Id"],
                    "name": r.get("Name"),
                    "channel": _text(r.get("Type")),
                    "started_on": r.get("StartDate"),
                    "ended_on": r.get("EndDate"),
                },
            ),
            item(
                "CampaignMember",
                "marketing",
                "touchpoints",
                ["Id", "LeadId", "ContactId", "CampaignId", "Status", "CreatedDate"],
                lambda r: {
                    "touchpoint_id": r["Id"],
                    "contact_id": r.get("LeadId") or r.get("ContactId"),
                    "campaign_id": r.get("CampaignId"),
                    "channel": "campaign",
                    "touch_type": str(r.get("Status") or "member").lower().replace(" ", "_"),
                    "touched_at": r.get("CreatedDate"),
                },
            ),
        ]


def _history_value(record: dict, key: str) -> str | None:
    value = record.get(key)
    if record.get("Field") == "Status":
        return _word(s.LEAD_STATUS, value)
    return _text(value)
