"""Two real public exports brought in as a new user would, with configuration only: `revgen demo`
(run twice, as a user trying it would), then `revgen bring examples/<name> --exports <the
unchanged CSV files>`, each in a fresh REVGEN_HOME with its own local PostgreSQL. The marts are
checked against figures this test computes itself from the CSV files in plain Python."""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from revgen.report.html import shown_kpis
from tests.helpers import ROOT, revgen_cli, rows

EXPORTS = ROOT / "tests" / "data" / "exports"


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _bring(home: Path, example: str, exports: str, as_of: str, demos: int = 0):
    """`revgen demo` `demos` times, then `revgen bring` of an example: (env, url, what bring
    printed, what each demo printed)."""
    env = {"REVGEN_HOME": str(home)}
    demoed = []
    for _ in range(demos):
        demo = revgen_cli("demo", "--people", "300", env=env, timeout=900)
        assert demo.returncode == 0, demo.stderr[-3000:]
        demoed.append(demo.stdout)
    brought = revgen_cli(
        "bring",
        str(ROOT / "examples" / example),
        "--exports",
        str(EXPORTS / exports),
        "--as-of",
        as_of,
        env=env,
        timeout=900,
    )
    assert brought.returncode == 0, (brought.stdout[-2000:], brought.stderr[-3000:])
    url = revgen_cli("db", "url", env=env).stdout.strip().splitlines()[-1]
    return env, url, brought.stdout, demoed


@pytest.fixture(scope="module")
def maven_path(tmp_path_factory):
    """The demo twice, then Maven brought in: (home, url, what bring printed, the demos' output)."""
    home = tmp_path_factory.mktemp("maven_home")
    env, url, out, demoed = _bring(
        home, "maven_crm", "maven_crm_opportunities", "2018-01-01", demos=2
    )
    yield home, url, out, demoed
    revgen_cli("db", "down", env=env)


@pytest.fixture(scope="module")
def maven(maven_path):
    return maven_path[:3]


@pytest.fixture(scope="module")
def x_education(tmp_path_factory):
    home = tmp_path_factory.mktemp("x_education_home")
    env, url, out, _ = _bring(home, "x_education", "x_education_leads", "2019-07-01")
    yield home, url, out
    revgen_cli("db", "down", env=env)


def test_demo_twice_prints_the_same_summary_and_leaves_no_duplicates(maven_path):
    first, second = maven_path[3]

    def summary(out):
        return out[out.index("People per stage:") : out.index("Where to look next:")]

    assert "People per stage:" in first and "Orphaned leads:" in first
    assert summary(first) == summary(second)


