"""Loading a generated company: clean rows land, dirty rows are quarantined, counts reconcile,
and loading again changes nothing."""

from revgen.contract import STREAMS
from tests.helpers import empty_revgen_schemas, load_company, rows


def _raw_counts(url):
    return {
        f"{s.source}.{s.name}": rows(url, f"select count(*) from {s.table}")[0][0] for s in STREAMS
    }


def test_clean_rows_equal_ground_truth_and_dirty_rows_are_rejected_with_reasons(
    empty_warehouse, company
):
    folder, truth = company
    results = load_company(empty_warehouse, folder)
    assert _raw_counts(empty_warehouse) == truth["rows"]
    rejects = {
        (r[0], r[1], r[2], r[3], r[4])
        for r in rows(
            empty_warehouse, "select source, stream, line, field, reason from revgen_meta.rejects"
        )
    }
    expected = {
        (r["source"], r["stream"], r["line"], r["field"], r["reason"])
        for r in truth["expected_rejects"]
    }
    assert rejects == expected
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_rejected
    mismatched = rows(
        empty_warehouse,
        "select count(*) from revgen_meta.load_runs where rows_read <> rows_loaded + rows_rejected",
    )
    assert mismatched == [(0,)]


def test_loading_the_same_files_again_changes_nothing(empty_warehouse, company):
    from revgen.db import connect
    from revgen.load.copy import loaded_since, server_clock

    folder, truth = company
    with connect(empty_warehouse) as conn:
        first = server_clock(conn)
    load_company(empty_warehouse, folder)
    before = rows(
        empty_warehouse,
        "select _batch_id, count(*) from raw_marketing.contacts group by 1 order by 1",
    )
    with connect(empty_warehouse) as conn:
        again = server_clock(conn)
    skipped = load_company(empty_warehouse, folder)
    assert all(result.skipped for result in skipped)
    # what `revgen run` tells of the loads (the second: no new file)
    with connect(empty_warehouse) as conn:
        assert loaded_since(conn, first) == (
            len({(result.source, result.file_name) for result in skipped}),
            len({(result.source, result.stream) for result in skipped}),
            sum(truth["rows"].values()),
            len(truth["expected_rejects"]),
        )
        assert loaded_since(conn, again) == (0, 0, 0, 0)
    forced = load_company(empty_warehouse, folder, force=True)
    assert sum(r.rows_inserted + r.rows_updated for r in forced) == 0
    assert sum(r.rows_loaded for r in forced) == sum(truth["rows"].values())
    assert _raw_counts(empty_warehouse) == truth["rows"]
    assert (
        rows(
            empty_warehouse,
            "select _batch_id, count(*) from raw_marketing.contacts group by 1 order by 1",
        )
        == before
    )
    assert rows(empty_warehouse, "select count(*) from revgen_meta.rejects") == [
        (len(truth["expected_rejects"]),)
    ]


def test_a_changed_row_is_updated_and_only_that_row(empty_warehouse, company, tmp_path):
    folder, _ = company
    load_company(empty_warehouse, folder)
    users = (folder / "crm" / "users.csv").read_text().splitlines()
    header, first, rest = users[0], users[1], users[2:]
    changed = first.replace(",true,", ",false,", 1)
    assert changed != first
    drop = tmp_path / "crm"
    drop.mkdir()
    (drop / "users-2026-04-02.csv").write_text("\n".join([header, changed, *rest]) + "\n")
    from revgen.load.run import load_source

    (result,) = load_source(empty_warehouse, "crm", drop)
    assert (result.rows_inserted, result.rows_updated) == (0, 1)


def test_clean_first_loads_take_the_direct_copy_and_equal_the_checking_path(
    empty_warehouse, company
):
    """Direct COPY (first load of a clean file) and the row-checking path give the same rows;
    a file with a bad row never takes the direct path."""
    from revgen.contract import stream
    from revgen.db import connect
    from revgen.load.copy import file_sha256, load_records
    from revgen.sources.files.reader import read_records

    folder, truth = company
    results = {(r.source, r.stream): r for r in load_company(empty_warehouse, folder)}
    assert results["marketing", "touchpoints"].method == "direct"
    assert results["crm", "activities"].method == "direct"
    dirty = {(r["source"], r["stream"]) for r in truth["expected_rejects"]}
    assert dirty and all(results[key].method == "checked" for key in dirty)

    touchpoints = stream("marketing", "touchpoints")
    columns = ", ".join(touchpoints.column_names)

    def checksum():
        return rows(
            empty_warehouse,
            f"select count(*), md5(string_agg(t::text, '|' order by "
            f"t::text)) from (select {columns} from "
            "raw_marketing.touchpoints) t",
        )[0]

    direct = checksum()
    assert direct[0] == truth["rows"]["marketing.touchpoints"]
    path = folder / "marketing" / "touchpoints.csv"
    empty_revgen_schemas(empty_warehouse, raw_tables=True)
    with connect(empty_warehouse, autocommit=True) as conn:
        checked = load_records(
            conn, touchpoints, read_records(path, touchpoints), path.name, file_sha256(path)
        )
    assert checked.method == "checked"
    assert checksum() == direct


