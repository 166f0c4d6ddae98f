"""The funnel report: self-contained (nothing fetched), renders in headless Chromium, and the
numbers it shows equal the marts."""

import re
from datetime import datetime, timedelta

import pytest
from PIL import Image

from revgen.alerts.channels import Channels
from revgen.dbt import run_dbt
from revgen.pipeline import alert_orphans
from revgen.policy import Report
from revgen.report.browser import screenshot
from revgen.report.html import read_report_data, render, shown_kpis, write_report
from tests.helpers import empty_revgen_schemas, load_company, rows


def _runs_of_two_days(url: str, as_of: str) -> None:
    """The nightly's build and orphan check, the day before `as_of` and on it."""
    second = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    for day in (second - timedelta(days=1), second):
        run_dbt(url, ["build"], as_of=day.isoformat())
        alert_orphans(url, Channels())


@pytest.fixture(scope="module")
def demo_report(warehouse, company, tmp_path_factory):
    """The demo company built on two days and its report: made once, for the tests that only
    read them (the empty-warehouse test, which empties the warehouse, comes first in the file)."""
    folder, truth = company
    empty_revgen_schemas(warehouse)
    load_company(warehouse, folder)
    _runs_of_two_days(warehouse, truth["generator"]["as_of"])
    return warehouse, truth, write_report(warehouse, tmp_path_factory.mktemp("report"), Report())


def _svg_after(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start : html.index("</svg>", start)] if "<svg" in html[start:] else ""


def test_the_report_is_written_for_an_empty_warehouse_too(warehouse, tmp_path):
    """A first run with no data yet (e.g. only an API source configured, nothing arrived)."""
    empty_warehouse = empty_revgen_schemas(warehouse, raw_tables=True)
    run_dbt(empty_warehouse, ["build"], as_of="2026-04-01T00:00:00Z")
    html = write_report(empty_warehouse, tmp_path).read_text()
    assert shown_kpis(html)["orphans.total"] == "0"
    assert "No data." in html
    shown = shown_kpis(html)
    # nothing won is a measured 0; no spend, no activities, no speed basis: not measurable
    assert shown["headline.won_deals.value"] == "0"
    assert shown["headline.won_revenue_usd.value"] == "$0"
    assert shown["headline.spend_usd.value"] == "not measurable"
    assert shown["waste.total_usd"] == "not measurable"
    assert shown["speed.median_minutes"] == "not measurable"


def test_the_report_renders_offline_and_shows_the_marts_numbers(demo_report, tmp_path):
    url, truth, path = demo_report
    html = path.read_text()
    assert not re.search(r'(src|href)="(https?:)?//', html)  # opens offline: nothing external
    for section in (
        "Demand waterfall",
        "Velocity per stage",
        "Against the policy",
        "ROI per channel",
        "Cost per stage",
        "Wasted sales time",
        "Orphaned leads",
        "Unmeasurable spend",
        "Speed to lead",
        "days against the",
        "People entering each stage per week",
        "Cohort conversion",
        "Sales outcomes",
        "Open pipeline by sub-stage",
        "by last owner and the team",
    ):
        assert section in html, section
    # every section filled on the demo company: no empty chart or table anywhere
    assert "No data." not in html and 'class="empty"' not in html
    # two checks on two days: the orphan trend draws (at least) two points
    trend = _svg_after(html, "trend (each check)")
    assert trend.count("<circle") >= 2
    assert len(rows(url, "select distinct as_of from revgen_meta.orphan_trend")) >= 2

    shown = shown_kpis(html)
    for stage, people, rate in rows(
        url,
        """select v.stage_name, v.people,
            c.conversion_rate from marts.kpi_stage_volume v left join marts.kpi_stage_conversion c
            on c.from_stage = v.stage_name where v.stage_order >= 3""",
    ):
        assert shown[f"people.{stage}"] == f"{people:,}"
        assert shown[f"conversion.{stage}"] == ("n/a" if rate is None else f"{rate:.1%}")
    orphans = rows(url, "select count(*) from marts.orphaned_leads")[0][0]
    assert shown["orphans.total"] == f"{orphans:,}" and orphans == len(truth["orphans"])
    share = rows(url, "select unmeasurable_share from marts.kpi_unmeasurable_spend")[0][0]
    assert shown["unmeasurable.share"] == f"{share:.1%}"
    waste = rows(url, "select sum(wasted_usd) from marts.kpi_wasted_sales_time")[0][0]
    assert shown["waste.total_usd"] == f"${float(waste):,.0f}"
    for channel, roi, basis in rows(
        url,
        "select channel, w_shaped_roi, roi_basis from marts.kpi_channel_performance",
    ):
        # null ROI: n/a without spend, "not measurable" with spend but no revenue measured (#17)
        none = "not measurable" if basis == "no_measurable_revenue" else "n/a"
        assert shown[f"roi.{channel}"] == (none if roi is None else f"{float(roi):.2f}")
    assert "off target" in html or "on target" in html

    png = screenshot(path, tmp_path / "report.png", width=1280, height=2400)
    image = Image.open(png).convert("RGB")
    colors = image.getcolors(maxcolors=1_000_000)
    assert colors is not None and len(colors) > 100
    background = max(count for count, _ in colors) / (image.size[0] * image.size[1])
    assert background < 0.95  # charts and tables, not a blank page
    red = sum(count for count, (r, g, b) in colors if r > 170 and g < 80 and b < 80)
    assert red > 1000  # the red bars of wasted time and orphans are drawn


