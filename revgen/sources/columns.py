"""API objects declared as data: the object, the raw-contract stream it lands in, its cursor, and
how each contract column is made from the object's fields. A source's settings.py declares its
objects with these types; its client reads them with `ApiObject.fields` and `ApiObject.row`,
with no code per object. Neutral ground (imports nothing from revgen), so that settings modules
can use it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

ApiRecord = Mapping[str, Any]


class Column(Protocol):
    """One contract column: the API fields it reads and its value from a record."""

    @property
    def fields(self) -> tuple[str, ...]: ...

    def __call__(self, record: ApiRecord) -> Any: ...


def as_text(value: Any) -> str | None:
    """A JSON value as contract text: empty is null, booleans are true/false (API records and
    JSONL exports alike)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_word(table: Mapping[str, str], value: Any) -> str | None:
    """A source's word as the contract's: looked up lowercased; an unknown word is kept, lowercased."""
    return None if value is None else table.get(str(value).lower(), str(value).lower())


@dataclass(frozen=True)
class Field:
    """The field's value as the API gives it."""

    name: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.name,)

    def __call__(self, record: ApiRecord) -> Any:
        return record.get(self.name)


@dataclass(frozen=True)
class Text(Field):
    """The field as text (`as_text`)."""

    def __call__(self, record: ApiRecord) -> str | None:
        return as_text(record.get(self.name))


@dataclass(frozen=True)
class Word(Field):
    """The field's word translated by `table` (`as_word`)."""

    table: Mapping[str, str]

    def __call__(self, record: ApiRecord) -> str | None:
        return as_word(self.table, record.get(self.name))


@dataclass(frozen=True)
class Choice(Field):
    """The field's exact value looked up in `table`; anything else (null too) is `default`."""

    table: Mapping[Any, str]
    default: str

    def __call__(self, record: ApiRecord) -> str:
        return self.table.get(record.get(self.name), self.default)


@dataclass(frozen=True)
class Slug(Field):
    """The field lowercased with underscores for spaces; `default` when empty."""

    default: str

    def __call__(self, record: ApiRecord) -> str:
        return str(record.get(self.name) or self.default).lower().replace(" ", "_")


@dataclass(frozen=True)
class Minutes(Field):
    """A duration in seconds as whole minutes, as text (null counts as zero)."""

    def __call__(self, record: ApiRecord) -> str | None:
        return as_text((record.get(self.name) or 0) // 60)


@dataclass(frozen=True)
class When(Field):
    """The field's value while the boolean field `flag` is `expect`, null otherwise."""

    flag: str
    expect: bool = True

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.flag, self.name)

    def __call__(self, record: ApiRecord) -> Any:
        return record.get(self.name) if bool(record.get(self.flag)) == self.expect else None


@dataclass(frozen=True)
class First:
    """The first non-empty of the fields (the last one's value when all are empty)."""

    fields: tuple[str, ...]

    def __call__(self, record: ApiRecord) -> Any:
        values = [record.get(name) for name in self.fields]
        return next((value for value in values if value), values[-1])


@dataclass(frozen=True)
class Keywords:
    """The value of the first key of `table` found in the fields' words (lowercased), else
    `default`: a role or a team told from free text such as a title."""

    fields: tuple[str, ...]
    table: Mapping[str, str]
    default: str

    def __call__(self, record: ApiRecord) -> str:
        words = " ".join(record.get(name) or "" for name in self.fields).lower()
        return next((value for key, value in self.table.items() if key in words), self.default)


@dataclass(frozen=True)
class FieldName(Field):
    """A field history's changed field as a contract word: from `table` by exact API name, else
    lowercased (null as empty)."""

    table: Mapping[Any, str]

    def __call__(self, record: ApiRecord) -> str:
        value = record.get(self.name)
        return self.table.get(value, str(value or "").lower())


@dataclass(frozen=True)
class ChangedValue(Field):
    """A field history's old or new value. Special because its meaning depends on another
    column: translated by `words[<changed field>]` when the field named in `changed` has a table
    there (a status), text otherwise (an owner id, a date)."""

    changed: str
    words: Mapping[Any, Mapping[str, str]]

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.changed, self.name)

    def __call__(self, record: ApiRecord) -> str | None:
        table = self.words.get(record.get(self.changed))
        return (
            as_text(record.get(self.name))
            if table is None
            else as_word(table, record.get(self.name))
        )


@dataclass(frozen=True)
class Const:
    """A value the API does not carry (a currency, a channel); reads no field."""

    value: str | None
    fields: tuple[str, ...] = ()

    def __call__(self, record: ApiRecord) -> str | None:
        return self.value


@dataclass(frozen=True)
class ApiObject:
    """An API object read incrementally on `cursor` and mapped column by column onto `lands_in`
    (contract source, stream)."""

    name: str
    lands_in: tuple[str, str]
    columns: Mapping[str, Column]
    cursor: str

    @property
    def fields(self) -> list[str]:
        """The fields to request: those the columns read, in order, then the cursor."""
        names = [name for column in self.columns.values() for name in column.fields]
        return list(dict.fromkeys([*names, self.cursor]))

    def row(self, record: ApiRecord) -> dict[str, Any]:
        return {column: value(record) for column, value in self.columns.items()}