def test_a_newer_contract_adds_its_columns_to_existing_raw_tables(empty_warehouse, company):
    """Upgrading revgen never needs a reset: missing contract columns are added, data is kept."""
    from revgen.db import connect
    from revgen.load.schema import ensure_schema

    folder, truth = company
    load_company(empty_warehouse, folder)
    with connect(empty_warehouse, autocommit=True) as conn:
        conn.execute(
            "alter table raw_marketing.contacts drop column is_deleted, drop column merged_into_id"
        )
        ensure_schema(conn)
    columns = {
        r[0]
        for r in rows(
            empty_warehouse,
            "select column_name from information_schema."
            "columns where table_schema = 'raw_marketing' "
            "and table_name = 'contacts'",
        )
    }
    assert {"is_deleted", "merged_into_id"} <= columns
    assert rows(empty_warehouse, "select count(*) from raw_marketing.contacts") == [
        (truth["rows"]["marketing.contacts"],)
    ]


def _contract_checksum(url, target):
    columns = ", ".join(target.column_names)
    return rows(
        url,
        f"select count(*), md5(string_agg(t::text, '|' order by t::text)) "
        f"from (select {columns}, _deleted_at from {target.table}) t",
    )[0]


def test_tomorrows_full_export_upserts_only_what_changed_and_equals_the_checking_path(
    empty_warehouse, company, tmp_path
):
    """A second load of a whole stream (1% changed, 1% new) takes the server's COPY and writes
    only the changed and new rows, with the counts and the rows the checking path gives."""
    from revgen.bench.next_day import write_full_export
    from revgen.contract import stream
    from revgen.db import connect
    from revgen.load.copy import file_sha256, load_records
    from revgen.load.run import load_source
    from revgen.sources.files.reader import read_records

    folder, truth = company
    touchpoints = stream("marketing", "touchpoints")
    first = folder / "marketing" / "touchpoints.csv"
    second = tmp_path / "marketing" / "touchpoints-next-day.csv"
    written = write_full_export(first, second, touchpoints, truth["generator"]["as_of"])
    total = truth["rows"]["marketing.touchpoints"]
    new = written - total
    changed = len(range(0, total, 100))
    assert new > 0 and changed > 0

    (initial,) = load_source(empty_warehouse, "marketing", folder / "marketing", ["touchpoints"])
    (delta,) = load_source(empty_warehouse, "marketing", second.parent)
    assert (initial.method, delta.method) == ("direct", "delta")
    assert (delta.rows_read, delta.rows_loaded, delta.rows_rejected) == (written, written, 0)
    assert (delta.rows_inserted, delta.rows_updated) == (new, changed)
    assert rows(
        empty_warehouse,
        "select rows_read, rows_loaded, rows_rejected, rows_inserted, rows_updated "
        "from revgen_meta.load_runs where batch_id = %s",
        (delta.batch_id,),
    ) == [(written, written, 0, new, changed)]
    # the unchanged rows keep the first batch's stamp: only what changed was written
    assert rows(
        empty_warehouse,
        "select count(*) from raw_marketing.touchpoints where _batch_id = %s",
        (delta.batch_id,),
    ) == [(new + changed,)]
    by_delta = _contract_checksum(empty_warehouse, touchpoints)
    assert by_delta[0] == written

    empty_revgen_schemas(empty_warehouse, raw_tables=True)
    with connect(empty_warehouse, autocommit=True) as conn:
        for path in (first, second):
            checked = load_records(
                conn, touchpoints, read_records(path, touchpoints), path.name, file_sha256(path)
            )
    assert checked.method == "checked"
    assert (checked.rows_inserted, checked.rows_updated) == (new, changed)
    assert _contract_checksum(empty_warehouse, touchpoints) == by_delta


CONTACT_HEADER = ["contact_id", "email", "job_title", "created_at", "updated_at"]


def _write_contacts(folder, name, contacts):
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTACT_HEADER)
        writer.writerows(contacts)