# what a figure on the page means, read back independently of the report's own formatting
UNIT_HOURS = {"min": 1 / 60, "h": 1.0, "d": 24.0}


def _shown_number(text: str) -> tuple[float | None, float]:
    """(value, tolerance) of a shown figure: '$1,234' -> 1234, '48.5%' -> 0.485, '3.5 d' -> 84
    (hours), '1,000' -> 1000; 'not measurable' and 'n/a' -> None."""
    if text in ("not measurable", "n/a"):
        return None, 0
    match = re.fullmatch(r"(\$)?(-?[\d,]*\.?\d+)\s*(%|min|h|d)?", text)
    assert match, f"not a figure: {text!r}"
    dollar, number, unit = match.groups()
    value = float(number.replace(",", ""))
    decimals = len(number.split(".")[1]) if "." in number else 0
    tolerance = 0.5 * 10**-decimals
    if unit == "%":
        return value / 100, tolerance / 100
    if unit in UNIT_HOURS:
        return value * UNIT_HOURS[unit], tolerance * UNIT_HOURS[unit]
    return value, tolerance


def _assert_shows(shown: dict, key: str, expected, scale: float = 1.0) -> None:
    """The page's figure `key` is the mart's value (times `scale`, e.g. 24 for days in hours);
    a null in the mart is shown as n/a or not measurable."""
    assert key in shown, key
    value, tolerance = _shown_number(shown[key])
    if expected is None:
        assert value is None, (key, shown[key])
    else:
        assert value == pytest.approx(float(expected) * scale, abs=tolerance + 1e-9), (
            key,
            shown[key],
            expected,
        )


