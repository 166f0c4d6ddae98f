"""Reliability: a load killed mid-COPY leaves nothing half-done; a stopped warehouse fails with a
clear message and the retry succeeds; readers see the old or the new state, never a mix."""

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from revgen.db import connect
from revgen.db.local import LocalPostgres
from revgen.dbt import run_dbt
from revgen.errors import WarehouseUnreachable
from revgen.load.run import load_source
from tests.helpers import rows

TOUCHPOINTS = 600_000


@pytest.fixture(scope="module")
def big_touchpoints(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big") / "marketing"
    folder.mkdir()
    with open(folder / "touchpoints.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "touchpoint_id",
                "contact_id",
                "visitor_id",
                "campaign_id",
                "channel",
                "touch_type",
                "touched_at",
            ]
        )
        for n in range(TOUCHPOINTS):
            writer.writerow(
                [
                    f"T{n:08d}",
                    f"C{n % 5000:07d}",
                    "",
                    "CMP001",
                    "email",
                    "email_click",
                    f"2026-01-{n % 28 + 1:02d}T10:00:00Z",
                ]
            )
    return folder


def _copy_running(url: str) -> bool:
    found = rows(
        url,
        "select count(*) from pg_stat_activity where query ilike 'copy %%' and state = 'active'",
    )
    return found[0][0] > 0


def _visible_touchpoints(url: str) -> int | None:
    """The rows a reader sees in the touchpoints table now; None while a first load holds the
    table (it rebuilds the empty table's key: readers wait for its commit)."""
    import psycopg

    with connect(url, autocommit=True) as conn:
        conn.execute("set lock_timeout = '20ms'")
        try:
            row = conn.execute("select count(*) from raw_marketing.touchpoints").fetchone()
        except psycopg.errors.LockNotAvailable:
            return None
    assert row is not None
    return int(row[0])


def _load_in_background(url: str, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("revgen")),
            "load",
            "marketing",
            "--folder",
            str(folder),
        ],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_load_killed_mid_copy_leaves_no_partial_batch_and_the_retry_loads_all(
    empty_warehouse, big_touchpoints
):
    load = _load_in_background(empty_warehouse, big_touchpoints)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _copy_running(empty_warehouse):
        time.sleep(0.02)
    assert _copy_running(empty_warehouse), "the COPY never started"
    for _ in range(5):  # a reader during the COPY sees nothing of the batch
        seen.append(_visible_touchpoints(empty_warehouse))
        time.sleep(0.02)
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=30)
    time.sleep(0.5)
    assert set(seen) <= {0, None}
    assert rows(empty_warehouse, "select count(*) from raw_marketing.touchpoints") == [(0,)]
    assert rows(empty_warehouse, "select count(*) from revgen_meta.load_runs") == [(0,)]
    # the first load's bulk mode (the key dropped, the batch as defaults) went with it
    assert rows(
        empty_warehouse,
        "select count(*) from pg_constraint "
        "where conrelid = 'raw_marketing.touchpoints'::regclass and contype = 'p'",
    ) == [(1,)]
    assert rows(
        empty_warehouse,
        "select count(column_default) from information_schema.columns "
        "where (table_schema, table_name) = ('raw_marketing', 'touchpoints')"
        " and column_name in ('_source', '_batch_id')",
    ) == [(0,)]

    (result,) = load_source(empty_warehouse, "marketing", big_touchpoints)
    assert result.rows_loaded == TOUCHPOINTS
    assert rows(
        empty_warehouse,
        "select count(*), count(distinct touchpoint_id) from raw_marketing.touchpoints",
    ) == [(TOUCHPOINTS, TOUCHPOINTS)]


def test_a_second_load_killed_mid_copy_leaves_the_first_loads_rows_and_the_retry_merges(
    empty_warehouse, big_touchpoints, tmp_path
):
    from revgen.bench.next_day import write_full_export
    from revgen.contract import stream

    state = (
        "select count(*), max(_batch_id::text), md5(string_agg(t::text, '|' order by t::text)) "
        "from raw_marketing.touchpoints t"
    )
    load_source(empty_warehouse, "marketing", big_touchpoints)
    before = rows(empty_warehouse, state)
    tomorrow = tmp_path / "marketing"
    written = write_full_export(
        big_touchpoints / "touchpoints.csv",
        tomorrow / "touchpoints-next-day.csv",
        stream("marketing", "touchpoints"),
        "2026-02-01T00:00:00Z",
    )
    load = _load_in_background(empty_warehouse, tomorrow)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _copy_running(empty_warehouse):
        time.sleep(0.02)
    assert _copy_running(empty_warehouse), "the COPY never started"
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=30)
    time.sleep(0.5)
    assert rows(empty_warehouse, state) == before
    assert rows(empty_warehouse, "select count(*) from revgen_meta.load_runs") == [(1,)]

    (result,) = load_source(empty_warehouse, "marketing", tomorrow)
    assert (result.method, result.rows_read, result.rows_rejected) == ("delta", written, 0)
    assert result.rows_inserted == written - TOUCHPOINTS
    assert rows(empty_warehouse, "select count(*) from raw_marketing.touchpoints") == [(written,)]


