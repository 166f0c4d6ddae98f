"""Read an export file into records of the raw contract, one per data row, with its line number.

Structural problems of a whole file (not UTF-8, broken quoting, no header, a required column
missing) raise InputError naming the file and line. Problems of one row (wrong number of fields)
come back on the record, so the loader quarantines that row and loads the rest.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from revgen.contract import Stream
from revgen.errors import InputError

csv.field_size_limit(256 * 1024 * 1024)  # huge fields are quarantined by the loader, not fatal here

SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class Record:
    line: int
    values: tuple[str | None, ...]
    problem: str | None = None
    problem_field: str | None = None


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def _columns_for(stream: Stream, header: list[str], path: Path) -> list[int | None]:
    """For each contract column, its index in the file (None for a missing optional column)."""
    index = {name.strip(): position for position, name in enumerate(header)}
    missing = [c.name for c in stream.columns if c.required and c.name not in index]
    if missing:
        raise InputError(
            stream.source,
            str(path),
            f"required column(s) {', '.join(missing)} missing from the header "
            f"(found: {', '.join(header) or 'nothing'}). Rename the export's columns or add a "
            "mapping file for this source.",
            line=1,
        )
    return [index.get(name) for name in stream.column_names]


def _csv_records(handle: io.TextIOBase, stream: Stream, path: Path) -> Iterator[Record]:
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(stream.source, str(path), f"broken CSV header: {err}", line=1) from err
    if not header:
        raise InputError(
            stream.source,
            str(path),
            f"the file is empty: expected a header row with {', '.join(stream.column_names)}.",
        )
    positions = _columns_for(stream, header, path)
    width = len(header)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(
                stream.source,
                str(path),
                f"broken CSV quoting: {err}. Fix the quoting in the export (quote fields that "
                "contain commas, quotes or line breaks).",
                line=start,
            ) from err
        line, start = start, reader.line_num + 1
        if not row:
            continue
        values = tuple(
            row[p] or None if p is not None and p < len(row) else None for p in positions
        )
        if len(row) != width:
            yield Record(line, values, "wrong_field_count", f"{len(row)} of {width} fields")
        else:
            yield Record(line, values)


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _jsonl_records(handle: io.TextIOBase, stream: Stream, path: Path) -> Iterator[Record]:
    seen_any = False
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        seen_any = True
        try:
            item = json.loads(text)
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
        except ValueError as err:
            yield Record(line, (None,) * len(stream.columns), "invalid_json", str(err)[:200])
            continue
        yield Record(line, tuple(_text(item.get(name)) for name in stream.column_names))
    if not seen_any:
        raise InputError(stream.source, str(path), "the file is empty: expected JSON lines.")


def read_records(path: Path, stream: Stream) -> Iterator[Record]:
    """Stream the records of one file; raises InputError for a file that cannot be read at all."""
    reader = _jsonl_records if ".jsonl" in path.name else _csv_records
    line = 0
    try:
        with _open_text(path) as handle:
            for record in reader(handle, stream, path):
                line = record.line
                yield record
    except UnicodeDecodeError as err:
        raise InputError(
            stream.source,
            str(path),
            f"is not valid UTF-8 ({err.reason} at byte {err.start} after line {line}). "
            "Export the file as UTF-8.",
            line=line + 1,
        ) from err
    except (OSError, EOFError) as err:
        raise InputError(stream.source, str(path), f"cannot be read: {err}") from err


def files_for(folder: Path, stream: Stream) -> list[Path]:
    """The stream's files in a source's landing folder: `<stream>.csv`, `<stream>-<anything>.jsonl.gz`…"""
    if not folder.is_dir():
        return []
    found = [
        path
        for path in folder.iterdir()
        if path.is_file()
        and any(path.name.endswith(suffix) for suffix in SUFFIXES)
        and (path.name.split(".")[0] == stream.name or path.name.startswith(stream.name + "-"))
    ]
    return sorted(found)