def _accounted(url: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    found = rows(
        url,
        "select stream, file_name, sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
        "from revgen_meta.load_runs group by 1, 2",
    )
    return {(stream, name): (int(r), int(lo), int(re)) for stream, name, r, lo, re in found}


# ------------------------------------------------------------------------------ Maven CRM
def test_bringing_a_company_clears_the_demo_and_keeps_nothing_of_it(maven):
    home, url, out = maven
    assert "the warehouse held the demo company: emptied it first" in out
    assert "removed the demo's landing files" in out
    assert sorted(p.name for p in (home / "landing").iterdir()) == [".revgen-company", "crm"]
    assert rows(url, "select count(*) from raw_marketing.contacts") == [(0,)]
    # nor the history of its contacts' programs (the export has no marketing contacts)
    assert rows(url, "select count(*) from snapshots.snap_marketing__contact_programs") == [(0,)]
    assert rows(url, "select count(*) from revgen_meta.demo_company") == [(0,)]
    # the exports are readable by their owner only (they hold people's data)
    assert all(p.stat().st_mode & 0o077 == 0 for p in (home / "landing" / "crm").iterdir())


def test_maven_every_row_of_every_mapped_file_is_loaded_or_rejected(maven):
    _, url, out = maven
    accounted = _accounted(url)
    pipeline = len(_csv(EXPORTS / "maven_crm_opportunities" / "sales_pipeline.csv"))
    expected = {
        ("users", "sales_teams.csv"): len(
            _csv(EXPORTS / "maven_crm_opportunities" / "sales_teams.csv")
        ),
        ("accounts", "accounts.csv"): len(
            _csv(EXPORTS / "maven_crm_opportunities" / "accounts.csv")
        ),
        ("leads", "sales_pipeline.csv"): pipeline,
        ("opportunities", "sales_pipeline.csv"): pipeline,
    }
    assert {key: value[0] for key, value in accounted.items()} == expected
    assert all(read == loaded + rejected for read, loaded, rejected in accounted.values())
    assert rows(url, "select count(*) from raw_crm.opportunities")[0][0] == pipeline
    # what `bring` tells of it: three files, the pipeline read twice (leads and opportunities)
    total = sum(loaded for _, loaded, _ in accounted.values())
    assert f"loaded 3 export file(s) into 4 raw table(s): {total:,} rows, 0 rejected" in out


def test_maven_deals_and_win_rate_by_agent_and_by_office_match_the_csv(maven):
    _, url, _ = maven
    deals = _csv(EXPORTS / "maven_crm_opportunities" / "sales_pipeline.csv")
    office = {
        r["sales_agent"]: r["regional_office"]
        for r in _csv(EXPORTS / "maven_crm_opportunities" / "sales_teams.csv")
    }
    by_agent: dict[str, Counter] = defaultdict(Counter)
    for deal in deals:
        by_agent[deal["sales_agent"]][deal["deal_stage"]] += 1
    mart = {
        owner: (int(n), int(won), int(lost), int(open_), rate, office_)
        for owner, n, won, lost, open_, rate, office_ in rows(
            url,
            "select owner_key, opportunities, won, lost, open, win_rate_by_count, office "
            "from marts.kpi_sales_by_owner",
        )
    }
    assert set(mart) == set(by_agent)  # every deal has an active owner: no '(no active owner)'
    for agent, stages in by_agent.items():
        n, won, lost, open_, rate, office_ = mart[agent]
        assert (n, won, lost) == (sum(stages.values()), stages["Won"], stages["Lost"]), agent
        assert open_ == stages["Prospecting"] + stages["Engaging"], agent
        assert rate == pytest.approx(stages["Won"] / (stages["Won"] + stages["Lost"])), agent
        assert office_ == office[agent]
    by_office: dict[str, Counter] = defaultdict(Counter)
    for deal in deals:
        by_office[office[deal["sales_agent"]]][deal["deal_stage"]] += 1
    mart_office = {
        name: float(won) / float(closed)
        for name, won, closed in rows(
            url,
            "select office, sum(won), sum(won + lost) from marts.kpi_sales_by_owner group by 1",
        )
    }
    assert mart_office == pytest.approx(
        {name: s["Won"] / (s["Won"] + s["Lost"]) for name, s in by_office.items()}
    )


def test_maven_sales_cycle_stages_and_open_deals_without_an_owner_match_the_csv(maven):
    _, url, _ = maven
    deals = _csv(EXPORTS / "maven_crm_opportunities" / "sales_pipeline.csv")
    agents = {
        r["sales_agent"] for r in _csv(EXPORTS / "maven_crm_opportunities" / "sales_teams.csv")
    }
    cycles = [
        (date.fromisoformat(d["close_date"]) - date.fromisoformat(d["engage_date"])).days
        for d in deals
        if d["deal_stage"] == "Won"
    ]
    median, mean, won = rows(
        url,
        "select cycle_days_median, cycle_days_mean, won from marts.kpi_opportunity_outcomes "
        "where opportunity_type = 'new_business'",
    )[0]
    assert median == pytest.approx(statistics.median(cycles))
    assert mean == pytest.approx(statistics.mean(cycles))
    assert won == len(cycles)
    stages = Counter(d["deal_stage"] for d in deals)
    volume = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
    assert volume["customer"] == stages["Won"]
    assert volume["opportunity"] == stages["Prospecting"] + stages["Engaging"]
    assert volume["prospect"] == stages["Lost"]  # lost deals go back to marketing
    unowned_open = sum(
        1
        for d in deals
        if d["deal_stage"] in ("Prospecting", "Engaging") and d["sales_agent"] not in agents
    )
    assert unowned_open == 0
    assert rows(
        url, "select count(*) from marts.orphaned_leads where current_stage = 'opportunity'"
    ) == [(unowned_open,)]
    # customers are owned by the rep who won them (the policy: the accounts have no owner)
    assert rows(
        url, "select count(*) from marts.orphaned_leads where current_stage = 'customer'"
    ) == [(0,)]


# --------------------------------------------------------------------------- X Education
def test_x_education_every_lead_is_loaded_or_rejected(x_education):
    _, url, _ = x_education
    leads = _csv(EXPORTS / "x_education_leads" / "Leads.csv")
    accounted = _accounted(url)
    assert accounted[("leads", "Leads.csv")][0] == len(leads)
    converted = sum(1 for lead in leads if lead["Converted"] == "1")
    assert accounted[("opportunities", "Leads.csv")][0] == converted  # `where: Converted = 1`
    assert all(read == loaded + rejected for read, loaded, rejected in accounted.values())


def test_x_education_conversion_by_lead_origin_and_source_matches_the_csv(x_education):
    _, url, _ = x_education
    leads = _csv(EXPORTS / "x_education_leads" / "Leads.csv")
    for kind, column in (("origin", "Lead Origin"), ("channel", "Lead Source")):
        people: Counter = Counter()
        customers: Counter = Counter()
        for lead in leads:
            key = lead[column].strip().lower() or "unknown"
            people[key] += 1
            customers[key] += lead["Converted"] == "1"
        mart = {
            value: (int(n), int(c), rate)
            for value, n, c, rate in rows(
                url,
                "select source_value, people, customers, customer_rate "
                "from marts.kpi_conversion_by_source where source_kind = %s",
                (kind,),
            )
        }
        assert set(mart) == set(people), kind
        for key in people:
            assert mart[key][:2] == (people[key], customers[key]), (kind, key)
            assert mart[key][2] == pytest.approx(customers[key] / people[key])


def test_x_education_stages_come_from_the_crm_without_scores_or_touches(x_education):
    _, url, out = x_education
    leads = _csv(EXPORTS / "x_education_leads" / "Leads.csv")
    converted = sum(1 for lead in leads if lead["Converted"] == "1")
    volume = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
    assert volume["customer"] == converted
    assert volume["lead"] == len(leads) - converted
    conversion = dict(
        rows(url, "select from_stage, conversion_rate from marts.kpi_stage_conversion")
    )
    assert conversion["lead"] == pytest.approx(converted / len(leads))
    assert "Spend: not measurable" in out


def test_x_education_won_revenue_reads_not_measurable_and_hints_name_its_home(x_education):
    """The export holds conversions but no deal values: won revenue is not measurable (null), not
    $0, wherever it shows; and the hints the bring prints reach this home's warehouse."""
    home, url, out = x_education
    assert rows(url, "select value from marts.kpi_headlines where metric = 'won_revenue_usd'") == [
        (None,)
    ]
    won = rows(url, "select won, won_amount_usd from marts.kpi_sales_by_owner where won > 0")
    assert won and all(amount is None for _, amount in won)
    assert f'psql "$(REVGEN_HOME={home} .venv/bin/revgen db url)"' in out


def test_a_run_for_a_date_that_runs_nothing_fails_with_a_sentence(x_education):
    home, _, _ = x_education
    ran = revgen_cli("run", "--as-of", "1999-06-01", env={"REVGEN_HOME": str(home)}, timeout=600)
    assert ran.returncode != 0
    assert "ran no task for 1999-06-01" in ran.stderr


def test_maven_what_the_export_cannot_show_reads_not_measurable_not_zero(maven):
    home, url, _ = maven
    # no activities and no lead status history: nothing says when a hand-over was accepted
    assert rows(url, "select compliance from marts.kpi_sla_compliance") == [(None,)]
    assert rows(url, "select median_minutes from marts.kpi_speed_to_lead") == [(None,)]
    (report,) = (home / "reports").glob("funnel-2018-01-01.html")
    page = report.read_text()
    assert 'data-kpi="speed.median_minutes">not measurable<' in page
    assert 'data-kpi="sla.lead">n/a</b>not measurable' in page
    # open deals carry no amount, and no activities were exported: not measurable, never 0
    shown = shown_kpis(page)
    open_deals = rows(
        url, "select sub_stage, open_opportunities from marts.kpi_open_pipeline_by_stage"
    )
    assert sum(count for _, count in open_deals) > 0
    for sub_stage, _ in open_deals:
        assert shown[f"pipeline.{sub_stage}.usd"] == "not measurable"
    pipelines = [value for key, value in shown.items() if key.endswith(".open_pipeline")]
    assert pipelines and set(pipelines) == {"not measurable"}
    assert shown["waste.total_usd"] == "not measurable"
    assert shown["headline.spend_usd.value"] == "not measurable"  # no campaigns exported
