"""The funnel report: self-contained (nothing fetched), renders in headless Chromium, and the
numbers it shows equal the marts."""

import re

from PIL import Image

from revgen.dbt import run_dbt
from revgen.report.browser import screenshot
from revgen.report.html import shown_kpis, write_report
from tests.helpers import load_company, rows


def test_the_report_renders_offline_and_shows_the_marts_numbers(empty_warehouse, company, tmp_path):
    folder, truth = company
    load_company(empty_warehouse, folder)
    run_dbt(empty_warehouse, ["build"], as_of=truth["generator"]["as_of"])
    path = write_report(empty_warehouse, tmp_path)
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
    ):
        assert section in html, section

    shown = shown_kpis(html)
    for stage, people, rate in rows(
        empty_warehouse,
        """select v.stage_name, v.people,
            c.conversion_rate from marts.kpi_stage_volume v left join marts.kpi_stage_conversion c
            on c.from_stage = v.stage_name where v.stage_order >= 3""",
    ):
        assert shown[f"people.{stage}"] == f"{people:,}"
        assert shown[f"conversion.{stage}"] == ("n/a" if rate is None else f"{rate:.1%}")
    orphans = rows(empty_warehouse, "select count(*) from marts.orphaned_leads")[0][0]
    assert shown["orphans.total"] == f"{orphans:,}" and orphans == len(truth["orphans"])
    share = rows(empty_warehouse, "select unmeasurable_share from marts.kpi_unmeasurable_spend")[0][
        0
    ]
    assert shown["unmeasurable.share"] == f"{share:.1%}"
    waste = rows(empty_warehouse, "select sum(wasted_usd) from marts.kpi_wasted_sales_time")[0][0]
    assert shown["waste.total_usd"] == f"${float(waste):,.0f}"
    for channel, roi in rows(
        empty_warehouse, "select channel, w_shaped_roi from marts.kpi_channel_performance"
    ):
        assert shown[f"roi.{channel}"] == ("n/a" if roi is None else f"{float(roi):.2f}")
    assert "off target" in html or "on target" in html

    png = screenshot(path, tmp_path / "report.png", width=1280, height=2400)
    image = Image.open(png).convert("RGB")
    colors = image.getcolors(maxcolors=1_000_000)
    assert colors is not None and len(colors) > 100
    background = max(count for count, _ in colors) / (image.size[0] * image.size[1])
    assert background < 0.95  # charts and tables, not a blank page
    red = sum(count for count, (r, g, b) in colors if r > 170 and g < 80 and b < 80)
    assert red > 1000  # the red bars of wasted time and orphans are drawn


def test_the_report_is_written_for_an_empty_warehouse_too(empty_warehouse, tmp_path):
    """A first run with no data yet (e.g. only an API source configured, nothing arrived)."""
    from revgen.db import connect
    from revgen.load.schema import ensure_schema

    with connect(empty_warehouse, autocommit=True) as conn:
        ensure_schema(conn)
    run_dbt(empty_warehouse, ["build"], as_of="2026-04-01T00:00:00Z")
    html = write_report(empty_warehouse, tmp_path).read_text()
    assert shown_kpis(html)["orphans.total"] == "0"
    assert "No data." in html
