"""Salesforce REST API: one SOQL `query` per object declared in `settings.OBJECTS` (its fields,
filtered and ordered on its cursor), paged with nextRecordsUrl, each record mapped onto the raw
contract by the object's declared columns; the loader reads the streams incrementally."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial

import requests

from revgen.contract import stream
from revgen.records import IncrementalStream
from revgen.sources.columns import ApiObject
from revgen.sources.http import ApiClient, ApiError, RetryPolicy
from revgen.sources.salesforce import settings as s


def _soql_time(iso_time: str) -> str:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


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

    def fetch(self, item: ApiObject, since: str | None) -> Iterator[tuple[dict, str]]:
        """The object's records changed at or after `since`, oldest first, as contract rows."""
        where = f" WHERE {item.cursor} >= {_soql_time(since)}" if since else ""
        soql = f"SELECT {', '.join(item.fields)} FROM {item.name}{where} ORDER BY {item.cursor} ASC"
        for record in self.query(soql):
            yield item.row(record), record[item.cursor]

    def streams(self) -> list[IncrementalStream]:
        return [
            IncrementalStream(
                "salesforce", item.name, stream(*item.lands_in), partial(self.fetch, item)
            )
            for item in s.OBJECTS
        ]
