"""Load a source's landing folder: every stream's new files, in contract order."""

from __future__ import annotations

import logging
from pathlib import Path

from revgen.contract import STREAMS
from revgen.db import connect
from revgen.load.copy import LoadResult, already_loaded, file_sha256, load_records
from revgen.load.schema import ensure_schema
from revgen.sources.files.reader import files_for, read_records

log = logging.getLogger(__name__)


def load_source(
    url: str, source: str, folder: Path, streams: list[str] | None = None, force: bool = False
) -> list[LoadResult]:
    """Load the files of `source` found in `folder`; a file already loaded (same bytes) is skipped."""
    results: list[LoadResult] = []
    with connect(url, autocommit=True) as conn:
        ensure_schema(conn)
        for stream in STREAMS:
            if stream.source != source or (streams and stream.name not in streams):
                continue
            for path in files_for(folder, stream):
                sha256 = file_sha256(path)
                if not force and already_loaded(conn, stream, sha256):
                    log.info("%s.%s %s: already loaded, skipped", source, stream.name, path.name)
                    results.append(LoadResult(source, stream.name, path.name, "", skipped=True))
                    continue
                results.append(
                    load_records(conn, stream, read_records(path, stream), path.name, sha256)
                )
    return results
