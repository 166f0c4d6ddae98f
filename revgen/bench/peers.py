"""The tools a user would otherwise pick, on the same files in the same run as revgen's loader.

- `psql \\copy` into a bare table with the contract's columns and primary key: the limit of a first
  load; for the second load, `\\copy` into a temporary table then one `insert ... on conflict do
  update` of the rows whose values differ (what a hand-written SQL merge costs).
- dlt: its fastest path (the CSV read by Arrow, written as parquet, loaded by ADBC), its `csv`
  file format (COPY), its defaults (`insert_values`); for the second load its merge strategies,
  `upsert` (SQL MERGE) and `delete-insert`, on the fastest path. The primary key is declared, so
  dlt creates its unique index.
- pandas `to_sql` (the CSV read in chunks, typed as the contract says, its default `method`): for
  the second load into a staging table, then the same `insert ... on conflict do update` as psql's
  (`to_sql` has no merge; an upsert `method` of pandas' documented kind took 26 s for 105k rows).

Each tool reads the file itself: what is timed is what a user waits for. Needs the `bench` extra
(`make bench` installs it); imported only by `revgen bench`.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from psycopg import sql

from revgen.contract import Stream
from revgen.db import connect
from revgen.load.schema import raw_table_ddl

SCHEMA = "bench_peers"  # the peers' tables; dropped before and after
CHUNK_ROWS = 100_000
UPSERT_ROWS = 5_000  # rows per upsert statement (PostgreSQL takes 65,535 parameters)


def psql_binary() -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def run_psql(url: str, script: str) -> float:
    """Seconds `psql` takes to run `script` (stops at the first error)."""
    started = time.perf_counter()
    subprocess.run(
        [psql_binary(), url, "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
        check=True,
        input=script,
        text=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def copy_command(table: sql.Composable, columns: list[str], path: Path) -> str:
    """psql's `\\copy` of a CSV file with a header into `table` (names and path quoted)."""
    return (
        sql.SQL("\\copy {} ({}) from {} with (format csv, header true)\n")
        .format(table, sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Literal(str(path)))
        .as_string()
    )


def reset_schema(url: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SCHEMA)))


BARE = sql.Identifier(SCHEMA, "bare")


def bare_table(url: str, stream: Stream) -> sql.Identifier:
    """A table with the contract's columns and primary key only, empty: `psql \\copy`'s target."""
    with connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("drop table if exists {}").format(BARE))
        conn.execute(raw_table_ddl(stream, BARE))
        conn.execute(
            sql.SQL(
                "alter table {} drop column _source, drop column _batch_id, "
                "drop column _loaded_at, drop column _extra, drop column _deleted_at"
            ).format(BARE)
        )
    return BARE


def merge_sql(
    stream: Stream, table: sql.Composable, staging: sql.Composable, header: list[str]
) -> str:
    """Upsert `staging` into `table` by primary key, writing the rows whose values differ."""
    others = [name for name in header if name not in stream.primary_key]
    return (
        sql.SQL(
            "insert into {table} as t ({cols}) select {cols} from {staging} "
            "on conflict ({pk}) do update set {updates} "
            "where ({stored}) is distinct from ({incoming})"
        )
        .format(
            table=table,
            staging=staging,
            cols=sql.SQL(", ").join(map(sql.Identifier, header)),
            pk=sql.SQL(", ").join(map(sql.Identifier, stream.primary_key)),
            updates=sql.SQL(", ").join(
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(name)) for name in others
            ),
            stored=sql.SQL(", ").join(sql.Identifier("t", name) for name in others),
            incoming=sql.SQL(", ").join(sql.Identifier("excluded", name) for name in others),
        )
        .as_string()
    )


def psql_merge_script(stream: Stream, table: sql.Composable, header: list[str], path: Path) -> str:
    """`\\copy` the file into a temporary table, then upsert the rows whose values differ."""
    incoming = sql.Identifier("incoming")
    return (
        "begin;\n"
        + sql.SQL("create temporary table {} (like {}) on commit drop;\n")
        .format(incoming, table)
        .as_string()
        + copy_command(incoming, header, path)
        + merge_sql(stream, table, incoming, header)
        + ";\ncommit;\n"
    )