def test_a_stopped_warehouse_fails_with_a_clear_message_and_the_retry_succeeds(
    tmp_path, company, monkeypatch
):
    folder, truth = company
    server = LocalPostgres(tmp_path / "pgdata")
    url = server.up()
    try:
        server.down()
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(WarehouseUnreachable) as err:
            load_source(url, "crm", folder / "crm")
        assert "Cannot reach the warehouse at postgresql://revgen:***@127.0.0.1" in str(err.value)
        # restarted with the same login (role, password); on the same port unless another process
        # took it meanwhile (parallel tests open connections from the same range of ports)
        restarted = server.up()
        assert restarted.rsplit(":", 1)[0] == url.rsplit(":", 1)[0]
        results = load_source(restarted, "crm", folder / "crm")
        assert sum(r.rows_loaded for r in results) == sum(
            n for key, n in truth["rows"].items() if key.startswith("crm.")
        )
    finally:
        server.down()


def test_readers_see_the_previous_or_the_new_state_never_a_mix(built_warehouse, company, tmp_path):
    folder, truth = company
    as_of = truth["generator"]["as_of"]
    query = (
        "select (select count(*) from marts.orphaned_leads), "
        "(select count(*) from marts.dim_people where owner_id is null)"
    )
    before = rows(built_warehouse, query)[0]

    # tonight: every lead of one rep loses its owner
    with open(folder / "crm" / "leads.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        header, leads = reader.fieldnames, list(reader)[: truth["rows"]["crm.leads"]]
    rep = leads[0]["owner_id"]
    changed = [dict(lead, owner_id="") for lead in leads if lead["owner_id"] == rep]
    (tmp_path / "crm").mkdir()
    with open(tmp_path / "crm" / "leads-night2.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(changed)

    seen, reads, stop = set(), [0], threading.Event()

    def read_continuously():
        with connect(built_warehouse, autocommit=True) as conn:
            while not stop.is_set():
                seen.add(conn.execute(query).fetchone())
                reads[0] += 1

    reader_thread = threading.Thread(target=read_continuously)
    reader_thread.start()
    try:
        load_source(built_warehouse, "crm", tmp_path / "crm")
        run_dbt(built_warehouse, ["build"], as_of=as_of)
    finally:
        stop.set()
        reader_thread.join(timeout=60)
    after = rows(built_warehouse, query)[0]
    assert after != before
    assert reads[0] > 20  # the reader kept reading while the load and the build ran
    assert seen <= {before, after}, seen - {before, after}


def test_the_load_takes_the_files_the_extract_step_found_and_no_other(empty_warehouse, tmp_path):
    """A file landing between a run's extract and its load waits for the next run (it was never
    checked); a file the extract found that is gone by the load is an error naming it, and the
    stream's other files still load."""
    from revgen.errors import InputError
    from revgen.pipeline import extract_files, load_files

    folder = tmp_path / "crm"
    folder.mkdir()
    header = "user_id,name,role,team,is_active\n"
    (folder / "users-2026-03-01.csv").write_text(header + "U1,Sam,ae,sales,true\n")
    (folder / "users-2026-03-02.csv").write_text(header + "U2,Kim,sdr,sales,true\n")
    found = extract_files("crm", landing=tmp_path)
    assert found["users"] == ["users-2026-03-01.csv", "users-2026-03-02.csv"]
    (folder / "users-2026-03-03.csv").write_text(header + "U3,Noa,ae,sales,true\n")  # late

    load_files(empty_warehouse, "crm", "users", landing=tmp_path, found=found)
    assert rows(empty_warehouse, "select user_id from raw_crm.users order by 1") == [
        ("U1",),
        ("U2",),
    ]

    (folder / "users-2026-03-02.csv").unlink()  # found, then gone
    found = {"users": ["users-2026-03-02.csv", "users-2026-03-03.csv"]}
    with pytest.raises(InputError, match="users-2026-03-02.csv: found by the extract step, gone"):
        load_files(empty_warehouse, "crm", "users", landing=tmp_path, found=found)
    assert rows(empty_warehouse, "select user_id from raw_crm.users order by 1") == [
        ("U1",),
        ("U2",),
        ("U3",),
    ]
