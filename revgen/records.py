"""The records sources hand to the loaders: a file's row or an API object's, in the raw
contract's column order. Neutral ground: `sources/` makes them, `load/` consumes them, and
neither imports the other."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from revgen.contract import Stream


@dataclass(frozen=True)
class Record:
    line: int
    values: tuple[str | None, ...]
    problem: str | None = None
    problem_field: str | None = None
    extra: str | None = None  # columns the contract does not know, as a JSON object (kept)


# fetch(watermark or None) -> (contract row, cursor value), ordered by cursor ascending
Fetch = Callable[[str | None], Iterable[tuple[dict, str]]]


@dataclass(frozen=True)
class IncrementalStream:
    system: str  # hubspot, salesforce
    key: str  # the API object, e.g. contacts or Lead: the watermark's stream name
    stream: Stream  # where its rows land
    fetch: Fetch
