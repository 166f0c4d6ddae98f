"""Orphan alerts by email (a real SMTP server, aiosmtpd) and webhook (an HTTP receiver), both on
127.0.0.1: one alert per new orphan, nothing again within the quiet period."""

import csv

import pytest
from aiosmtpd.controller import Controller

from revgen.alerts.channels import Channels, Smtp
from revgen.db.local import free_port
from revgen.dbt import run_dbt
from revgen.load.run import load_source
from revgen.pipeline import alert_orphans
from tests.fakes.server import FakeApi
from tests.helpers import load_company, rows


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content.decode())
        return "250 OK"


@pytest.fixture
def receivers():
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    posts = []

    def route(method, path, query, body):
        posts.append(body)
        return 200, {"ok": True}

    with FakeApi(route) as hook:
        channels = Channels(
            Smtp("127.0.0.1", smtp.port, "revgen@test", ("sales-ops@test",)),
            f"{hook.url}/services/T000/B000/XXXX",
        )
        yield channels, inbox.messages, posts
    smtp.stop()


def test_an_orphan_is_alerted_once_then_quiet_then_only_the_new_one(
    empty_warehouse, company, receivers, tmp_path
):
    channels, mails, posts = receivers
    folder, truth = company
    as_of = truth["generator"]["as_of"]
    load_company(empty_warehouse, folder)
    run_dbt(
        empty_warehouse,
        ["build", "--select", "+kpi_orphans_by_reason", "--indirect-selection", "cautious"],
        as_of=as_of,
    )

    first = alert_orphans(empty_warehouse, channels)
    assert (len(mails), len(posts)) == (1, 1)
    assert first["new"] == len(truth["orphans"])
    oldest = rows(
        empty_warehouse,
        "select person_id from marts.orphaned_leads "
        "order by hours_orphaned desc, person_id limit 1",
    )[0][0]
    assert oldest in mails[0] and oldest in posts[0]["text"]

    again = alert_orphans(empty_warehouse, channels)  # same orphans, inside the quiet period
    assert again["alerted"] == 0 and (len(mails), len(posts)) == (1, 1)

    # one new orphan: a healthy lead loses its owner in tonight's CRM export
    healthy = rows(
        empty_warehouse,
        """select p.lead_id, p.person_id from marts.dim_people p
        where p.current_stage = 'lead' and p.lead_status = 'working'
          and p.person_id not in (select person_id from marts.orphaned_leads)
        order by p.person_id limit 1""",
    )[0]
    with open(folder / "crm" / "leads.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        lead = next(r for r in reader if r["lead_id"] == healthy[0])
    lead["owner_id"] = ""
    drop = tmp_path / "crm"
    drop.mkdir()
    with open(drop / "leads-2026-04-01.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(lead)
    load_source(empty_warehouse, "crm", drop)
    run_dbt(
        empty_warehouse,
        ["build", "--select", "+kpi_orphans_by_reason", "--indirect-selection", "cautious"],
        as_of=as_of,
    )

    third = alert_orphans(empty_warehouse, channels)
    assert third["new"] == 1 and third["alerted"] == 1
    assert (len(mails), len(posts)) == (2, 2)
    new_line = [line for line in mails[1].splitlines() if line.startswith("New since")][0]
    assert new_line == f"New since the last alert: {healthy[1]}"
    assert f"New since the last alert: {healthy[1]}" in posts[1]["text"]


def test_without_a_channel_nothing_is_sent_and_the_orphans_stay_due(built_warehouse, company):
    _, truth = company
    result = alert_orphans(built_warehouse, Channels())
    assert result["alerted"] == 0 and result["orphans"] == len(truth["orphans"])
    alert_orphans(built_warehouse, Channels())
    # every check is counted for the report's trend, alerted or not
    assert rows(
        built_warehouse,
        "select count(distinct checked_at), sum(orphans) / count(distinct checked_at) "
        "from revgen_meta.orphan_history",
    ) == [(2, len(truth["orphans"]))]
    assert rows(
        built_warehouse,
        "select count(*) from revgen_meta.orphan_alerts where last_alerted_at is null",
    ) == [(len(truth["orphans"]),)]


def test_channels_are_independent_each_remembers_what_it_delivered_and_secrets_are_masked(
    built_warehouse,
):
    from revgen.alerts.channels import AlertError

    posts, answers = [], [500, 500, 500, 200]  # the webhook fails a whole run, then recovers

    def route(method, path, query, body):
        posts.append(body)
        return answers.pop(0), {"ok": False}

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with FakeApi(route) as hook:
            secret = f"{hook.url}/services/T000/B000/SECRET"
            channels = Channels(Smtp("127.0.0.1", smtp.port, "revgen@test", ("ops@test",)), secret)
            with pytest.raises(AlertError) as err:
                alert_orphans(built_warehouse, channels)
            assert len(inbox.messages) == 1  # the failing webhook did not stop the email
            assert "SECRET" not in str(err.value) and "/services" not in str(err.value)
            assert "webhook" in str(err.value) and "delivered by: email" in str(err.value)

            second = alert_orphans(built_warehouse, channels)  # inside the quiet period
            assert second["channels"] == ["webhook"]  # only the channel that had failed
            assert len(inbox.messages) == 1 and len(posts) == 4
    finally:
        smtp.stop()


def test_ids_that_look_like_slack_mentions_are_escaped():
    from revgen.alerts.channels import slack_text

    assert slack_text("lead <!channel> & <@U123>") == "lead &lt;!channel&gt; &amp; &lt;@U123&gt;"
