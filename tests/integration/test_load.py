"""Loading a generated company: clean rows land, dirty rows are quarantined, counts reconcile,
and loading again changes nothing."""

from revgen.contract import STREAMS
from tests.helpers import load_company, rows


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
    folder, truth = company
    load_company(empty_warehouse, folder)
    before = rows(
        empty_warehouse,
        "select _batch_id, count(*) from raw_marketing.contacts group by 1 order by 1",
    )
    skipped = load_company(empty_warehouse, folder)
    assert all(result.skipped for result in skipped)
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
    from revgen.load.schema import drop_revgen_schemas, ensure_schema
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
    with connect(empty_warehouse, autocommit=True) as conn:
        drop_revgen_schemas(conn)
        ensure_schema(conn)
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
