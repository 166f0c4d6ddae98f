import pytest

from revgen.db import normalize_url, redact
from revgen.errors import ConfigError
from revgen.policy import default_policy_path, load_policy
from revgen.quality.suites import load_suites


def test_policy_file_in_repo_is_valid_and_prices_an_hour_at_about_606_dollars():
    policy = load_policy()
    assert [s.name for s in policy.stages][:3] == ["awareness", "preference", "database"]
    assert round(policy.wasted_time.hourly_value_usd, 2) == 606.06


def test_invalid_policy_names_the_file_and_the_field(tmp_path):
    bad = tmp_path / "policy.yml"
    text = default_policy_path().read_text()
    bad.write_text(text.replace("score_threshold: 60", "score_threshold: -5"))
    with pytest.raises(ConfigError) as err:
        load_policy(bad)
    assert str(bad) in str(err.value) and "mql.score_threshold" in str(err.value)


def test_suites_file_in_repo_is_valid_and_has_a_warning_and_a_blocking_suite():
    suites = {suite.name: suite for suite in load_suites()}
    assert suites["ownership"].blocking is False
    assert any(suite.blocking for suite in suites.values())


@pytest.mark.parametrize("url", ["postgres://u:p@h:5/d", "postgresql+psycopg://u:p@h:5/d"])
def test_database_url_forms_are_accepted(url):
    assert normalize_url(url) == "postgresql://u:p@h:5/d"


def test_database_url_of_another_kind_is_refused_with_the_expected_form():
    with pytest.raises(ConfigError, match="postgresql://USER:PASSWORD@HOST:PORT/DATABASE"):
        normalize_url("mysql://u:p@h/d")


def test_redacted_url_hides_the_password():
    shown = redact("postgresql://alice:s3cret@db.example:6543/wh")
    assert "s3cret" not in shown and "alice" in shown and "6543" in shown


def test_raw_contract_page_is_in_sync_with_the_code():
    from revgen.contract import markdown
    from tests.helpers import ROOT

    assert (ROOT / "docs" / "raw_contract.md").read_text() == markdown()


@pytest.mark.parametrize("source", ["marketing", "crm"])
def test_dbt_sources_are_in_sync_with_the_contract(source):
    from revgen.contract import dbt_sources
    from tests.helpers import ROOT

    path = ROOT / "dbt_project" / "models" / "staging" / source / f"_{source}__sources.yml"
    assert path.read_text() == dbt_sources(source)


def test_a_company_policy_names_only_what_differs_and_the_rest_is_the_shipped_policy(tmp_path):
    own = tmp_path / "policy.yml"
    own.write_text("mql: {score_threshold: 75}\nevidence: {lead: [crm_lead, computed]}\n")
    policy = load_policy(own)
    shipped = load_policy(default_policy_path())
    assert policy.mql.score_threshold == 75
    assert policy.evidence.lead == ["crm_lead", "computed"]
    assert policy.evidence.customer == shipped.evidence.customer  # merged key by key
    assert policy.stages == shipped.stages and policy.icp == shipped.icp


@pytest.mark.parametrize(
    "text, message",
    [
        ("evidence: {customer: [crm_lead]}", "customer: crm_lead cannot show a customer"),
        ("lead_statuses: {Parked: sleeping}", "a status must become one of new, working"),
        ("lifecycle_stages: {fan: awareness}", "a lifecycle word must become one of database"),
        ("owners: {lead: [somebody]}", "owners.lead"),
        ("- a list", "must be a mapping of policy keys"),
    ],
)
def test_a_company_policy_with_an_unknown_word_fails_naming_the_key(tmp_path, text, message):
    own = tmp_path / "policy.yml"
    own.write_text(text + "\n")
    with pytest.raises(ConfigError) as err:
        load_policy(own)
    assert str(own) in str(err.value) and message in str(err.value)


def test_salesforce_statuses_and_hubspot_stages_are_understood_and_company_words_win(tmp_path):
    own = tmp_path / "policy.yml"
    own.write_text('lead_statuses: {"Nurturing": recycled, "Parked": nurturing}\n')
    words = load_policy(own).dbt_vars()["policy"]
    statuses = words["lead_statuses"]
    assert statuses["open - not contacted"] == "new"
    assert statuses["closed - converted"] == "converted"
    assert statuses["closed - not converted"] == "disqualified"
    assert statuses["nurturing"] == "recycled" and statuses["parked"] == "nurturing"
    assert words["lifecycle_stages"]["marketingqualifiedlead"] == "lead"
    assert load_policy().dbt_vars()["policy"]["lead_statuses"]["nurturing"] == "nurturing"


def test_a_lost_deal_can_only_return_to_a_stage_before_the_opportunity(tmp_path):
    from revgen.errors import ConfigError
    from revgen.policy import load_policy

    path = tmp_path / "policy.yml"
    path.write_text("opportunity: {lost_returns_to: customer}\n")
    with pytest.raises(ConfigError, match="lost_returns_to"):
        load_policy(path)
    path.write_text("opportunity: {lost_returns_to: database}\n")
    assert load_policy(path).opportunity.lost_returns_to == "database"


def test_the_psql_hint_names_a_client_this_machine_has(monkeypatch, tmp_path):
    """The hints revgen prints (`psql "$(revgen db url)"`) work on a fresh machine, which has no
    PostgreSQL client of its own: without one on PATH, the project-local server's hint names the
    psql the pgserver wheel ships; with one, or with a warehouse of the user's own, plain psql."""
    import os
    import shlex
    import stat
    import subprocess

    from revgen.db import psql_command

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no psql here
    (binary,) = shlex.split(psql_command())
    assert binary != "psql" and os.access(binary, os.X_OK)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("psql (PostgreSQL)")

    own = tmp_path / "psql"
    own.write_text("#!/bin/sh\n")
    own.chmod(own.stat().st_mode | stat.S_IXUSR)
    assert psql_command() == "psql"
    own.unlink()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example:5432/w")
    assert psql_command() == "psql"