def test_every_figure_on_the_page_equals_its_mart(demo_report):
    url, _, path = demo_report
    shown = shown_kpis(path.read_text())
    compared = 0

    def check(key, expected, scale=1.0):
        nonlocal compared
        _assert_shows(shown, key, expected, scale)
        compared += 1

    headlines = rows(
        url,
        "select metric, value, last_period, previous_period from marts.kpi_headlines "
        "where is_dated",
    )
    for metric, value, last, previous in headlines:
        check(f"headline.{metric}.value", value)
        check(f"headline.{metric}.last", last)
        check(f"headline.{metric}.previous", previous)
    # the headline windows are real periods: the last two never exceed the whole history
    assert all(last + previous <= value for _, value, last, previous in headlines if value)

    reached = {
        m.removeprefix("reached_"): v for m, v, _, _ in headlines if m.startswith("reached_")
    }
    for stage, entered, converted, median, p90 in rows(
        url,
        "select from_stage, people_entered, people_converted, velocity_days_median, "
        "velocity_days_p90 from marts.kpi_stage_conversion",
    ):
        check(f"waterfall.reached.{stage}", entered)
        check(f"waterfall.went_on.{stage}", converted)
        check(f"velocity.{stage}.median", median, 24)
        check(f"velocity.{stage}.p90", p90, 24)
        assert reached[stage] == entered  # the waterfall and the headlines count the same people
    for stage, week, entered in rows(
        url, "select stage_name, week_start, people_entered from marts.kpi_stage_entries_by_week"
    ):
        check(f"entries.{stage}.{week.isoformat()}", entered)
    # the weeks add up to everyone who ever reached the stage
    for stage, total in rows(
        url,
        "select stage_name, sum(people_entered) from marts.kpi_stage_entries_by_week group by 1",
    ):
        assert total == reached[stage], stage
    for stage, month, rate in rows(
        url, "select from_stage, cohort_month, conversion_rate from marts.kpi_cohort_conversion"
    ):
        check(f"cohort.{stage}.{month.isoformat()[:7]}", rate)

    for channel, stage, cost in rows(
        url,
        "select channel, stage_name, cost_per_person_usd from marts.kpi_cost_per_stage_by_channel",
    ):
        check(f"cost.{channel}.{stage}", cost)
    # the grid is the per-campaign mart's spend over its people, channel by channel
    for channel, stage, cost in rows(
        url,
        "select coalesce(channel, 'unknown'), stage_name, "
        "sum(spend_usd) / nullif(sum(people_reached_stage), 0) "
        "from marts.kpi_cost_per_stage group by 1, 2 having sum(spend_usd) > 0",
    ):
        check(f"cost.{channel}.{stage}", cost)

    for kind, count_rate, amount_rate, deal, median, p90, pipeline in rows(
        url,
        "select opportunity_type, win_rate_by_count, win_rate_by_amount, average_deal_usd, "
        "cycle_days_median, cycle_days_p90, open_pipeline_usd from marts.kpi_opportunity_outcomes",
    ):
        check(f"sales.{kind}.win_rate_by_count", count_rate)
        check(f"sales.{kind}.win_rate_by_amount", amount_rate)
        check(f"sales.{kind}.average_deal", deal)
        check(f"sales.{kind}.cycle_median", median, 24)
        check(f"sales.{kind}.cycle_p90", p90, 24)
        check(f"sales.{kind}.open_pipeline", pipeline)
    pipeline = rows(
        url,
        "select sub_stage, open_opportunities, open_pipeline_usd, backward_moves "
        "from marts.kpi_open_pipeline_by_stage",
    )
    for stage, open_deals, amount, backward in pipeline:
        check(f"pipeline.{stage}.open", open_deals)
        check(f"pipeline.{stage}.usd", amount)
        check(f"pipeline.{stage}.backward", backward)
    # the sub-stages hold every open deal and its amount, and every backward move
    outcomes = rows(
        url, "select sum(open), sum(open_pipeline_usd) from marts.kpi_opportunity_outcomes"
    )[0]
    assert sum(p[1] for p in pipeline) == outcomes[0]
    assert sum(p[2] or 0 for p in pipeline) == outcomes[1]
    assert (
        sum(p[3] for p in pipeline)
        == rows(
            url,
            "select count(*) from marts.fct_opportunity_stage_changes where direction = 'backward'",
        )[0][0]
    )

    waste = rows(
        url,
        "select breakdown, breakdown_value, wasted_usd from marts.kpi_wasted_sales_time_rollup",
    )
    for breakdown, value, usd in waste:
        check(f"waste.{breakdown}.{value}", usd)
    total = rows(url, "select sum(wasted_usd) from marts.kpi_wasted_sales_time")[0][0]
    for breakdown in ("rep", "source_channel"):
        assert sum(usd for kind, _, usd in waste if kind == breakdown) == pytest.approx(total)
    check("waste.total_usd", total)

    owners = rows(
        url, "select owner_key, expected_owner_team, orphans from marts.kpi_orphans_by_owner"
    )
    for owner, team, orphans in owners:
        check(f"orphans.owner.{owner}.{team}", orphans)
    assert (
        sum(orphans for _, _, orphans in owners)
        == rows(url, "select count(*) from marts.orphaned_leads")[0][0]
    )
    speed = rows(url, "select median_minutes, p95_minutes from marts.kpi_speed_to_lead")[0]
    check("speed.median_minutes", speed[0], 1 / 60)
    check("speed.p95_minutes", speed[1], 1 / 60)
    # every data-kpi figure of those kinds was compared
    kinds = ("headline.", "waterfall.", "velocity.", "entries.", "cohort.", "cost.", "sales.")
    kinds += ("pipeline.", "waste.", "orphans.owner.", "speed.")
    assert compared >= sum(1 for key in shown if key.startswith(kinds))


def test_orphans_link_to_the_crm_record_only_with_a_template_and_text_is_escaped(demo_report):
    url, _, path = demo_report
    assert "<a href" not in path.read_text()  # no template in the shipped policy: no links
    data = read_report_data(url)
    lead_row = next(row for row in data["orphans"] if row["lead_id"])
    lead_row["lead_id"] = "00Q/1?a=b&c"
    lead_row["opportunity_id"] = None
    other = next(row for row in data["orphans"] if row is not lead_row)
    other["person_id"] = "<script>alert(1)</script>"
    template = "https://x.lightning.force.com/lightning/r/Lead/{id}/view"
    html = render(data, Report(record_urls={"lead": template}))
    quoted = "https://x.lightning.force.com/lightning/r/Lead/00Q%2F1%3Fa%3Db%26c/view"
    assert f'<a href="{quoted}">{lead_row["person_id"]}</a>' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    links = re.findall(r'<a href="([^"]+)"', html)
    assert links and all(link.startswith("https://x.lightning.force.com/") for link in links)