def test_a_second_export_rejects_its_one_bad_changed_row_and_an_older_file_never_wins(
    empty_warehouse, tmp_path
):
    """Day 2 holds unchanged, changed and new contacts, and one changed contact with a bad
    value: only that row is rejected, naming file, line and field. Day 0's file, arriving last
    and clean, inserts its new contact but does not undo day 2's change; day 3 fixes the bad row
    and resolves its reject."""
    from revgen.load.run import load_source

    day1, day2 = "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"
    base = [
        [f"C{n}", f"c{n}@example.com", "analyst", "2026-01-01T00:00:00Z", day1] for n in range(1, 6)
    ]
    _write_contacts(tmp_path / "d1", "contacts-day1.csv", base)
    (first,) = load_source(empty_warehouse, "marketing", tmp_path / "d1")
    assert first.method == "direct"

    day2_rows = [
        base[0],  # unchanged
        base[1],  # unchanged
        ["C3", "c3@example.com", "director", "2026-01-01T00:00:00Z", day2],  # changed
        ["C4", "c4@example.com", "director", "not a time", day2],  # changed, bad value
        ["C6", "c6@example.com", "analyst", "2026-01-01T00:00:00Z", day2],  # new
    ]
    _write_contacts(tmp_path / "d2", "contacts-day2.csv", day2_rows)
    (second,) = load_source(empty_warehouse, "marketing", tmp_path / "d2")
    assert second.method == "checked"  # a row to reject: the path that names it
    assert (second.rows_read, second.rows_loaded, second.rows_rejected) == (5, 4, 1)
    assert (second.rows_inserted, second.rows_updated) == (1, 1)
    assert rows(
        empty_warehouse,
        "select file_name, line, field, value, reason, record_key from revgen_meta.rejects",
    ) == [("contacts-day2.csv", 5, "created_at", "not a time", "invalid_timestamp", "C4")]

    older = [
        ["C3", "c3@example.com", "analyst", "2026-01-01T00:00:00Z", day1],  # day 1's version
        ["C7", "c7@example.com", "analyst", "2026-01-01T00:00:00Z", day1],  # new
    ]
    _write_contacts(tmp_path / "d0", "contacts-day0.csv", older)
    (late,) = load_source(empty_warehouse, "marketing", tmp_path / "d0")
    assert late.method == "delta"
    assert (late.rows_read, late.rows_loaded, late.rows_inserted, late.rows_updated) == (2, 2, 1, 0)

    fixed = [["C4", "c4@example.com", "director", "2026-01-01T00:00:00Z", day2]]
    _write_contacts(tmp_path / "d3", "contacts-day3.csv", fixed)
    (third,) = load_source(empty_warehouse, "marketing", tmp_path / "d3")
    assert (third.method, third.rows_updated) == ("delta", 1)
    assert rows(
        empty_warehouse,
        "select contact_id, job_title, updated_at::text from raw_marketing.contacts order by 1",
    ) == [
        ("C1", "analyst", "2026-03-01 10:00:00+00"),
        ("C2", "analyst", "2026-03-01 10:00:00+00"),
        ("C3", "director", "2026-03-02 10:00:00+00"),
        ("C4", "director", "2026-03-02 10:00:00+00"),
        ("C5", "analyst", "2026-03-01 10:00:00+00"),
        ("C6", "analyst", "2026-03-02 10:00:00+00"),
        ("C7", "analyst", "2026-03-01 10:00:00+00"),
    ]
    assert rows(
        empty_warehouse,
        "select resolved_batch_id = %s::uuid from revgen_meta.rejects",
        (third.batch_id,),
    ) == [(True,)]
    mismatched = rows(
        empty_warehouse,
        "select count(*) from revgen_meta.load_runs where rows_read <> rows_loaded + rows_rejected",
    )
    assert mismatched == [(0,)]


