"""The project-local PostgreSQL: started from the binaries that the `pgserver` wheel ships.

No system packages, no root needed. As root (PostgreSQL refuses to run as root) the server runs as a
`pgserver` system user, as pgserver itself does. It listens on 127.0.0.1 only, on a free port that is
remembered between starts, and has no Unix socket. Every login needs its password (scram-sha-256):
the superuser's and the owner role's are generated once and kept in `<pgdata>.credentials`, readable
by its owner only. revgen itself (loads, dbt, Airflow tasks) connects as the owner role `revgen`,
which owns the revgen database and may create roles (the BI role), but is not a superuser: it
cannot read files or run programs on the server. Airflow's metadata (`make airflow`) has its own
database `airflow`, owned by its own login role `airflow` (not a superuser, no access to revgen's
schemas), its password kept in the same file. A cluster made by an older revgen with `trust`
access is secured on its next start.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

# pgserver asks platformdirs for a runtime folder on import, which warns when XDG_RUNTIME_DIR is
# unset (always, under Airflow and CI); revgen does not use that folder.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
# initdb and pg_ctl are made at import time, one function per binary (hence the type ignore)
from pgserver._commands import POSTGRES_BIN_PATH, initdb, pg_ctl  # type: ignore[attr-defined]  # noqa: E402
from pgserver.utils import (  # noqa: E402
    PostmasterInfo,
    ensure_folder_permissions,
    ensure_prefix_permissions,
    ensure_user_exists,
)

from revgen.config import DATABASE_NAME  # noqa: E402
from revgen.errors import LocalServerError  # noqa: E402

# an older cluster's revgen objects, made by the superuser, handed to the owner role
HAND_OVER = """
do $$
declare item record;
begin
    for item in
        select format('alter schema %I owner to {owner}', nspname) as statement
        from pg_namespace
        where pg_get_userbyid(nspowner) <> '{owner}'
          and nspname not like 'pg\\_%' and nspname not in ('information_schema', 'public')
        union all
        select format('alter %s %I.%I owner to {owner}',
                      case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                     when 'S' then 'sequence' else 'table' end,
                      n.nspname, c.relname)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where pg_get_userbyid(c.relowner) <> '{owner}' and c.relkind in ('r', 'p', 'v', 'm', 'S')
          and n.nspname not like 'pg\\_%' and n.nspname not in ('information_schema', 'public')
        union all
        select format('alter routine %s owner to {owner}', p.oid::regprocedure)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where pg_get_userbyid(p.proowner) <> '{owner}'
          and n.nspname not like 'pg\\_%' and n.nspname not in ('information_schema', 'public')
    loop
        execute item.statement;
    end loop;
