"""The generated company's clean rows, read back from its CSV files (dirty lines left out)."""

from __future__ import annotations

import csv
from pathlib import Path


def clean_rows(folder: Path, truth: dict, source: str, stream: str) -> list[dict]:
    dirty = {
        item["line"]
        for item in truth["expected_rejects"]
        if item["source"] == source and item["stream"] == stream
    }
    with open(folder / source / f"{stream}.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        return [
            {k: (v or None) for k, v in row.items()}
            for line, row in enumerate(reader, start=2)
            if line not in dirty
        ]
