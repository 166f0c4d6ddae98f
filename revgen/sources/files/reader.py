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
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from revgen.contract import Stream
from revgen.errors import InputError
from revgen.records import Record
from revgen.sources.columns import as_text
from revgen.sources.files.mapping import BadValue, StreamMapping

log = logging.getLogger(__name__)

IDENTITY = StreamMapping()

csv.field_size_limit(256 * 1024 * 1024)  # huge fields are quarantined by the loader, not fatal here

SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")
FILE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _open_text(path: Path, encoding: str) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def _columns_for(
    stream: Stream, header: list[str], path: Path, mapping: StreamMapping
) -> list[int | None]:
    """For each contract column, its index in the file (None for a missing optional column).
    Raises InputError naming the file when a required column, or a column the mapping's ids or
    filter read, is missing."""
    names = [name.strip().lstrip("\ufeff") for name in header]
    index = {name: position for position, name in enumerate(names)}
    wanted = _used_columns(stream, mapping)
    repeated = sorted({name for name in names if names.count(name) > 1 and name in wanted})
    if repeated:
        raise InputError(
            stream.source,
            str(path),
            f"the header names {', '.join(map(repr, repeated))} more than once: revgen cannot "
            "tell which column to read. Rename one of them in the export.",
            line=1,
        )

    def described(name: str) -> str:
        sources = mapping.export_columns(name)
        return name if sources == [name] else f"{name} (as {' or '.join(map(repr, sources))})"

    missing = [
        described(c.name)
        for c in stream.columns
        if c.required
        and c.name not in mapping.defaults
        and not any(source in index for source in mapping.export_columns(c.name))
    ]
    missing += [
        f"{name} (an id made of {', '.join(map(repr, sources))})"
        for name, sources in mapping.ids.items()
        if not all(source in index for source in sources) and described(name) not in missing
    ]
    missing += [f"{column!r} (read by `where`)" for column in mapping.where if column not in index]
    if missing:
        raise InputError(
            stream.source,
            str(path),
            f"required column(s) {', '.join(missing)} missing from the header "
            f"(found: {', '.join(header) or 'nothing'}). Rename the export's columns or map them "
            "in the source's mapping.yml (docs/mappings.md).",
            line=1,
        )
    return [index.get(mapping.export_column(name)) for name in stream.column_names]


Converted = tuple[tuple[str | None, ...], str | None, str | None]


def _mapped(stream: Stream, mapping: StreamMapping):
    """export row (name -> value) -> (contract values, problem, field), or None when the stream's
    filter leaves the row out; with `distinct`, a key already seen is left out too. A value that
    does not read as the mapping says is the row's problem (its reject reason), kept as it came."""
    specs = [(column.type, column.name) for column in stream.columns]
    key_positions = [stream.column_names.index(name) for name in stream.primary_key]
    seen: set[tuple] = set()

    def convert(row: dict[str, str | None]) -> Converted | None:
        if not mapping.selects(row):
            return None
        values: list[str | None] = []
        problem = field = None
        for kind, name in specs:
            raw = mapping.pick(name, row)
            try:
                values.append(mapping.convert(kind, name, raw))
            except BadValue as bad:
                values.append(raw)
                if problem is None:
                    problem, field = str(bad), name
        if mapping.distinct:
            key = tuple(values[position] for position in key_positions)
            if key in seen:
                return None
            seen.add(key)
        return tuple(values), problem, field

    return convert


def _used_columns(stream: Stream, mapping: StreamMapping) -> set[str]:
    used = {source for name in stream.column_names for source in mapping.export_columns(name)}
    return used | set(mapping.where)


def _csv_records(
    handle: io.TextIOBase, stream: Stream, path: Path, mapping: StreamMapping
) -> Iterator[Record]:
    reader = csv.reader(handle, delimiter=mapping.delimiter, strict=True)
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
    positions = _columns_for(stream, header, path, mapping)
    names = [name.strip().lstrip("\ufeff") for name in header]
    convert = None if mapping is IDENTITY else _mapped(stream, mapping)
    width = len(header)
    if convert is None:
        used = {p for p in positions if p is not None}
    else:
        wanted = _used_columns(stream, mapping)
        used = {i for i, name in enumerate(names) if name in wanted}
    extras = [(i, name) for i, name in enumerate(header) if i not in used and name.strip()]
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
        problem = field = None
        if convert is None:
            values = tuple(
                row[p] or None if p is not None and p < len(row) else None for p in positions
            )
        else:
            converted = convert(dict(zip(names, (value or None for value in row), strict=False)))
            if converted is None:  # another stream's row (`where`), or a key already taken
                continue
            values, problem, field = converted
        extra = None
        if extras:
            kept = {name: row[i] for i, name in extras if i < len(row) and row[i]}
            extra = json.dumps(kept, ensure_ascii=False) if kept else None
        if len(row) != width:
            yield Record(line, values, "wrong_field_count", f"{len(row)} of {width} fields", extra)
        else:
            yield Record(line, values, problem, field, extra)