end $$
"""

log = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command's full output

SYSTEM_USER_WHEN_ROOT = "pgserver"
SUPERUSER = "postgres"
OWNER = "revgen"  # the role revgen connects as: owns the revgen database, not a superuser
AIRFLOW = "airflow"  # owns Airflow's metadata database `airflow` (`make airflow`), not a superuser

HBA = """# revgen: every login needs its password; loopback only (the server has no Unix socket)
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
host  all all ::1/128 scram-sha-256
"""


SETTINGS_FILE = Path(__file__).with_name("warehouse.conf")
SETTING = re.compile(r"^([a-z_]+) = ([A-Za-z0-9.]+)$")


def server_settings() -> dict[str, str]:
    """The server's settings from warehouse.conf (`name = value` lines; comments and blanks
    skipped). A line of any other shape is an error: the values reach the server's command line."""
    settings: dict[str, str] = {}
    for number, line in enumerate(SETTINGS_FILE.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = SETTING.match(line)
        if not match:
            raise LocalServerError(
                f"{SETTINGS_FILE}, line {number}: expected `name = value` (a value without quotes "
                f"or spaces), found {line!r}"
            )
        settings[match.group(1)] = match.group(2)
    return settings


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the local server, Airflow's parts, test servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    """Whether the server may listen on `port` again. Probed as PostgreSQL binds (SO_REUSEADDR):
    the connections a stopped server closed linger a minute in TIME_WAIT without holding the port,
    and a restart that moved would break every saved URL (BI tools, Airflow's connection)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _ensure_login_role(
    conn: psycopg.Connection, name: str, password: str, createrole: bool
) -> None:
    """Create the login role `name` (never a superuser), or set its password and attributes."""
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone()
    statement = "alter" if exists else "create"
    attributes = "createrole" if createrole else "nocreaterole"
    conn.execute(
        sql.SQL(statement + " role {} login nosuperuser " + attributes + " password {}").format(
            sql.Identifier(name), sql.Literal(password)
        )
    )


class LocalPostgres:
    """One PostgreSQL cluster in `pgdata`; the port is kept in `<pgdata>.port` beside it."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.port_file = pgdata.with_name(pgdata.name + ".port")
        self.credentials_file = pgdata.with_name(pgdata.name + ".credentials")
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

    def url(self, database: str = DATABASE_NAME, role: str = OWNER) -> str:
        """The URL revgen connects with (the owner role); `role=SUPERUSER` for administration."""
        info = self._postmaster()
        if info is None or info.port is None:
            raise LocalServerError(
                f"The local PostgreSQL in {self.pgdata} is not running: start it with `revgen db up`."
            )
        password = quote(self._credentials()[role], safe="")
        return f"postgresql://{role}:{password}@127.0.0.1:{info.port}/{database}"

    def admin_url(self, database: str = SUPERUSER) -> str:
        return self.url(database, role=SUPERUSER)

    def _credentials(self) -> dict[str, str]:
        """The superuser's and the owner role's passwords (and Airflow's role's, once asked
        for): made once, kept in a file readable by its owner only."""
        if self.credentials_file.exists():
            return json.loads(self.credentials_file.read_text())
        made = {SUPERUSER: secrets.token_urlsafe(24), OWNER: secrets.token_urlsafe(24)}
        self.credentials_file.parent.mkdir(parents=True, exist_ok=True)
        self._write_credentials(made, exclusive=True)
        return made

    def _write_credentials(self, passwords: dict[str, str], exclusive: bool = False) -> None:
        """Write the credentials file 0600 from its creation on (a new file, then renamed)."""
        target = self.credentials_file
        temporary = target if exclusive else target.with_name(target.name + ".new")
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        fd = os.open(temporary, flags, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(passwords, handle)
        if temporary != target:
            os.replace(temporary, target)

    def _password(self, role: str) -> str:
        """A role's password, generated and added to the credentials file the first time."""
        passwords = self._credentials()
        if role not in passwords:
            passwords[role] = secrets.token_urlsafe(24)
            self._write_credentials(passwords)
        return passwords[role]

    def airflow_url(self) -> str:
        """Airflow's metadata database on this server (started if stopped): the database
        `airflow`, owned by the role `airflow` (login, scram password, not a superuser; it
        cannot read revgen's schemas). Made on first use."""
        self.up()
        password = self._password(AIRFLOW)
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            _ensure_login_role(conn, AIRFLOW, password, createrole=False)
            if not conn.execute(
                "select 1 from pg_database where datname = %s", (AIRFLOW,)
            ).fetchone():
                conn.execute(
                    sql.SQL("create database {} owner {}").format(
                        sql.Identifier(AIRFLOW), sql.Identifier(AIRFLOW)
                    )
                )
            conn.execute(
                sql.SQL("revoke all on database {} from public").format(sql.Identifier(AIRFLOW))
            )
        return self.url(AIRFLOW, role=AIRFLOW)

    # -- lifecycle -----------------------------------------------------------------------------
    def up(self) -> str:
        """Initialise if needed, start if stopped, create the revgen database; return its URL."""
        if not self.is_running():
            self._init()
            self._start()
        self._secure_old_cluster()
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
        folder = Path(tempfile.mkdtemp(prefix="revgen-initdb-"))
        try:
            pwfile = folder / "superuser"
            pwfile.write_text(self._credentials()[SUPERUSER] + "\n")
            pwfile.chmod(0o600)
            if self.system_user:  # initdb runs as that user: it alone may read the file
                entry = ensure_user_exists(self.system_user)
                assert entry is not None
                os.chown(folder, entry.pw_uid, entry.pw_gid)
                os.chown(pwfile, entry.pw_uid, entry.pw_gid)
            self._run(
                initdb,
                [
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-U",
                    SUPERUSER,
                ],
                timeout=120,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _open_to_system_user(self) -> None:
        """As root: let the `pgserver` user reach the binaries and own the data folder (opens
        read/traverse permission on their parent folders, as pgserver itself does)."""
        assert self.system_user is not None
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
                " ".join(
                    [f'-h 127.0.0.1 -p {port} -k ""']
                    + [f"-c {name}={value}" for name, value in server_settings().items()]
                ),
                "-l",
                str(self.log_file),
                "start",
            ],
            timeout=90,
        )

    def _ensure_database(self) -> None:
        """The owner role and the revgen database it owns (an older cluster's objects move to it)."""
        passwords = self._credentials()
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            role = sql.Identifier(OWNER)
            _ensure_login_role(conn, OWNER, passwords[OWNER], createrole=True)
            owner = conn.execute(
                "select pg_get_userbyid(datdba) from pg_database where datname = %s",
                (DATABASE_NAME,),
            ).fetchone()
            if owner is None:
                conn.execute(
                    sql.SQL("create database {} owner {}").format(
                        sql.Identifier(DATABASE_NAME), role
                    )
                )
            elif owner[0] != OWNER:
                conn.execute(
                    sql.SQL("alter database {} owner to {}").format(
                        sql.Identifier(DATABASE_NAME), role
                    )
                )
                with psycopg.connect(self.admin_url(DATABASE_NAME), autocommit=True) as db:
                    db.execute(HAND_OVER.replace("{owner}", OWNER))

    def _secure_old_cluster(self) -> None:
        """A cluster an older revgen made with `trust` access: give the superuser its password,
        then require passwords from every login (the server reloads its access rules)."""
        hba = self.pgdata / "pg_hba.conf"
        rules = [line.split() for line in hba.read_text().splitlines()]
        if not any("trust" in rule for rule in rules if rule and not rule[0].startswith("#")):
            return
        log.warning("securing %s: passwords for every login from now on", self.pgdata)
        info = self._postmaster()
        assert info is not None and info.port is not None
        trusted = f"postgresql://{SUPERUSER}@127.0.0.1:{info.port}/{SUPERUSER}"
        with psycopg.connect(trusted, autocommit=True) as conn:
            conn.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(SUPERUSER), sql.Literal(self._credentials()[SUPERUSER])
                )
            )
        hba.write_text(HBA)
        if self.system_user:
            entry = ensure_user_exists(self.system_user)
            assert entry is not None
            os.chown(hba, entry.pw_uid, entry.pw_gid)
        self._run(pg_ctl, ["reload"], timeout=30)
