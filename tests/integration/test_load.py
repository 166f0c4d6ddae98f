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
