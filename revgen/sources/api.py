"""The API sources (HubSpot, Salesforce): their objects, their order, and their clients built from
Airflow connections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revgen.contract import stream
from revgen.sources.hubspot import settings as hubspot_settings
from revgen.sources.salesforce import settings as salesforce_settings

if TYPE_CHECKING:
    from revgen.sources.hubspot.client import HubSpot
    from revgen.sources.salesforce.client import Salesforce

SETTINGS = {"hubspot": hubspot_settings, "salesforce": salesforce_settings}
# what the hourly ownership watch refreshes from each system, in order
OWNERSHIP_OBJECTS = {"hubspot": ["owners"], "salesforce": ["User", "Lead", "LeadHistory"]}


def objects(system: str) -> dict[str, tuple[str, str]]:
    """API object -> (source, stream) it lands in, in extraction order."""
    return SETTINGS[system].STREAMS


def upstream_objects(system: str, key: str) -> list[str]:
    """The objects of the same system that must load first: those landing in a stream that
    `key`'s stream refers to (owners before deals, deals before their history)."""
    target = stream(*objects(system)[key])
    referenced = {(target.source, ref.stream) for ref in target.references}
    return [
        other
        for other, lands in objects(system).items()
        if other != key and lands in referenced and lands != (target.source, target.name)
    ]


def client_from_connection(system: str, conn) -> HubSpot | Salesforce:
    """The system's client from an Airflow Connection (host, password, extra)."""
    from revgen.connections import http_url

    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
    host = http_url(conn)
    if system == "hubspot":
        from revgen.sources.hubspot.client import HubSpot

        return HubSpot(conn.password or "", base_url=host or hubspot_settings.DEFAULT_BASE_URL)
    from revgen.sources.salesforce.client import Salesforce, access_token

    return Salesforce(host, access_token(host, conn.password, extra))
