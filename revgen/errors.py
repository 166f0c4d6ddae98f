"""revgen's exceptions. Each message says what went wrong and what to do about it."""


class RevgenError(Exception):
    """Base class: a failure a user can act on; the CLI prints its message without a traceback."""


class ConfigError(RevgenError):
    """The configuration (environment, policy file, mapping file) is wrong or incomplete."""


class WarehouseUnreachable(ConfigError):
    """The warehouse named by DATABASE_URL (or the local one) does not answer."""


class LocalServerError(RevgenError):
    """The project-local PostgreSQL could not be initialised, started or stopped."""


class InputError(RevgenError):
    """A whole input file cannot be read (missing required column, wrong encoding, empty)."""

    def __init__(self, source: str, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"[{source}] {where}: {message}")
        self.source = source
        self.path = path
        self.line = line


class StepFailed(RevgenError):
    """A pipeline step (dbt build, a blocking quality suite) failed."""
