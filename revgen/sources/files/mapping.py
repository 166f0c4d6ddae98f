"""Mapping files: adapt a company's own export to the raw contract without code.

A source's landing folder may hold `mapping.yml`; for each stream it names the export's files,
its columns, its date formats and its words (docs/mappings.md has a worked example):

    streams:
      leads:
        files: "Leads_*.csv"                 # glob (default: <stream>.csv, <stream>-*.jsonl.gz ...)
        delimiter: ";"                        # default ","
        encoding: cp1252                      # default utf-8
        columns: {lead_id: Lead ID, status: Lead Status, created_at: Created Date}
        timestamp_format: "%d-%m-%Y %H:%M"    # strptime format; default ISO 8601
        timezone: Europe/Berlin               # zone of timestamps without an offset; default UTC
        date_format: "%d/%m/%Y"
        decimal_comma: true                   # "1.234,50" -> 1234.50
        values: {status: {Open: new, Nurture: recycled}}
        defaults: {lead_source: marketing}    # for contract columns the export lacks (constants)
        formats: {created_at: "%Y"}           # one column's own strptime format
        ids: {history_id: [Lead ID, Changed]} # a row id hashed from these columns (none in the export)
        where: {Deal Stage: [Won, Lost]}      # only rows whose column holds one of these values
        distinct: true                        # one row per key: a stream derived from another
                                              # file's column (users from an owner column)

A column may name several export columns (`created_at: [Engage Date, Close Date]`): the first
that is not empty gives the value. Several streams may read the same file, each with its own
columns, filter and constants. A value that does not read in the given format (or as ISO 8601
when none is given; with decimal_comma, as a decimal-comma number) rejects its row (reason
invalid_timestamp, invalid_date or invalid_numeric, with file, line and field): it is never
loaded as something else, and the rest of the file loads.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from revgen.config import read_yaml
from revgen.contract import Stream, stream
from revgen.errors import ConfigError

MAPPING_FILE = "mapping.yml"

# a number written with a decimal comma: 1234,50 or 1.234,50 (dots only between thousands)
DECIMAL_COMMA = re.compile(r"[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?")


class BadValue(ValueError):
    """An export value that does not read as the mapping says; its message is the reject's
    reason code, the same the loader gives a value that does not parse (invalid_<type>)."""


class StreamMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    files: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    columns: dict[str, str | list[str]] = {}
    timestamp_format: str | None = None
    timezone: str = "UTC"
    date_format: str | None = None
    formats: dict[str, str] = {}
    decimal_comma: bool = False
    values: dict[str, dict[str, str]] = {}
    defaults: dict[str, str] = {}
    ids: dict[str, list[str]] = {}
    where: dict[str, list[str]] = {}
    distinct: bool = False
    full_export: bool = False  # each file holds every live record: those it lacks are deleted

    @field_validator("columns")
    @classmethod
    def _some_column(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for name, source in value.items():
            if isinstance(source, list) and not source:
                raise ValueError(f"{name}: name at least one export column")
        return value

    @field_validator("ids")
    @classmethod
    def _some_id_column(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, source in value.items():
            if not source:
                raise ValueError(f"{name}: name the export columns the id is made of")
        return value

    @field_validator("files")
    @classmethod
    def _inside_the_folder(cls, value: str | None) -> str | None:
        if value is not None and (
            PurePosixPath(value).is_absolute()
            or ".." in PurePosixPath(value).parts
            or "\\" in value
        ):
            raise ValueError(
                f"{value!r} reaches outside the landing folder: name files inside it "
                "(a relative glob such as 'Leads_*.csv')"
            )
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError("must be one character")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def export_columns(self, contract_column: str) -> list[str]:
        """The export columns a contract column is read from (an id: the columns it hashes)."""
        if contract_column in self.ids:
            return list(self.ids[contract_column])
        source = self.columns.get(contract_column, contract_column)
        return list(source) if isinstance(source, list) else [source]

    def export_column(self, contract_column: str) -> str:
        """The export column named first for a contract column (for messages)."""
        return self.export_columns(contract_column)[0]

    def selects(self, row: dict[str, str | None]) -> bool:
        """Whether an export row belongs to this stream (`where`)."""
        return all(
            (row.get(column) or "").strip() in allowed for column, allowed in self.where.items()
        )

    def pick(self, contract_column: str, row: dict[str, str | None]) -> str | None:
        """A contract column's raw value from an export row: a hashed id, or the first export
        column named for it that is not empty."""
        sources = self.export_columns(contract_column)
        if contract_column in self.ids:
            parts = [(row.get(name) or "").strip() for name in sources]
            if not any(parts):
                return None
            return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
        for name in sources:
            value = row.get(name)
            if value is not None and value.strip():
                return value
        return None

    def convert(self, column_type: str, column: str, value: str | None) -> str | None:
        """One export value -> the contract's text form. Raises BadValue when a date, time or
        number does not read the way the mapping says (its row is then rejected, never loaded
        as something else)."""
        if value is None or not value.strip():
            value = self.defaults.get(column)  # a constant reads like an export value
            if value is None:
                return None
        value = value.strip()
        words = self.values.get(column)
        if words is not None:
            value = words.get(value, value)
        if column_type == "timestamp":
            return self._timestamp(column, value)
        if column_type == "date":
            return self._date(column, value)
        if column_type in ("numeric", "int") and self.decimal_comma:
            if not DECIMAL_COMMA.fullmatch(value):
                raise BadValue(f"invalid_{column_type}")  # not a decimal-comma number
            return value.replace(".", "").replace(",", ".")
        return value

    def _timestamp(self, column: str, value: str) -> str:
        layout = self.formats.get(column) or self.timestamp_format
        try:
            moment = (
                datetime.strptime(value, layout)
                if layout
                else datetime.fromisoformat(value.replace("Z", "+00:00"))
            )
        except ValueError:
            raise BadValue("invalid_timestamp") from None  # not in the format, or not ISO 8601
        if moment.tzinfo is None:  # the mapping's zone, for ISO values too
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC).isoformat()

    def _date(self, column: str, value: str) -> str:
        layout = self.formats.get(column) or self.date_format
        try:
            if layout:
                return datetime.strptime(value, layout).date().isoformat()
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            raise BadValue("invalid_date") from None


class SourceMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    streams: dict[str, StreamMapping]

    @model_validator(mode="after")
    def _contract_names(self) -> SourceMapping:
        for name, mapping in self.streams.items():
            try:
                target = stream(self.source, name)
            except KeyError:
                raise ValueError(
                    f"streams.{name}: no such stream in the {self.source} "
                    "contract (see docs/raw_contract.md)"
                ) from None
            for field in ("columns", "values", "defaults", "formats", "ids"):
                unknown = set(getattr(mapping, field)) - set(target.column_names)
                if unknown:
                    raise ValueError(
                        f"streams.{name}.{field}: {', '.join(sorted(unknown))} "
                        f"are not columns of {target.table}"
                    )
        return self

    def for_stream(self, target: Stream) -> StreamMapping | None:
        return self.streams.get(target.name)


def load_mapping(folder: Path, source: str) -> SourceMapping | None:
    """The source's mapping file in its landing folder, or None when it has none."""
    path = folder / MAPPING_FILE
    if not path.exists():
        return None
    try:
        data = read_yaml(path.read_text()) or {}
        if not isinstance(data, dict):
            raise ConfigError(
                f"The mapping file {path} must be a mapping with a `streams:` key "
                "(docs/mappings.md), not a YAML list or a single value."
            )
        return SourceMapping.model_validate({"source": source, **data})
    except yaml.YAMLError as err:
        raise ConfigError(f"The mapping file {path} is not valid YAML: {err}") from err
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top)'}: {error['msg']}"
            for error in err.errors()
        )
        raise ConfigError(f"The mapping file {path} is invalid: {problems}") from err
