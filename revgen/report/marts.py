"""What the report and the run summary read: one plain select per mart, nothing aggregated here
(every figure is computed by a dbt mart with a contract). The summary and the HTML page share
these queries, so the same figure can never differ between them."""

from __future__ import annotations

from typing import Any

QUERIES: dict[str, str] = {
    "volume": "select stage_name, people from marts.kpi_stage_volume "
    "where is_per_person order by stage_order",
    "conversion": "select from_stage, to_stage, people_entered, people_converted, "
    "conversion_rate, velocity_days_median, velocity_days_p90 "
    "from marts.kpi_stage_conversion order by from_stage_order",
    "headlines": "select metric, is_dated, value, last_period, previous_period, change_rate, "
    "comparison_days, as_of from marts.kpi_headlines order by metric_order, metric",
    "speed": "select median_minutes, p95_minutes, share_within_1h, mqls_touched, "
    "mqls_never_touched from marts.kpi_speed_to_lead",
    "sla": "select stage_name, sla_hours, handovers_decided, handovers_met, compliance "
    "from marts.kpi_sla_compliance order by stage_name",
    "policy": "select * from marts.kpi_policy_performance order by stage_order",
    "channels": "select * from marts.kpi_channel_performance order by channel",
    "cost": "select channel, stage_order, stage_name, people_reached_stage, spend_usd, "
    "cost_per_person_usd from marts.kpi_cost_per_stage_by_channel order by channel, stage_order",
    "waste": "select breakdown, breakdown_value, label, wasted_hours, wasted_usd "
    "from marts.kpi_wasted_sales_time_rollup order by breakdown, wasted_usd desc, breakdown_value",
    "entries_by_week": "select week_start, stage_order, stage_name, people_entered, re_entries "
    "from marts.kpi_stage_entries_by_week order by stage_order, week_start",
    "cohorts": "select from_stage, to_stage, cohort_month, people_entered, people_converted, "
    "conversion_rate from marts.kpi_cohort_conversion order by cohort_month, from_stage",
    "outcomes": "select * from marts.kpi_opportunity_outcomes order by opportunity_type",
    "pipeline": "select sub_stage, open_opportunities, open_with_amount, open_pipeline_usd, "
    "backward_moves from marts.kpi_open_pipeline_by_stage order by sub_stage_order",
    "orphans_by_reason": "select reason, expected_owner_team, orphans, oldest_hours_orphaned "
    "from marts.kpi_orphans_by_reason order by orphans desc, reason, expected_owner_team",
    "orphans_by_owner": "select owner_key, owner_name, owner_team, expected_owner_team, orphans, "
    "oldest_hours_orphaned from marts.kpi_orphans_by_owner "
    "order by orphans desc, owner_key, expected_owner_team",
    "orphans": "select person_id, reason, current_stage, owner_id, owner_name, "
    "expected_owner_team, lead_id, opportunity_id, hours_orphaned from marts.orphaned_leads "
    "order by hours_orphaned desc, person_id limit 50",
    "unmeasurable": "select total_spend_usd, unmeasurable_spend_usd, unmeasurable_share, "
    "unmeasurable_campaigns from marts.kpi_unmeasurable_spend",
    # the checks' own record, not a KPI of the data (a mart must rebuild from the data alone):
    # one row per orphan check, written by revgen/alerts/orphans.py (revgen/meta.py owns it)
    "orphan_trend": "select checked_at, as_of, orphans from revgen_meta.orphan_trend "
    "order by checked_at",
}


def read(conn, names: list[str] | tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Rows (as dicts) of the named queries, all of them by default."""
    result = {}
    for name in names or QUERIES:
        cursor = conn.execute(QUERIES[name])
        columns = [column.name for column in cursor.description or []]
        result[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return result


def headlines(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """kpi_headlines by metric."""
    return {row["metric"]: row for row in rows}
