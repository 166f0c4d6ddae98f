"""Load a source's landing folder: every stream's new files, in contract order."""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from pathlib import Path

from revgen.contract import STREAMS
from revgen.db import connect
from revgen.errors import InputError
from revgen.load.copy import LoadResult, already_loaded, file_sha256, load_records
from revgen.load.direct import copy_direct
from revgen.load.schema import ensure_schema
from revgen.sources.files.mapping import load_mapping
from revgen.sources.files.reader import direct_header, files_for, read_records

log = logging.getLogger(__name__)


def load_source(
    url: str,
    source: str,
    folder: Path,
    streams: list[str] | None = None,
    force: bool = False,
    until: date | None = None,
    found: dict[str, list[str]] | None = None,
) -> list[LoadResult]:
    """Load the files of `source` found in `folder` (dated ones up to `until`, see `files_for`); a
    file already loaded (same bytes) is skipped. `found` (stream -> file names, what the run's
    extract step saw) loads just those: a file landing after the extract waits for the next run,
    and one gone since is an error."""
    results: list[LoadResult] = []
    failures: list[str] = []
    mapping = load_mapping(folder, source)
    with connect(url, autocommit=True) as conn:
        ensure_schema(conn)
        for stream in STREAMS:
            if stream.source != source or (streams and stream.name not in streams):
                continue
            stream_mapping = mapping.for_stream(stream) if mapping else None
            paths = files_for(folder, stream, stream_mapping, until)
            if found is not None:
                seen = set(found.get(stream.name, []))
                failures += [
                    f"{source}/{name}: found by the extract step, gone before the load"
                    for name in sorted(seen - {path.name for path in paths})
                ]
                paths = [path for path in paths if path.name in seen]
            for path in paths:
                sha256 = file_sha256(path)
                if stream_mapping is not None:  # a corrected mapping makes the file new again
                    sha256 = hashlib.sha256(
                        (sha256 + stream_mapping.model_dump_json()).encode()
                    ).hexdigest()
                if not force and already_loaded(conn, stream, path.name, sha256):
                    log.info("%s.%s %s: already loaded, skipped", source, stream.name, path.name)
                    results.append(LoadResult(source, stream.name, path.name, "", skipped=True))
                    continue
                header = direct_header(path, stream) if stream_mapping is None else None
                full_export = bool(stream_mapping and stream_mapping.full_export)
                direct = (
                    copy_direct(conn, stream, path, header, sha256, skip_if_loaded=not force)
                    if header
                    else None
                )
                if direct is not None:
                    results.append(direct)
                    continue
                records = read_records(path, stream, stream_mapping)
                try:
                    results.append(
                        load_records(
                            conn,
                            stream,
                            records,
                            path.name,
                            sha256,
                            skip_if_loaded=not force,
                            full_export=full_export,
                        )
                    )
                except InputError as err:  # this file is unreadable; the others still load
                    log.error("%s", err)
                    failures.append(str(err))
    if failures:
        raise InputError(
            source,
            str(folder),
            f"{len(failures)} file(s) could not be loaded "
            "(every other file was): " + " | ".join(failures),
        )
    return results
