"""A fake Salesforce REST API speaking its documented wire format, fed from a generated company:
GET /services/data/vXX.X/query?q=SOQL (SELECT ... FROM X WHERE <cursor> >= <datetime> ORDER BY
<cursor> ASC) answering {totalSize, done, nextRecordsUrl, records[{attributes, ...}]}."""

from __future__ import annotations

import re
from datetime import datetime

from revgen.sources.salesforce import settings

TITLES = {
    "sdr": "SDR",
    "ae": "Account Executive",
    "am": "Account Manager",
    "marketing": "Marketing Specialist",
}
STATUS_WORDS = {v: k.title() for k, v in settings.LEAD_STATUS.items()}
STAGE_WORDS = {
    "discovery": "Qualification",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "won": "Closed Won",
    "lost": "Closed Lost",
}
SOQL = re.compile(
    r"SELECT (?P<fields>.+) FROM (?P<object>\w+)"
    r"(?: WHERE (?P<cursor>\w+) >= (?P<since>\S+))? ORDER BY (?P<order>\w+) ASC"
)


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


class SalesforceData:
    def __init__(self, rows: dict[str, list[dict]], page_size: int = 2000) -> None:
        self.page_size = page_size
        self.objects = {
            "User": [
                {
                    "Id": u["user_id"],
                    "Name": u["name"],
                    "Email": u["email"],
                    "Title": TITLES[u["role"]],
                    "Department": u["team"].title(),
                    "IsActive": u["is_active"] == "true",
                    "LastModifiedDate": u["deactivated_at"] or "2026-01-01T00:00:00Z",
                    "SystemModstamp": u["deactivated_at"] or "2026-01-01T00:00:00Z",
                    settings.REVENUE_TARGET_FIELD: float(u["annual_revenue_target"])
                    if u["annual_revenue_target"]
                    else None,
                }
                for u in rows["users"]
            ],
            "Lead": [
                {
                    "Id": r["lead_id"],
                    "Email": r["email"],
                    "Status": STATUS_WORDS[r["status"]],
                    "LeadSource": r["lead_source"],
                    "OwnerId": r["owner_id"],
                    "CreatedDate": r["created_at"],
                    "LastModifiedDate": r["updated_at"],
                    "SystemModstamp": r["updated_at"],
                    settings.MARKETING_CONTACT_FIELD: r["contact_id"],
                }
                for r in rows["leads"]
            ],
            "Opportunity": [
                {
                    "Id": r["opportunity_id"],
                    "AccountId": r["account_id"],
                    "Name": r["name"],
                    "Type": "New Business",
                    "StageName": STAGE_WORDS[r["stage"]],
                    "Amount": float(r["amount"]),
                    "OwnerId": r["owner_id"],
                    "CreatedDate": r["created_at"],
                    "CloseDate": r["closed_at"],
                    "IsClosed": r["stage"] in ("won", "lost"),
                    "SystemModstamp": r["closed_at"] or r["created_at"],
                    settings.BUDGET_FIELD: r["has_budget"] == "true",
                    settings.LEAD_FIELD: r["lead_id"],
                }
                for r in rows.get("opportunities", [])
            ],
        }
        self.cursors: dict[str, list[dict]] = {}

    def route(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        prefix = f"/services/data/{settings.API_VERSION}/query"
        if path == prefix:
            match = SOQL.fullmatch(query["q"])
            if not match:
                return 400, [{"errorCode": "MALFORMED_QUERY", "message": query["q"]}]
            records = self.objects.get(match["object"], [])
            if match["since"]:
                records = [r for r in records if _at(r[match["cursor"]]) >= _at(match["since"])]
            records = sorted(records, key=lambda r: (r[match["order"]], r["Id"]))
            fields = [f.strip() for f in match["fields"].split(",")]
            shaped = [
                {"attributes": {"type": match["object"]}, **{f: r.get(f) for f in fields}}
                for r in records
            ]
            token = f"01g{len(self.cursors):05d}"
            self.cursors[token] = shaped
            return 200, self._page(token, 0)
        if path.startswith(prefix + "/"):
            token, offset = path.rsplit("/", 1)[1].split("-")
            return 200, self._page(token, int(offset))
        return 404, [{"errorCode": "NOT_FOUND", "message": path}]

    def _page(self, token: str, offset: int) -> dict:
        records = self.cursors[token]
        end = offset + self.page_size
        page = {
            "totalSize": len(records),
            "done": end >= len(records),
            "records": records[offset:end],
        }
        if end < len(records):
            page["nextRecordsUrl"] = f"/services/data/{settings.API_VERSION}/query/{token}-{end}"
        return page
