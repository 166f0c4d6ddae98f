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