def _jsonl_records(
    handle: io.TextIOBase, stream: Stream, path: Path, mapping: StreamMapping
) -> Iterator[Record]:
    convert = _mapped(stream, mapping)
    used = _used_columns(stream, mapping)
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
        converted = convert({key: as_text(value) for key, value in item.items()})
        if converted is None:
            continue
        values, problem, field = converted
        unknown = {k: v for k, v in item.items() if k not in used and v not in (None, "")}
        yield Record(
            line,
            values,
            problem,
            field,
            json.dumps(unknown, ensure_ascii=False) if unknown else None,
        )
    if not seen_any:
        raise InputError(stream.source, str(path), "the file is empty: expected JSON lines.")


def read_records(
    path: Path, stream: Stream, mapping: StreamMapping | None = None
) -> Iterator[Record]:
    """Stream the records of one file; raises InputError for a file that cannot be read at all."""
    mapping = mapping or IDENTITY
    reader = _jsonl_records if ".jsonl" in path.name else _csv_records
    line = 0
    try:
        with _open_text(path, mapping.encoding) as handle:
            for record in reader(handle, stream, path, mapping):
                line = record.line
                yield record
    except UnicodeDecodeError as err:
        raise InputError(
            stream.source,
            str(path),
            f"is not valid {mapping.encoding} ({err.reason} at byte {err.start} after line "
            f"{line}). Export the file as UTF-8, or set `encoding:` in the source's mapping.yml.",
            line=line + 1,
        ) from err
    except (OSError, EOFError) as err:
        raise InputError(stream.source, str(path), f"cannot be read: {err}") from err


def file_date(path: Path) -> date | None:
    """The day a file's name says it holds (`touchpoints-2026-03-01.csv`), if it says one."""
    match = FILE_DATE.search(path.name)
    try:
        return date.fromisoformat(match.group()) if match else None
    except ValueError:
        return None


def _inside(folder: Path, path: Path) -> bool:
    """Whether a file really lies in the folder: a link that leads out of it is never read."""
    if path.resolve().is_relative_to(folder.resolve()):
        return True
    log.error(
        "%s leads outside the landing folder %s (to %s): not read. Copy the export into the "
        "folder instead of linking to it.",
        path,
        folder,
        path.resolve(),
    )
    return False


def files_for(
    folder: Path, stream: Stream, mapping: StreamMapping | None = None, until: date | None = None
) -> list[Path]:
    """The stream's files in a source's landing folder: `<stream>.csv`, `<stream>-<anything>.jsonl.gz`…
    or those matching the mapping's `files` glob. With `until` (a run's data-interval end), a
    file whose name carries a date is taken only if that day ended by then: a run, or each run of
    a backfill, loads the days it covers; files without a date are always taken."""
    if not folder.is_dir():
        return []
    if mapping is not None and mapping.files:
        found = [path for path in folder.glob(mapping.files) if path.is_file()]
        found = [path for path in found if _inside(folder, path)]
    else:
        found = [
            path
            for path in folder.iterdir()
            if path.is_file()
            and any(path.name.endswith(suffix) for suffix in SUFFIXES)
            and (path.name.split(".")[0] == stream.name or path.name.startswith(stream.name + "-"))
            and _inside(folder, path)
        ]
    return sorted(
        path for path in found if until is None or (day := file_date(path)) is None or day < until
    )


# COPY's end-of-data marker: a line `\.` alone ends PostgreSQL's CSV reading, and the rows after
# it would be lost; a file holding one takes the checking path (which reads it as a bad row)
_END_MARKER = re.compile(rb"(?m)^\\\.\r?$")


def _plain(path: Path) -> bool:
    """Whether PostgreSQL would read every line of the file (no `\\.` line), block by block."""
    opener = gzip.open if path.name.endswith(".gz") else open
    tail = b"\n"
    with opener(path, "rb") as handle:
        while block := handle.read(1 << 20):
            text = tail + block
            if b"\\." in text and _END_MARKER.search(text):
                return False
            tail = text[-3:]
    return True


def direct_header(path: Path, stream: Stream) -> list[str] | None:
    """The header of a CSV file the server can COPY as it is (UTF-8, contract column names, every
    required column, no unknown or repeated one); None when it needs the checking reader."""
    if ".csv" not in path.name:
        return None
    try:
        with _open_text(path, "utf-8") as handle:
            header = next(csv.reader(handle, strict=True), None)
    except (csv.Error, UnicodeDecodeError, OSError, EOFError):
        return None
    if not header or header[0].startswith("\ufeff"):
        return None
    names = set(stream.column_names)
    required = {column.name for column in stream.columns if column.required}
    if len(set(header)) != len(header) or not set(header) <= names or not required <= set(header):
        return None
    return header if _plain(path) else None
