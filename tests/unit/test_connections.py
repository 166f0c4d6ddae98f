"""Airflow connections are read in one place (revgen/connections.py): the warehouse's postgres
URL, the API sources' and the webhook's base URL."""

import json

import pytest
from airflow.sdk import Connection

from revgen.connections import http_url, postgres_url

pytestmark = pytest.mark.unit


def _conn(**fields) -> Connection:
    extra = fields.pop("extra", None)
    return Connection(
        conn_id="x", conn_type="http", extra=json.dumps(extra) if extra else None, **fields
    )


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({"host": "api.hubapi.com"}, "https://api.hubapi.com"),
        ({"host": "http://127.0.0.1", "port": 8123}, "http://127.0.0.1:8123"),
        (
            {"host": "example.my.salesforce.com", "port": 8443},
            "https://example.my.salesforce.com:8443",
        ),
        # a port already in the host is not added twice; a path in the host is kept
        (
            {"host": "https://hooks.example.com:9000/base", "port": 9000},
            "https://hooks.example.com:9000/base",
        ),
        (
            {"host": "hooks.slack.com", "extra": {"endpoint": "/services/T/B/X"}},
            "https://hooks.slack.com/services/T/B/X",
        ),
        ({"host": ""}, ""),
    ],
)
def test_an_http_connection_gives_one_base_url(fields, url):
    assert http_url(_conn(**fields)) == url


def test_a_postgres_connection_quotes_its_credentials():
    conn = Connection(
        conn_id="w",
        conn_type="postgres",
        host="db",
        port=5433,
        login="app",
        password="p@ss:/word",
        schema="revgen",
    )
    assert postgres_url(conn) == "postgresql://app:p%40ss%3A%2Fword@db:5433/revgen"
