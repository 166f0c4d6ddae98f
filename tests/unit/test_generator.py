import filecmp

from revgen.generate import generate_company
from tests.helpers import revgen_cli


def _tree_equal(left, right) -> bool:
    compare = filecmp.dircmp(left, right)
    if compare.left_only or compare.right_only or compare.diff_files or compare.funny_files:
        return False
    return all(_tree_equal(left / sub, right / sub) for sub in compare.common_dirs)


def test_same_seed_gives_byte_identical_output_and_another_seed_differs(tmp_path):
    for folder, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        result = revgen_cli(
            "generate", "--people", "1000", "--seed", seed, "--out", str(tmp_path / folder)
        )
        assert result.returncode == 0, result.stderr
    filecmp.clear_cache()
    assert _tree_equal(tmp_path / "a", tmp_path / "b")
    assert not _tree_equal(tmp_path / "a", tmp_path / "c")
    assert sum(1 for _ in (tmp_path / "a").rglob("*.csv")) == 16


def test_ground_truth_accounts_for_every_person_and_injected_reject(tmp_path):
    truth = generate_company(people=500, seed=3, days=60, out=tmp_path, progress=False)
    assert sum(truth["people_per_stage"].values()) == 500
    # every person has a contact record; a few more are merged duplicates or deleted records
    import csv

    with open(tmp_path / "marketing" / "contacts.csv", newline="") as handle:
        records = list(csv.DictReader(handle))[: truth["rows"]["marketing.contacts"]]
    survivors = [r for r in records if not r["merged_into_id"] and not r["is_deleted"]]
    assert len(survivors) == 500 < len(records)
    assert {r["merged_into_id"] for r in records if r["merged_into_id"]} <= {
        r["contact_id"] for r in survivors
    }
    reasons = {item["reason"] for item in truth["expected_rejects"]}
    assert {
        "invalid_email",
        "missing_required",
        "duplicate_key",
        "future_timestamp",
        "invalid_int",
        "unknown_reference",
        "invalid_numeric",
    } <= reasons
    # each expected reject names a real line of its file
    for item in truth["expected_rejects"]:
        lines = (tmp_path / item["source"] / item["file"]).read_text().splitlines()
        assert len(lines) >= item["line"]
    assert set(truth["orphans"].values()) <= {
        "no_owner",
        "owner_inactive",
        "team_mismatch",
        "sla_breached",
        "stale",
    }
