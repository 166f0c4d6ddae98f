"""Every figure of the generator's ground truth equals the marts, on a 10,000-person company:
counts exactly, money to the cent, rates and days to 1e-9. Each mismatch is printed."""

import math

import pytest

from revgen.generate import generate_company
from tests.helpers import empty_revgen_schemas, load_and_build, rows

PEOPLE = 10_000


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("company10k")
    truth = generate_company(people=PEOPLE, seed=42, days=120, out=folder, progress=False)
    empty_revgen_schemas(warehouse)
    load_and_build(warehouse, folder, truth["generator"]["as_of"])
    return warehouse, truth


class Mismatches(list):
    def check(self, what, expected, found, tolerance=0.0):
        if expected is None or found is None:
            same = expected is None and found is None
        elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
            same = math.isclose(float(found), float(expected), rel_tol=0, abs_tol=tolerance)
        else:
            same = expected == found
        if not same:
            self.append(f"{what}: ground truth {expected!r}, marts {found!r}")

    def mapping(self, what, expected: dict, found: dict, tolerance=0.0):
        for key in sorted(set(expected) | set(found)):
            self.check(f"{what}[{key}]", expected.get(key, 0), found.get(key, 0), tolerance)


def test_every_ground_truth_figure_equals_the_marts(built):
    url, truth = built
    bad = Mismatches()

    stages = dict(rows(url, "select stage_name, people from marts.kpi_stage_volume"))
    bad.mapping(
        "people_per_stage",
        truth["people_per_stage"],
        {k: v for k, v in stages.items() if k in truth["people_per_stage"]},
    )

    moves = {
        f"{f}>{t}:{d}": n
        for f, t, d, n in rows(
            url,
            "select from_stage, to_stage, direction, count(*) from marts.fct_stage_transitions "
            "group by 1, 2, 3",
        )
    }
    bad.mapping("transitions", truth["transitions"], moves)

    for f, t, entered, converted, rate, median, p90 in rows(
        url,
        """
            select from_stage, to_stage, people_entered, people_converted, conversion_rate,
                   velocity_days_median, velocity_days_p90 from marts.kpi_stage_conversion""",
    ):
        expected = truth["conversions"][f"{f}>{t}"]
        bad.check(f"conversions[{f}>{t}].entered", expected["entered"], entered)
        bad.check(f"conversions[{f}>{t}].converted", expected["converted"], converted)
        bad.check(f"conversions[{f}>{t}].rate", expected["rate"], rate, 1e-9)
        bad.check(f"conversions[{f}>{t}].median", expected["velocity_days_median"], median, 1e-9)
        bad.check(f"conversions[{f}>{t}].p90", expected["velocity_days_p90"], p90, 1e-9)

    cohorts = {}
    for f, t, month, entered, converted in rows(
        url,
        """
            select from_stage, to_stage, to_char(cohort_month, 'YYYY-MM'), people_entered,
                   people_converted from marts.kpi_cohort_conversion""",
    ):
        cohorts[f"{f}>{t}@{month}"] = (entered, converted)
    expected_cohorts = {
        f"{pair}@{month}": (c["entered"], c["converted"])
        for pair, months in truth["cohort_conversions"].items()
        for month, c in months.items()
    }
    bad.mapping("cohorts", expected_cohorts, cohorts)

    bad.mapping(
        "orphans",
        truth["orphans"],
        dict(rows(url, "select person_id, reason from marts.orphaned_leads")),
    )

    campaigns = rows(
        url,
        """select campaign_id, spend_usd, is_measurable, first_touch_revenue_usd,
        last_touch_revenue_usd, linear_revenue_usd, w_shaped_revenue_usd
        from marts.kpi_campaign_attribution""",
    )
    bad.mapping("spend", truth["spend_usd_by_campaign"], {c[0]: c[1] for c in campaigns}, 0.005)
    total, unmeasurable, share = rows(
        url,
        "select total_spend_usd, unmeasurable_spend_usd, "
        "unmeasurable_share from marts.kpi_unmeasurable_spend",
    )[0]
    bad.check("total_spend_usd", truth["total_spend_usd"], total, 0.005)
    bad.check("unmeasurable_spend_usd", truth["unmeasurable_spend_usd"], unmeasurable, 0.005)
    bad.check("unmeasurable_spend_share", truth["unmeasurable_spend_share"], share, 1e-9)
    for index, model in enumerate(("first_touch", "last_touch", "linear", "w_shaped"), start=3):
        found = {c[0]: c[index] for c in campaigns if c[index]}
        bad.mapping(
            f"attributed[{model}]", truth["attributed_revenue_usd_by_campaign"][model], found, 0.011
        )

    wasted = rows(
        url,
        "select rep_id, source_channel, wasted_minutes, wasted_usd "
        "from marts.kpi_wasted_sales_time",
    )
    by_rep_hours, by_rep_usd, by_channel = {}, {}, {}
    for rep, channel, minutes, usd in wasted:
        by_rep_hours[rep] = by_rep_hours.get(rep, 0) + minutes / 60
        by_rep_usd[rep] = by_rep_usd.get(rep, 0) + float(usd)
        by_channel[channel] = by_channel.get(channel, 0) + minutes / 60
    bad.mapping("wasted_hours_by_rep", truth["wasted_sales_hours_by_rep"], by_rep_hours, 1e-6)
    bad.mapping("wasted_usd_by_rep", truth["wasted_sales_usd_by_rep"], by_rep_usd, 0.011)
    bad.mapping("wasted_hours_by_channel", truth["wasted_sales_hours_by_channel"], by_channel, 1e-6)

    (touched, never, median, p95, within) = rows(
        url,
        """select mqls_touched, mqls_never_touched,
        median_minutes, p95_minutes, share_within_1h from marts.kpi_speed_to_lead""",
    )[0]
    speed = truth["speed_to_lead"]
    bad.check("speed.mqls_touched", speed["mqls_touched"], touched)
    bad.check("speed.mqls_never_touched", speed["mqls_never_touched"], never)
    bad.check("speed.median_minutes", speed["median_minutes"], median, 1e-9)
    bad.check("speed.p95_minutes", speed["p95_minutes"], p95, 1e-9)
    bad.check("speed.share_within_1h", speed["share_within_1h"], within, 1e-9)

    decided, met, compliance = rows(
        url, "select handovers_decided, handovers_met, compliance from marts.kpi_sla_compliance"
    )[0]
    bad.check("sla.decided", truth["lead_sla"]["handovers_decided"], decided)
    bad.check("sla.met", truth["lead_sla"]["met"], met)
    bad.check("sla.compliance", truth["lead_sla"]["compliance"], compliance, 1e-9)

    recycling = dict(
        zip(
            (
                "reached_lead",
                "recycled",
                "recycled_came_back",
                "reached_opportunity",
                "lost_to_nurture",
            ),
            rows(
                url,
                """select people_reached_lead,
        people_recycled, people_recycled_came_back, people_reached_opportunity,
        people_lost_to_nurture from marts.kpi_recycle_rates""",
            )[0],
            strict=True,
        )
    )
    bad.mapping("recycling", truth["recycling"], recycling)

    for kind, won, closed, open_, by_count, by_amount, average, cycle, pipeline in rows(
        url,
        """
            select opportunity_type, won, closed, open, win_rate_by_count, win_rate_by_amount,
                   average_deal_usd, cycle_days_median, open_pipeline_usd
            from marts.kpi_opportunity_outcomes""",
    ):
        expected = truth["opportunities"].get(kind, {})
        for name, value, tolerance in (
            ("won", won, 0),
            ("closed", closed, 0),
            ("open", open_, 0),
            ("win_rate_by_count", by_count, 1e-9),
            ("win_rate_by_amount", by_amount, 1e-9),
            ("average_deal_usd", average, 0.005),
            ("cycle_days_median", cycle, 1e-9),
            ("open_pipeline_usd", pipeline, 0.005),
        ):
            bad.check(f"opportunities[{kind}].{name}", expected.get(name), value, tolerance)

    by_day = {
        f"{day}:{stage}": people
        for day, stage, people in rows(
            url,
            "select to_char(day, 'YYYY-MM-DD'), stage_name, people from marts.kpi_funnel_by_day",
        )
    }
    expected_days = {
        f"{day}:{stage}": people
        for day, stages in truth["people_per_stage_by_day"].items()
        for stage, people in stages.items()
    }
    bad.mapping("people_per_stage_by_day", expected_days, by_day)

    for campaign, visitors, reached, engaged in rows(
        url,
        """select campaign_id,
            anonymous_visitors, people_reached, people_engaged
            from marts.kpi_campaign_attribution""",
    ):
        expected = truth["campaign_reach"].get(campaign, {})
        bad.check(
            f"reach[{campaign}].anonymous_visitors", expected.get("anonymous_visitors", 0), visitors
        )
        bad.check(f"reach[{campaign}].people_reached", expected.get("people_reached", 0), reached)
        bad.check(f"reach[{campaign}].people_engaged", expected.get("people_engaged", 0), engaged)

    by_source = {
        f"{c}:{stage}": n
        for c, stage, n in rows(
            url,
            """select campaign_id,
        stage_name, people_reached_stage from marts.kpi_cost_per_stage""",
        )
    }
    bad.mapping(
        "people_reaching_stage_by_source_campaign",
        {
            f"{c}:{stage}": n
            for c, stages in truth["people_reaching_stage_by_source_campaign"].items()
            for stage, n in stages.items()
        },
        by_source,
    )

    for month, accounts, churned, new, upsell, cross in rows(
        url,
        """select
            to_char(cohort_month, 'YYYY-MM'), accounts, churned_accounts, new_business_usd,
            upsell_usd, cross_sell_usd from marts.kpi_customer_expansion""",
    ):
        expected = truth["customer_expansion"].get(month, {})
        bad.check(f"expansion[{month}].accounts", expected.get("accounts"), accounts)
        bad.check(f"expansion[{month}].churned", expected.get("churned"), churned)
        bad.check(
            f"expansion[{month}].new_business_usd", expected.get("new_business_usd"), new, 0.005
        )
        bad.check(f"expansion[{month}].upsell_usd", expected.get("upsell_usd"), upsell, 0.005)
        bad.check(
            f"expansion[{month}].cross_sell_usd", expected.get("cross_sell_usd"), cross, 0.005
        )
    bad.check(
        "expansion.cohorts",
        len(truth["customer_expansion"]),
        rows(url, "select count(*) from marts.kpi_customer_expansion")[0][0],
    )

    assert not bad, f"{len(bad)} mismatch(es):\n" + "\n".join(bad[:60])
