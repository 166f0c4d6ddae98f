"""A fake HubSpot CRM API v3 speaking its documented wire format, fed from a generated company:
search (filterGroups GTE on a modified property, sorts, limit, `after` paging), batch read with
propertiesWithHistory, owners and campaigns lists."""

from __future__ import annotations

from datetime import datetime

from revgen.sources.hubspot import settings

STAGE_WORDS = {
    "discovery": "appointmentscheduled",
    "proposal": "presentationscheduled",
    "negotiation": "contractsent",
    "won": "closedwon",
    "lost": "closedlost",
}
TYPE_WORDS = {"new_business": "newbusiness", "upsell": "existingbusiness"}


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


class HubSpotData:
    def __init__(self, rows: dict[str, list[dict]]) -> None:
        self.objects: dict[str, list[dict]] = {
            "contacts": [self._contact(r) for r in rows["contacts"]],
            "deals": [self._deal(r, rows["history"]) for r in rows["opportunities"]],
            "calls": [self._call(r) for r in rows["activities"] if r["activity_type"] == "call"],
            "meetings": [
                self._meeting(r) for r in rows["activities"] if r["activity_type"] == "meeting"
            ],
        }
        self.owners = [
            {
                "id": u["user_id"],
                "email": u["email"],
                "firstName": u["name"].split(" ")[0],
                "lastName": u["name"].split(" ")[1],
                "archived": u["is_active"] == "false",
                "updatedAt": u["deactivated_at"] or "2026-01-01T00:00:00Z",
                "teams": [{"name": u["team"].title()}],
            }
            for u in rows["users"]
        ]
        self.campaigns = [
            {
                "id": c["campaign_id"],
                "updatedAt": c["started_on"] + "T00:00:00Z",
                "properties": {
                    "hs_name": c["name"],
                    "hs_utm_medium": c["channel"],
                    "hs_start_date": c["started_on"],
                    "hs_end_date": c["ended_on"],
                },
            }
            for c in rows["campaigns"]
        ]

    @staticmethod
    def _contact(r: dict) -> dict:
        return {
            "id": r["contact_id"],
            "archived": False,
            "properties": {
                "email": r["email"],
                "firstname": r["first_name"],
                "lastname": r["last_name"],
                "jobtitle": r["job_title"],
                "company": r["company"],
                "industry": r["industry"],
                "country": r["country"],
                "numberofemployees": r["company_size"],
                "nurture_program": r["nurture_program_id"],
                "createdate": r["created_at"],
                "lastmodifieddate": r["updated_at"],
            },
        }

    @staticmethod
    def _deal(r: dict, history: list[dict]) -> dict:
        changes = [h for h in history if h["opportunity_id"] == r["opportunity_id"]]
        return {
            "id": r["opportunity_id"],
            "properties": {
                "dealname": r["name"],
                "dealtype": TYPE_WORDS.get(r["opportunity_type"], r["opportunity_type"]),
                "dealstage": STAGE_WORDS[r["stage"]],
                "amount": r["amount"],
                "deal_currency_code": r["currency"],
                "budget_confirmed": r["has_budget"],
                "hubspot_owner_id": r["owner_id"],
                "createdate": r["created_at"],
                "closedate": r["closed_at"],
                "hs_lastmodifieddate": r["closed_at"] or r["created_at"],
            },
            "associations": {
                "contacts": {"results": [{"id": r["lead_id"]}] if r["lead_id"] else []}
            },
            "propertiesWithHistory": {
                "dealstage": [
                    {"value": STAGE_WORDS[h["stage"]], "timestamp": h["changed_at"]}
                    for h in reversed(changes)
                ]
            },
        }

    @staticmethod
    def _call(r: dict) -> dict:
        return {
            "id": r["activity_id"],
            "properties": {
                "hs_timestamp": r["started_at"],
                "hubspot_owner_id": r["owner_id"],
                "hs_call_duration": str(int(r["duration_minutes"]) * 60000),
                "hs_lastmodifieddate": r["started_at"],
            },
            "associations": {
                "deals": {"results": [{"id": r["opportunity_id"]}] if r["opportunity_id"] else []},
                "contacts": {"results": [{"id": r["lead_id"]}] if r["lead_id"] else []},
            },
        }

    @staticmethod
    def _meeting(r: dict) -> dict:
        start = datetime.fromisoformat(r["started_at"].replace("Z", "+00:00"))
        end = start.timestamp() + int(r["duration_minutes"]) * 60
        return {
            "id": r["activity_id"],
            "properties": {
                "hs_timestamp": r["started_at"],
                "hubspot_owner_id": r["owner_id"],
                "hs_meeting_start_time": r["started_at"],
                "hs_meeting_end_time": datetime.fromtimestamp(end, start.tzinfo).isoformat(),
                "hs_lastmodifieddate": r["started_at"],
            },
            "associations": {
                "deals": {"results": [{"id": r["opportunity_id"]}] if r["opportunity_id"] else []},
                "contacts": {"results": [{"id": r["lead_id"]}] if r["lead_id"] else []},
            },
        }

    # -- the wire ------------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if method == "POST" and path.endswith("/search"):
            return 200, self._search(parts[3], body or {})
        if method == "POST" and path.endswith("/batch/read"):
            wanted = {item["id"] for item in (body or {})["inputs"]}
            return 200, {
                "status": "COMPLETE",
                "results": [
                    {
                        "id": d["id"],
                        "properties": d["properties"],
                        "propertiesWithHistory": d["propertiesWithHistory"],
                    }
                    for d in self.objects["deals"]
                    if d["id"] in wanted
                ],
            }
        if path == "/crm/v3/owners":
            return 200, self._page(self.owners, query)
        if path == "/marketing/v3/campaigns":
            return 200, self._page(self.campaigns, query)
        return 404, {"message": f"no route {method} {path}"}

    def _search(self, object_type: str, body: dict) -> dict:
        modified = body["sorts"][0]["propertyName"]
        items = self.objects[object_type]
        for group in body.get("filterGroups", []):
            for condition in group["filters"]:
                assert condition["operator"] == "GTE"
                floor = int(condition["value"])
                items = [i for i in items if _ms(i["properties"][modified]) >= floor]
        items = sorted(items, key=lambda i: (i["properties"][modified], i["id"]))
        start = int(body.get("after") or 0)
        limit = int(body.get("limit", 10))
        page = items[start : start + limit]
        result = {
            "total": len(items),
            "results": [
                {
                    "id": i["id"],
                    "properties": {k: i["properties"].get(k) for k in body["properties"]},
                    "associations": i.get("associations", {}),
                    "archived": False,
                }
                for i in page
            ],
        }
        if start + limit < len(items):
            result["paging"] = {"next": {"after": str(start + limit)}}
        return result

    @staticmethod
    def _page(items: list[dict], query: dict) -> dict:
        start = int(query.get("after") or 0)
        limit = int(query.get("limit", 10))
        result: dict = {"results": items[start : start + limit]}
        if start + limit < len(items):
            result["paging"] = {"next": {"after": str(start + limit)}}
        return result


assert settings.SEARCH_RESULT_CAP > 0
