"""The benchmark's own files: the days of changes it times, and BENCHMARKS.md's sections."""

import json
from datetime import UTC, datetime

from revgen.bench.next_day import write_next_day
from revgen.bench.tables import (
    GROWTH_HEADING,
    LOAD_HEADING,
    growth_section,
    section,
    with_section,
)
from revgen.generate import generate_company
from revgen.generate.files import read_csv

KEYS = {
    "marketing/contacts-next-day.csv": "contact_id",
    "marketing/touchpoints-next-day.csv": "touchpoint_id",
    "marketing/lead_scores-next-day.csv": "score_id",
    "crm/activities-next-day.csv": "activity_id",
}


def test_a_second_day_of_changes_shares_no_record_with_the_first(tmp_path):
    company = tmp_path / "company"
    generate_company(people=3000, seed=7, days=30, out=company)
    as_of = json.loads((company / "ground_truth.json").read_text())["generator"]["as_of"]
    days = [write_next_day(company, tmp_path / f"day-{n}", as_of, day=n) for n in (1, 2)]

    assert all(day["changed_people"] > 0 and day["new_people"] > 0 for day in days)
    for name, key in KEYS.items():
        first, second = (
            {row[key] for row in read_csv(tmp_path / d / name)} for d in ("day-1", "day-2")
        )
        assert first and second and not first & second, name
    people = {row["contact_id"] for row in read_csv(company / "marketing" / "contacts.csv")}
    second_day = read_csv(tmp_path / "day-2" / "marketing" / "contacts-next-day.csv")
    changed = [row for row in second_day if row["contact_id"] in people]
    assert len(changed) == days[1]["changed_people"]


def test_a_full_bench_keeps_the_growth_section_and_a_growth_run_replaces_only_it():
    growth = f"{GROWTH_HEADING}\n\nRun 1.\n\n| a | b |\n"
    page = f"# revgen benchmarks\n\n## Every phase\n\nx\n\n{LOAD_HEADING}\n\ny\n\n{growth}"
    assert section(page, GROWTH_HEADING) == growth
    assert section(page, LOAD_HEADING) == f"{LOAD_HEADING}\n\ny\n\n"

    newer = f"{GROWTH_HEADING}\n\nRun 2.\n"
    replaced = with_section(page, GROWTH_HEADING, newer)
    assert replaced == page.replace(growth, newer)
    # a growth section in the middle: what follows it stays
    moved = with_section(f"# t\n\n{growth}\n## DAG files\n\nz\n", GROWTH_HEADING, newer)
    assert moved == f"# t\n\n{newer}\n## DAG files\n\nz\n"
    # a page without one gets it at the end
    assert with_section("# t\n\n## Every phase\n", GROWTH_HEADING, newer).endswith(f"\n\n{newer}")


def _grown(people: int, seconds: float) -> dict:
    """A growth run's figures at one size (the keys bench_growth writes), every phase `seconds`."""
    phase = {"phase": "dbt build (full)", "seconds": seconds, "rss_mib": 100.0}
    day = {"changed_people": people // 100, "new_people": people // 100}
    return {
        "people": people,
        "raw_rows": people * 19,
        "files_bytes": people * 1200,
        "phases": [phase],
        "full": phase,
        "incremental": {**phase, "seconds": seconds / 4},
        "load_seconds": seconds,
        "normal_day_dag": {"seconds": seconds, "dbt_seconds": seconds / 2},
        "warehouse_bytes": people * 7500,
        "changes": day,
        "day_two_changes": day,
    }


def test_the_growth_table_has_a_growth_column_only_when_it_has_two_sizes():
    def table(results: list[dict]) -> list[str]:
        text = growth_section(results, datetime(2026, 12, 8, tzinfo=UTC))
        return [line for line in text.splitlines() if line.startswith("|")]

    two = table([_grown(100_000, 10.0), _grown(1_000_000, 40.0)])
    assert two[0] == "| | 100,000 people | 1,000,000 people | 1,000,000 / 100,000 |"
    assert "| dbt build (full) | 10.0 s | 40.0 s | 4.0 |" in two
    one = table([_grown(1_000_000, 40.0)])
    assert one[0] == "| | 1,000,000 people |" and one[1] == "|---|---|"
    assert "| dbt build (full) | 40.0 s |" in one
    assert all(line.count("|") == 3 for line in one)
