"""Dates that mean what they say: a run computes as of its data interval's end, and what would
silently compute another day is refused in one sentence."""

from datetime import UTC, datetime, timedelta

import pytest

from revgen.errors import ConfigError
from revgen.local_airflow import refuse_misleading
from revgen.orchestration import check_run_dates, nightly_deadline

DAY = datetime(2026, 4, 2, tzinfo=UTC)
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def test_a_manual_run_whose_logical_date_is_not_its_interval_end_is_refused_in_one_sentence():
    day_before = DAY - timedelta(days=1)
    check_run_dates("manual", DAY, day_before, DAY)  # REST with logical_date, `airflow dags test`
    check_run_dates("manual", NOW + timedelta(hours=7), NOW - timedelta(days=1), NOW)  # UI button
    check_run_dates("scheduled", NOW - timedelta(days=1), NOW - timedelta(days=1), NOW)
    with pytest.raises(ConfigError, match="revgen run --as-of") as refused:
        # `airflow dags trigger --logical-date 2026-04-02`: the interval that ended last midnight
        check_run_dates("manual", DAY, NOW - timedelta(days=1), NOW)
    assert "2026-04-02" in str(refused.value) and "\n" not in str(refused.value)
    with pytest.raises(ConfigError):  # a logical date more than a day after what is computed
        check_run_dates("manual", NOW + timedelta(days=3), NOW - timedelta(days=1), NOW)


def test_revgen_airflow_refuses_a_cli_trigger_with_a_logical_date():
    refuse_misleading(["dags", "trigger", "revenue_funnel_nightly"])  # now: means what it says
    for args in (["-l", "2026-04-02"], ["--logical-date", "2026-04-02"], ["--logical-date=x"]):
        with pytest.raises(ConfigError, match="REST API"):
            refuse_misleading(["dags", "trigger", "revenue_funnel_nightly", *args])


def test_the_deadline_is_configured_in_hours_or_off(monkeypatch):
    monkeypatch.setenv("REVGEN_NIGHTLY_DEADLINE_HOURS", "off")
    assert nightly_deadline() is None
    monkeypatch.setenv("REVGEN_NIGHTLY_DEADLINE_HOURS", "six")
    with pytest.raises(ConfigError, match="give hours"):
        nightly_deadline()
