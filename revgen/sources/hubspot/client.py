"""HubSpot CRM API v3: search with a last-modified cursor and `after` paging, owners, deals with
stage history (batch read with propertiesWithHistory), calls, meetings and campaigns; each mapped
onto the raw contract and loaded incrementally (revgen.load.incremental)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from revgen.contract import stream
from revgen.records import IncrementalStream
from revgen.sources.http import ApiClient, RetryPolicy
from revgen.sources.hubspot import settings

log = logging.getLogger(__name__)


def _ms(iso_time: str) -> str:
    moment = datetime.fromisoformat(iso_time.replace("Z", "+00:00"))
    return str(int(moment.timestamp() * 1000))


def _iso_from_ms(value: str | None) -> str | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC).isoformat()


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


class HubSpot:
    def __init__(
        self,
        token: str,
        base_url: str = settings.DEFAULT_BASE_URL,
        retry_policy: RetryPolicy | None = None,
        page_size: int = settings.PAGE_SIZE,
    ):
        self.api = ApiClient("hubspot", base_url, token, retry_policy)
        self.page_size = page_size

    # -- reading -------------------------------------------------------------------------------
    def search(
        self, object_type: str, properties: list[str], modified: str, since: str | None
    ) -> Iterator[dict]:
        """Objects modified at or after `since` (ISO), oldest first, across all pages; past the
        search cap the query restarts from the last modified time seen."""
        floor = since
        while True:
            after: str | None = None
            seen = 0
            last_modified = floor
            while True:
                body: dict = {
                    "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": self.page_size,
                }
                if floor:
                    body["filterGroups"] = [
                        {
                            "filters": [
                                {"propertyName": modified, "operator": "GTE", "value": _ms(floor)}
                            ]
                        }
                    ]
                if after:
                    body["after"] = after
                page = self.api.request("POST", f"/crm/v3/objects/{object_type}/search", json=body)
                for result in page.get("results", []):
                    seen += 1
                    last_modified = result["properties"].get(modified) or last_modified
                    yield result
                after = (page.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    return
                if int(after) >= settings.SEARCH_RESULT_CAP:
                    break
            if last_modified == floor:
                raise RuntimeError(
                    f"hubspot {object_type}: more than {seen} objects share the "
                    f"modified time {floor}; cannot page past the search cap"
                )
            floor = last_modified

    def list_all(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """A list endpoint paged with `after` (owners, campaigns)."""
        after = None
        while True:
            query = {"limit": self.page_size, **(params or {})}
            if after:
                query["after"] = after
            page = self.api.request("GET", path, params=query)
            yield from page.get("results", [])
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return

    # -- mapped streams ------------------------------------------------------------------------
    def contacts(self, since: str | None) -> Iterator[tuple[dict, str]]:
        for item in self.search("contacts", settings.CONTACT_PROPERTIES, "lastmodifieddate", since):
            props = item["properties"]
            yield (
                {
                    "contact_id": item["id"],
                    "email": props.get("email"),
                    "first_name": props.get("firstname"),
                    "last_name": props.get("lastname"),
                    "job_title": props.get("jobtitle"),
                    "company": props.get("company"),
                    "industry": props.get("industry"),
                    "country": props.get("country"),
                    "company_size": props.get("numberofemployees"),
                    "nurture_program_id": props.get("nurture_program"),
                    "created_at": props.get("createdate"),
                    "updated_at": props.get("lastmodifieddate"),
                },
                props["lastmodifieddate"],
            )

    def owners(self, since: str | None) -> Iterator[tuple[dict, str]]:
        rows = []
        for owner in self.list_all("/crm/v3/owners", {"archived": "true"}):
            if since and owner["updatedAt"] < since:
                continue
            teams = [team.get("name", "").lower() for team in owner.get("teams") or []]
            team = "marketing" if "marketing" in teams else "sales"
            rows.append(
                (
                    {
                        "user_id": owner["id"],
                        "name": " ".join(
                            filter(None, [owner.get("firstName"), owner.get("lastName")])
                        ),
                        "email": owner.get("email"),
                        "role": settings.ROLE_BY_TEAM[team],
                        "team": team,
                        "is_active": "false" if owner.get("archived") else "true",
                        "deactivated_at": owner["updatedAt"] if owner.get("archived") else None,
                        "annual_revenue_target": None,
                    },
                    owner["updatedAt"],
                )
            )
        yield from sorted(rows, key=lambda row: row[1])

    def deals(self, since: str | None) -> Iterator[tuple[dict, str]]:
        for item in self.search("deals", settings.DEAL_PROPERTIES, "hs_lastmodifieddate", since):
            props = item["properties"]
            links = item.get("associations") or {}
            stage = settings.DEAL_STAGES.get(props.get("dealstage") or "", props.get("dealstage"))
            yield (
                {
                    # companies are not extracted yet; the deal's contact is the person (the lead)
                    "opportunity_id": item["id"],
                    "account_id": None,
                    "lead_id": _first_link(links, "contacts"),
                    "name": props.get("dealname"),
                    "opportunity_type": settings.DEAL_TYPES.get(
                        props.get("dealtype") or "", props.get("dealtype")
                    ),
                    "stage": stage,
                    "amount": props.get("amount"),
                    "currency": props.get("deal_currency_code"),
                    "has_budget": props.get("budget_confirmed"),
                    "owner_id": props.get("hubspot_owner_id"),
                    "created_at": props.get("createdate"),
                    "closed_at": props.get("closedate") if stage in ("won", "lost") else None,
                },
                props["hs_lastmodifieddate"],
            )

    def deal_stage_history(self, since: str | None) -> Iterator[tuple[dict, str]]:
        """Stage changes of the deals modified since the watermark (batch read, 100 at a time)."""
        ids = [
            item["id"]
            for item in self.search("deals", ["hs_lastmodifieddate"], "hs_lastmodifieddate", since)
        ]
        changes = []
        for start in range(0, len(ids), 100):
            page = self.api.request(
                "POST",
                "/crm/v3/objects/deals/batch/read",
                json={
                    "inputs": [{"id": deal_id} for deal_id in ids[start : start + 100]],
                    "properties": ["amount", "hs_lastmodifieddate"],
                    "propertiesWithHistory": ["dealstage"],
                },
            )
            for deal in page.get("results", []):
                for change in deal.get("propertiesWithHistory", {}).get("dealstage", []):
                    changes.append(
                        (
                            {
                                "history_id": f"{deal['id']}:{change['timestamp']}",
                                "opportunity_id": deal["id"],
                                "stage": settings.DEAL_STAGES.get(change["value"], change["value"]),
                                "amount": deal["properties"].get("amount"),
                                "changed_at": change["timestamp"],
                            },
                            deal["properties"]["hs_lastmodifieddate"],
                        )
                    )
        yield from sorted(changes, key=lambda row: (row[1], row[0]["history_id"]))

    def engagements(self, since: str | None) -> Iterator[tuple[dict, str]]:
        """Calls and meetings -> activities (associations name the contact and the deal)."""
        calls = self.search("calls", settings.CALL_PROPERTIES, "hs_lastmodifieddate", since)
        meetings = self.search(
            "meetings", settings.MEETING_PROPERTIES, "hs_lastmodifieddate", since
        )
        rows = []
        for kind, items in (("call", calls), ("meeting", meetings)):
            for item in items:
                props = item["properties"]
                if kind == "call":
                    minutes = int(props.get("hs_call_duration") or 0) // 60000
                else:
                    start = datetime.fromisoformat(
                        props["hs_meeting_start_time"].replace("Z", "+00:00")
                    )
                    end = datetime.fromisoformat(
                        props["hs_meeting_end_time"].replace("Z", "+00:00")
                    )
                    minutes = int((end - start).total_seconds() // 60)
                links = item.get("associations") or {}
                rows.append(
                    (
                        {
                            "activity_id": f"{kind}-{item['id']}",
                            "activity_type": kind,
                            "owner_id": props.get("hubspot_owner_id"),
                            "lead_id": _first_link(links, "contacts"),
                            "opportunity_id": _first_link(links, "deals"),
                            "started_at": props.get("hs_timestamp"),
                            "duration_minutes": str(minutes),
                        },
                        props["hs_lastmodifieddate"],
                    )
                )
        yield from sorted(rows, key=lambda row: (row[1], row[0]["activity_id"]))

    def campaigns(self, since: str | None) -> Iterator[tuple[dict, str]]:
        rows = []
        params = {"properties": ",".join(settings.CAMPAIGN_PROPERTIES)}
        for item in self.list_all("/marketing/v3/campaigns", params):
            if since and item["updatedAt"] < since:
                continue
            props = item.get("properties") or {}
            rows.append(
                (
                    {
                        "campaign_id": item["id"],
                        "name": props.get("hs_name"),
                        "channel": props.get("hs_utm_medium"),
                        "started_on": props.get("hs_start_date"),
                        "ended_on": props.get("hs_end_date"),
                    },
                    item["updatedAt"],
                )
            )
        yield from sorted(rows, key=lambda row: row[1])

    def streams(self) -> list[IncrementalStream]:
        return [
            IncrementalStream("hubspot", "owners", stream("crm", "users"), self.owners),
            IncrementalStream(
                "hubspot", "campaigns", stream("marketing", "campaigns"), self.campaigns
            ),
            IncrementalStream(
                "hubspot", "contacts", stream("marketing", "contacts"), self.contacts
            ),
            IncrementalStream("hubspot", "deals", stream("crm", "opportunities"), self.deals),
            IncrementalStream(
                "hubspot",
                "deal_stage_history",
                stream("crm", "opportunity_history"),
                self.deal_stage_history,
            ),
            IncrementalStream(
                "hubspot", "engagements", stream("crm", "activities"), self.engagements
            ),
        ]


def _first_link(associations: dict, kind: str) -> str | None:
    results = (associations.get(kind) or {}).get("results") or []
    return _text(results[0].get("id")) if results else None
