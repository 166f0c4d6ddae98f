import gzip

import pytest

from revgen.contract import stream
from revgen.errors import InputError
from revgen.sources.files.reader import files_for, read_records

USERS = stream("crm", "users")
HEADER = "user_id,name,email,role,team,is_active,deactivated_at,annual_revenue_target\n"


def test_rows_come_with_their_line_numbers_and_missing_optional_columns_are_null(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        'user_id,name,role,team,is_active\nU1,"Smith, Jo",sdr,sales,true\nU2,Al,ae,sales,false\n'
    )
    records = list(read_records(path, USERS))
    assert [r.line for r in records] == [2, 3]
    assert records[0].values[1] == "Smith, Jo" and records[0].values[2] is None


def test_a_row_with_too_few_fields_is_flagged_not_fatal(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(HEADER + "U1,Jo\nU2,Al,a@b.co,ae,sales,true,,5\n")
    first, second = read_records(path, USERS)
    assert first.problem == "wrong_field_count" and second.problem is None


def test_gzip_and_jsonl_are_read(tmp_path):
    path = tmp_path / "users-2026.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(
            '{"user_id": "U1", "name": "Jo", "role": "sdr", "team": "sales", "is_active": true}\n'
        )
    (record,) = read_records(path, USERS)
    assert record.values[0] == "U1" and record.values[5] == "true"
    assert files_for(tmp_path, USERS) == [path]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"user_id,name\nU1,Jo\n", "required column(s) role, team, is_active missing"),
        (HEADER.encode() + b'U1,"Jo,a@b.co,sdr,sales,true,,\n', "broken CSV quoting"),
        (HEADER.encode() + "U1,Jö,a@b.co,sdr,sales,true,,\n".encode("latin-1"), "not valid utf-8"),
    ],
)
def test_unreadable_files_fail_with_file_and_reason(tmp_path, content, message):
    path = tmp_path / "users.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        list(read_records(path, USERS))
    assert message in str(err.value) and str(path) in str(err.value)
