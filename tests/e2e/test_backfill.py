"""A 30-day backfill through Airflow builds the same marts as one catch-up run over the same files.

A generated company is cut into daily export files (`<stream>-YYYY-MM-DD.csv`: each row in the
file of the last day it mentions, and never before the rows it refers to). The backfill is an
`airflow dags test` run every tenth day (as after nights that did not run), each loading the
files that arrived up to its data interval's end and building the model incrementally; the
catch-up loads every file into a fresh warehouse and builds once, as of the last day's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from revgen.contract import STREAMS
from revgen.demo import run_dag_test
from revgen.generate import generate_company
from revgen.generate.files import read_csv, write_csv
from revgen.sources.files.reader import files_for
from tests.helpers import empty_revgen_schemas, load_and_build, rows, schema_checksums

DAYS = 30
EVERY = 10  # days between two runs of the backfill: 3 runs, each over ten days' files


def _day_of(record: dict, first: date, last: date) -> date:
    """The last day a record mentions, within the backfill."""
    days = [first]
    for value in record.values():
        try:
            days.append(datetime.fromisoformat(value.replace("Z", "+00:00")).date())
        except (ValueError, AttributeError):  # not a date (or a planted bad one)
            continue
    return min(max(days), last)


def split_by_day(company: Path, landing: Path, first: date, last: date) -> int:
    """Write the company's files as daily files; return how many files were written."""
    day_of_id: dict[tuple[str, str], date] = {}
    written = 0
    for stream in STREAMS:  # the contract lists referenced streams first
        records = read_csv(company / stream.source / f"{stream.name}.csv")
        by_day: dict[date, list[dict]] = {}
        for record in records:
            day = _day_of(record, first, last)
            for ref in stream.references:
                day = max(day, day_of_id.get((ref.stream, record.get(ref.column) or ""), first))
            day_of_id[stream.name, record[stream.primary_key[0]]] = day
            by_day.setdefault(day, []).append(record)
        for day, day_records in by_day.items():
            write_csv(landing / stream.source / f"{stream.name}-{day.isoformat()}.csv", day_records)
            written += 1
    return written


@pytest.fixture(scope="module")
def daily_company(tmp_path_factory):
    company = tmp_path_factory.mktemp("backfill-company")
    truth = generate_company(people=150, seed=5, days=DAYS, out=company, progress=False)
    as_of = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00")).date()
    first, last = as_of - timedelta(days=DAYS), as_of - timedelta(days=1)
    return company, truth, first, last


@pytest.fixture
def own_home(tmp_path):
    """The DAG runs with their own REVGEN_HOME (landing folder, dbt target, reports), so the
    daily files stay out of the other tests' landing folder."""
    return tmp_path / "home", {
        "REVGEN_HOME": str(tmp_path / "home"),
        # one PII key for both warehouses: a fresh warehouse otherwise makes its own random key,
        # and every email hash in dim_people and orphaned_leads would differ
        "REVGEN_PII_KEY": "backfill-test-key",
    }


def _fresh_warehouse(url: str, truth: dict, landing: Path, company: Path, first, last) -> None:
    import shutil

    empty_revgen_schemas(url, demo=truth["generator"])
    shutil.rmtree(landing, ignore_errors=True)
    split_by_day(company, landing, first, last)


def test_a_30_day_backfill_builds_the_same_marts_as_one_catch_up_run(
    warehouse, daily_company, own_home, monkeypatch
):
    company, truth, first, last = daily_company
    home, home_env = own_home
    landing = home / "landing"
    _fresh_warehouse(warehouse, truth, landing, company, first, last)
    contacts = next(s for s in STREAMS if s.name == "contacts" and s.source == "marketing")
    dated = files_for(landing / "marketing", contacts)
    assert len(dated) > 10  # the contacts really arrive over many days
    # the first day's run takes only the first day's files
    assert files_for(landing / "marketing", contacts, until=first + timedelta(days=1)) == [
        landing / "marketing" / f"contacts-{first.isoformat()}.csv"
    ]

    # no lookback margin: each daily run rebuilds only what its day loaded. `airflow dags test`
    # of date D runs the interval that ends at D (the day before D), as the scheduler would at D.
    incremental = {"REVGEN_LOOKBACK_HOURS": "0", **home_env}
    loaded_by_day = []
    for offset in range(EVERY, DAYS + 1, EVERY):
        day = first + timedelta(days=offset)
        run_dag_test(warehouse, day.isoformat(), f"backfill-{day}.log", incremental)
        loaded_by_day.append(rows(warehouse, "select count(*) from raw_marketing.contacts")[0][0])
    assert loaded_by_day == sorted(loaded_by_day) and loaded_by_day[0] < loaded_by_day[-1]
    # every line of every daily file was read once, in the run of its day, and counts reconcile
    read, loaded, rejected, runs = rows(
        warehouse,
        "select sum(rows_read), sum(rows_loaded), sum(rows_rejected), count(*) "
        "from revgen_meta.load_runs where source = 'marketing' and stream = 'contacts'",
    )[0]
    lines = len(read_csv(company / "marketing" / "contacts.csv"))  # planted bad rows included
    assert read == lines and runs == len(dated)
    assert loaded == read - rejected > 0
    assert loaded_by_day[-1] <= loaded  # fewer when a later day updates an id already loaded
    backfilled = schema_checksums(warehouse)
    backfilled_rejects = rows(warehouse, "select count(*) from revgen_meta.rejects")[0][0]

    # the catch-up: every daily file loaded at once and one build, without Airflow (the runs
    # above are Airflow's), with the same PII key
    _fresh_warehouse(warehouse, truth, landing, company, first, last)
    monkeypatch.setenv("REVGEN_PII_KEY", home_env["REVGEN_PII_KEY"])
    load_and_build(warehouse, landing, f"{last + timedelta(days=1)}T00:00:00Z")
    caught_up = schema_checksums(warehouse)

    assert len(caught_up) >= 19
    different = sorted(name for name in caught_up if caught_up[name] != backfilled.get(name))
    assert not different, f"the backfill and the catch-up run differ in {different}"
    # the same rows were rejected either way (the generator plants a few bad ones)
    assert rows(warehouse, "select count(*) from revgen_meta.rejects")[0][0] == backfilled_rejects