def test_a_second_export_whose_typed_values_would_be_rejected_takes_the_checking_path(
    empty_warehouse, tmp_path
):
    """Values the server's COPY types without complaint but the contract refuses (a timestamp in
    the future, a key twice in the file) send a later load to the checking path: those rows are
    rejected by name, the rest of the file loads."""
    from revgen.load.run import load_source

    day1 = "2026-03-01T10:00:00Z"
    base = [[f"C{n}", f"c{n}@example.com", "analyst", "2026-01-01T00:00:00Z", day1] for n in (1, 2)]
    _write_contacts(tmp_path / "d1", "contacts-day1.csv", base)
    (first,) = load_source(empty_warehouse, "marketing", tmp_path / "d1")
    assert first.method == "direct"
    later = [
        ["C1", "c1@example.com", "analyst", "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z"],
        ["C2", "c2@example.com", "director", "2026-01-01T00:00:00Z", "2026-03-02T10:00:00Z"],
        ["C2", "c2@example.com", "manager", "2026-01-01T00:00:00Z", "2026-03-02T11:00:00Z"],
        ["C3", "c3@example.com", "analyst", "2026-01-01T00:00:00Z", day1],
    ]
    _write_contacts(tmp_path / "d2", "contacts-day2.csv", later)
    (second,) = load_source(empty_warehouse, "marketing", tmp_path / "d2")
    assert second.method == "checked"
    assert (second.rows_read, second.rows_loaded, second.rows_rejected) == (4, 2, 2)
    assert (second.rows_inserted, second.rows_updated) == (1, 1)
    assert rows(
        empty_warehouse,
        "select line, field, reason from revgen_meta.rejects order by line",
    ) == [(2, "updated_at", "future_timestamp"), (4, "contact_id", "duplicate_key")]
    assert rows(
        empty_warehouse, "select contact_id, job_title from raw_marketing.contacts order by 1"
    ) == [("C1", "analyst"), ("C2", "director"), ("C3", "analyst")]


def test_a_load_that_writes_much_of_a_table_leaves_its_planner_statistics_fresh(
    empty_warehouse, company, tmp_path
):
    """The dbt build right after a load is planned on the tables' statistics: a batch that wrote a
    tenth of its table or more analyzes it (autovacuum would only minutes later); a small one
    leaves that to autovacuum."""
    from revgen.load.run import load_source

    folder, truth = company

    def planned_rows(table: str) -> float:
        return rows(
            empty_warehouse, "select reltuples from pg_class where oid = %s::regclass", (table,)
        )[0][0]

    load_company(empty_warehouse, folder)
    for stream in STREAMS:  # every first load, by either path
        assert planned_rows(stream.table) == truth["rows"][f"{stream.source}.{stream.name}"], (
            stream.table
        )
    touches = (folder / "marketing" / "touchpoints.csv").read_text().splitlines()
    drop = tmp_path / "marketing"
    drop.mkdir()
    newcomer = touches[1].split(",")
    newcomer[0] = "T-new-1"
    (drop / "touchpoints-2026-04-02.csv").write_text(
        "\n".join([touches[0], ",".join(newcomer)]) + "\n"
    )
    (result,) = load_source(empty_warehouse, "marketing", drop)
    assert result.rows_inserted == 1
    # one row more in a table of thousands: not analyzed again
    assert planned_rows("raw_marketing.touchpoints") == truth["rows"]["marketing.touchpoints"]


def test_every_raw_table_has_its_loaded_at_index_and_an_older_warehouse_gets_it(empty_warehouse):
    """The incremental models read "rows loaded since the last build" by `_loaded_at`: every raw
    table has a BRIN index of it, and a warehouse an older revgen made gets it on its next load."""
    from revgen.contract import STREAMS
    from revgen.db import connect
    from revgen.load.schema import ensure_schema

    def indexed() -> set[tuple[str, str]]:
        return set(
            rows(
                empty_warehouse,
                "select schemaname, tablename from pg_indexes where schemaname like 'raw\\_%' "
                "and indexdef like '%USING brin (_loaded_at)'",
            )
        )

    every = {(s.schema, s.name) for s in STREAMS}
    with connect(empty_warehouse, autocommit=True) as conn:
        ensure_schema(conn)
        assert indexed() == every
        conn.execute("drop index raw_marketing.touchpoints_loaded_at")  # as an older revgen left it
        assert indexed() == every - {("raw_marketing", "touchpoints")}
        ensure_schema(conn)
    assert indexed() == every