def _arrow_types(stream: Stream, header: list[str]) -> dict:
    import pyarrow as pa

    types = {
        "text": pa.string(),
        "email": pa.string(),
        "int": pa.int64(),
        "numeric": pa.decimal128(18, 2),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    return {name: types[stream.column(name).type] for name in header}


def arrow_batches(path: Path, stream: Stream, header: list[str]) -> Iterator:
    """The file as Arrow tables of about 1M rows, typed as the contract says."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=64 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types=_arrow_types(stream, header), strings_can_be_null=True
        ),
    )
    for batch in reader:
        yield pa.Table.from_batches([batch])


def dlt_run(
    url: str,
    workdir: Path,
    stream: Stream,
    header: list[str],
    path: Path,
    file_format: Any,  # dlt's literal types, when dlt is installed
    disposition: Any,
) -> float:
    """Seconds one dlt pipeline run takes to load `path` into `bench_peers.<stream>` (extract,
    normalize, load: what a user waits for). The pipeline's state persists between calls, so a
    second call with a merge disposition merges into the first's table."""
    import dlt

    def rows() -> Iterator:
        if file_format == "insert_values":  # dlt's defaults: Python dicts
            import csv

            with open(path, newline="") as handle:
                for row in csv.DictReader(handle):
                    yield {key: value or None for key, value in row.items()}
        else:
            yield from arrow_batches(path, stream, header)

    resource = dlt.resource(
        rows(),
        name=stream.name,
        primary_key=list(stream.primary_key),
        write_disposition=disposition,
    )
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{stream.name}",
        destination=dlt.destinations.postgres(credentials=url),
        dataset_name=SCHEMA,
        pipelines_dir=str(workdir / "dlt"),
    )
    started = time.perf_counter()
    pipeline.run(resource, loader_file_format=file_format)
    return time.perf_counter() - started


def dlt_reset(url: str, workdir: Path) -> None:
    reset_schema(url)
    shutil.rmtree(workdir / "dlt", ignore_errors=True)


def _engine(url: str):
    from sqlalchemy import create_engine

    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def pandas_to_sql(url: str, stream: Stream, header: list[str], path: Path, merge: bool) -> float:
    """Seconds pandas takes to read `path` in chunks and `to_sql` them (default `method`) into
    `bench_peers.bare` (made beforehand with the contract's types and key); with `merge`, into a
    staging table, then one `insert ... on conflict do update` of the rows that differ (to_sql
    has no merge; this is the usual way round)."""
    import pandas as pd

    engine = _engine(url)
    dates = [name for name in header if stream.column(name).type in ("timestamp", "date")]
    dtypes = {name: str for name in header if stream.column(name).type in ("text", "email")}
    started = time.perf_counter()
    with engine.begin() as conn:
        if merge:
            conn.exec_driver_sql(
                sql.SQL("create temporary table staging (like {}) on commit drop")
                .format(BARE)
                .as_string()
            )
        for chunk in pd.read_csv(
            path,
            chunksize=CHUNK_ROWS,
            dtype=dtypes,
            parse_dates=dates,
            keep_default_na=False,
            na_values=[""],
        ):
            if merge:
                chunk.to_sql("staging", conn, if_exists="append", index=False)
            else:
                chunk.to_sql("bare", conn, schema=SCHEMA, if_exists="append", index=False)
        if merge:
            conn.exec_driver_sql(merge_sql(stream, BARE, sql.Identifier("staging"), header))
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def quiet_dlt() -> None:
    """dlt logs warnings of its schema inference on every run: only errors, in the bench. Its
    logger takes its level from the runtime configuration when a pipeline starts, which reads
    the environment (a setting made through `dlt.config` afterwards came too late). And with
    Airflow installed beside it, dlt reads its settings from Airflow's Variables too: importing
    Airflow outside any task made ~/airflow (an SQLite airflow.db in the user's home)."""
    import os

    os.environ["RUNTIME__LOG_LEVEL"] = "ERROR"
    os.environ["PROVIDERS__ENABLE_AIRFLOW_SECRETS"] = "false"
