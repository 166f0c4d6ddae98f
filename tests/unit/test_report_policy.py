"""The report's part of the policy: CRM record links from a URL template, safely."""

import tomllib
from pathlib import Path

import pytest

from revgen.errors import ConfigError
from revgen.policy import Report, load_policy

ROOT = Path(__file__).resolve().parents[2]


def test_a_record_link_quotes_the_id_into_the_template_and_none_without_one():
    report = Report(
        record_urls={"lead": "https://x.lightning.force.com/lightning/r/Lead/{id}/view"}
    )
    assert (
        report.record_url("lead", "00Q 5/?#&x")
        == "https://x.lightning.force.com/lightning/r/Lead/00Q%205%2F%3F%23%26x/view"
    )
    assert report.record_url("opportunity", "006") is None  # no template for the kind
    assert report.record_url("lead", None) is None
    assert Report().record_url("lead", "00Q") is None  # the shipped policy sets none


@pytest.mark.parametrize(
    "template",
    [
        "javascript:alert(document.cookie)//{id}",
        " JavaScript:alert(1)//{id}",
        "data:text/html,{id}",
        "//x.example.com/{id}",
        "https://x.example.com/lead",
        "https:{id}",
        "https://x.example.com/{id}/{id}",
        "https://x.example.com/{name}/{id}",
    ],
)
def test_an_unsafe_or_malformed_record_url_template_is_refused(tmp_path, template):
    policy = tmp_path / "policy.yml"
    policy.write_text(f"report:\n  record_urls:\n    lead: {template!r}\n")
    with pytest.raises(ConfigError, match="record_urls"):
        load_policy(policy)


def test_the_report_template_ships_with_the_package():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["revgen"]
    templates = sorted((ROOT / "revgen" / "report" / "templates").iterdir())
    assert templates
    assert all(any(t.match(pattern) for pattern in package_data) for t in templates)