def test_a_table_whose_rows_a_load_replaced_gets_a_btree_of_loaded_at_and_appends_never_do(
    empty_warehouse, tmp_path
):
    """A replaced row's new version lands anywhere in the table, so the BRIN of `_loaded_at` stops
    finding a night's rows: the first load that changes rows (by either path) adds a b-tree, which
    the incremental models' window then reads; loads that only add rows never build one."""
    from revgen.db import connect
    from revgen.load.run import load_source

    def btrees() -> set[str]:
        return {
            name
            for (name,) in rows(
                empty_warehouse,
                "select indexname from pg_indexes where schemaname = 'raw_marketing' "
                "and indexdef like '%%btree (_loaded_at)'",
            )
        }

    day1, day2 = "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"
    base = [
        [f"C{n}", f"c{n}@example.com", "analyst", "2026-01-01T00:00:00Z", day1] for n in range(1, 4)
    ]
    _write_contacts(tmp_path / "d1", "contacts-day1.csv", base)
    added = [["C4", "c4@example.com", "analyst", "2026-01-01T00:00:00Z", day2]]
    _write_contacts(tmp_path / "d2", "contacts-day2.csv", base + added)
    (first,) = load_source(empty_warehouse, "marketing", tmp_path / "d1")
    (more,) = load_source(empty_warehouse, "marketing", tmp_path / "d2")
    assert (first.method, more.method, more.rows_inserted, more.rows_updated) == (
        "direct",
        "delta",
        1,
        0,
    )
    assert btrees() == set()

    changed = [["C2", "c2@example.com", "director", "2026-01-01T00:00:00Z", day2]]
    _write_contacts(tmp_path / "d3", "contacts-day3.csv", changed)
    (update,) = load_source(empty_warehouse, "marketing", tmp_path / "d3")
    assert (update.method, update.rows_updated) == ("delta", 1)
    assert btrees() == {"contacts_loaded_at_btree"}
    assert rows(
        empty_warehouse,
        "select count(*) from raw_marketing.contacts where _loaded_at >= "
        "(select started_at from revgen_meta.load_runs where batch_id = %s)",
        (update.batch_id,),
    ) == [(1,)]

    # the checking path (a row to reject) adds it too, to a table that had none
    with connect(empty_warehouse, autocommit=True) as conn:
        conn.execute("drop index raw_marketing.contacts_loaded_at_btree")
    bad = [
        ["C3", "c3@example.com", "director", "2026-01-01T00:00:00Z", day2],
        ["C5", "c5@example.com", "analyst", "not a time", day2],
    ]
    _write_contacts(tmp_path / "d4", "contacts-day4.csv", bad)
    (checked,) = load_source(empty_warehouse, "marketing", tmp_path / "d4")
    assert (checked.method, checked.rows_updated, checked.rows_rejected) == ("checked", 1, 1)
    assert btrees() == {"contacts_loaded_at_btree"}


def test_a_first_load_builds_its_key_after_the_copy_and_a_repeated_key_takes_the_checking_path(
    empty_warehouse, tmp_path
):
    """The direct first load COPYs with the rows stamped by the batch's constants and the primary
    key built after: the table ends as it began (its key, under its name; no batch left as a
    default). A first file repeating a key fails that build and takes the checking path, which
    rejects the repeat by line and loads the rest."""
    from revgen.db import connect
    from revgen.load.run import load_source
    from revgen.load.schema import ensure_schema

    def shape():
        key = rows(
            empty_warehouse,
            "select conname, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = 'raw_marketing.contacts'::regclass and contype = 'p'",
        )
        defaults = rows(
            empty_warehouse,
            "select column_name, column_default from information_schema.columns "
            "where (table_schema, table_name) = ('raw_marketing', 'contacts') "
            "and column_name in ('_source', '_batch_id') order by 1",
        )
        return key, defaults

    with connect(empty_warehouse, autocommit=True) as conn:
        ensure_schema(conn)
    fresh = shape()
    assert fresh == (
        [("contacts_pkey", "PRIMARY KEY (contact_id)")],
        [("_batch_id", None), ("_source", None)],
    )
    day = "2026-03-01T10:00:00Z"
    contacts = [
        [f"C{n}", f"c{n}@example.com", "analyst", "2026-01-01T00:00:00Z", day] for n in (1, 2, 3)
    ]
    _write_contacts(tmp_path / "d1", "contacts.csv", contacts)
    (first,) = load_source(empty_warehouse, "marketing", tmp_path / "d1")
    assert (first.method, first.rows_loaded) == ("direct", 3)
    assert shape() == fresh
    assert rows(
        empty_warehouse, "select distinct _source, _batch_id::text from raw_marketing.contacts"
    ) == [("files", first.batch_id)]

    empty_revgen_schemas(empty_warehouse, raw_tables=True)
    repeated = [*contacts, ["C2", "c2@example.com", "director", "2026-01-01T00:00:00Z", day]]
    _write_contacts(tmp_path / "d2", "contacts.csv", repeated)
    (again,) = load_source(empty_warehouse, "marketing", tmp_path / "d2")
    assert (again.method, again.rows_loaded, again.rows_rejected) == ("checked", 3, 1)
    assert rows(empty_warehouse, "select line, field, reason from revgen_meta.rejects") == [
        (5, "contact_id", "duplicate_key")
    ]
    assert shape() == fresh
