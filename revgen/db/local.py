"""The project-local PostgreSQL: started from the binaries that the `pgserver` wheel ships.

No system packages, no root needed. As root (PostgreSQL refuses to run as root) the server runs as a
`pgserver` system user, as pgserver itself does. It listens on 127.0.0.1 only, on a free port that is
remembered between starts, and has no Unix socket. Authentication is `trust`, which is safe only
because nothing outside this machine can reach the loopback address.
"""

from __future__ import annotations

import logging
import os
import socket
import stat
import subprocess
import warnings
from pathlib import Path

import psycopg

# pgserver asks platformdirs for a runtime folder on import, which warns when XDG_RUNTIME_DIR is
# unset (always, under Airflow and CI); revgen does not use that folder.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
from pgserver._commands import POSTGRES_BIN_PATH, initdb, pg_ctl  # noqa: E402
from pgserver.utils import (  # noqa: E402
    PostmasterInfo,
    ensure_folder_permissions,
    ensure_prefix_permissions,
    ensure_user_exists,
)

from revgen.config import DATABASE_NAME  # noqa: E402
from revgen.errors import LocalServerError  # noqa: E402

log = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command's full output

SYSTEM_USER_WHEN_ROOT = "pgserver"
SUPERUSER = "postgres"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the local server, Airflow's parts, test servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class LocalPostgres:
    """One PostgreSQL cluster in `pgdata`; the port is kept in `<pgdata>.port` beside it."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.port_file = pgdata.with_name(pgdata.name + ".port")
        self.log_file = pgdata / "server.log"
        self.system_user = SYSTEM_USER_WHEN_ROOT if os.geteuid() == 0 else None

    # -- state ---------------------------------------------------------------------------------
    def _postmaster(self) -> PostmasterInfo | None:
        try:
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
        except (OSError, ValueError, AssertionError):
            return None
        return info if info is not None and info.is_running() else None

    def is_running(self) -> bool:
        return self._postmaster() is not None

    def pid(self) -> int | None:
        info = self._postmaster()
        return info.pid if info else None

    def url(self, database: str = DATABASE_NAME) -> str:
        info = self._postmaster()
        if info is None or info.port is None:
            raise LocalServerError(
                f"The local PostgreSQL in {self.pgdata} is not running: start it with `revgen db up`."
            )
        return f"postgresql://{SUPERUSER}@127.0.0.1:{info.port}/{database}"

    # -- lifecycle -----------------------------------------------------------------------------
    def up(self) -> str:
        """Initialise if needed, start if stopped, create the revgen database; return its URL."""
        if not self.is_running():
            self._init()
            self._start()
        self._ensure_database()
        return self.url()

    def down(self) -> bool:
        """Stop the server; return whether one was running."""
        if not self.is_running():
            return False
        self._run(pg_ctl, ["-w", "-m", "fast", "stop"], timeout=60)
        return True

    def _run(self, command, args: list[str], timeout: int) -> None:
        try:
            command(args, pgdata=self.pgdata, user=self.system_user, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            tail = ""
            if self.log_file.exists():
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
            raise LocalServerError(
                f"Local PostgreSQL command `{' '.join(args)}` failed in {self.pgdata}: {err}.\n"
                f"Last lines of {self.log_file}:\n{tail}"
            ) from err

    def _init(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self.system_user:
            self._open_to_system_user()
        if (self.pgdata / "PG_VERSION").exists():
            return
        log.info("initialising a new PostgreSQL cluster in %s", self.pgdata)
        self._run(
            initdb,
            ["--auth=trust", "--encoding=UTF8", "--locale=C", "-U", SUPERUSER],
            timeout=120,
        )

    def _open_to_system_user(self) -> None:
        """As root: let the `pgserver` user reach the binaries and own the data folder (opens
        read/traverse permission on their parent folders, as pgserver itself does)."""
        entry = ensure_user_exists(self.system_user)
        assert entry is not None
        read = stat.S_IRGRP | stat.S_IROTH
        execute = stat.S_IXGRP | stat.S_IXOTH
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
        ensure_prefix_permissions(self.pgdata)
        for path in (self.pgdata, *self.pgdata.rglob("*")):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _start(self) -> None:
        port = int(self.port_file.read_text()) if self.port_file.exists() else 0
        if not port or not _port_is_free(port):
            port = free_port()
        self.port_file.write_text(str(port))
        log.info("starting PostgreSQL on 127.0.0.1:%s (data in %s)", port, self.pgdata)
        self._run(
            pg_ctl,
            [
                "-w",
                "-t",
                "60",
                "-o",
                f'-h 127.0.0.1 -p {port} -k ""',
                "-l",
                str(self.log_file),
                "start",
            ],
            timeout=90,
        )

    def _ensure_database(self) -> None:
        admin_url = self.url(database=SUPERUSER)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "select 1 from pg_database where datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'create database "{DATABASE_NAME}"')
