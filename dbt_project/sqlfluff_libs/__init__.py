"""What sqlfluff's Jinja templater needs to render revgen's models as dbt would, offline.

`make lint` runs sqlfluff with the Jinja templater (dbt_project/.sqlfluff), not the dbt one: dbt's
compile needs a live warehouse for the incremental models, and sqlfluff-templater-dbt pins an
older click than Airflow's. Names defined here override sqlfluff's dbt stand-ins: `var` returns
the very vars revgen passes to dbt (the shipped policy), and `dbt.<macro>` renders dbt-postgres's
cross-database macros, so the macros that read the policy render real SQL to lint.
"""

from __future__ import annotations

from types import SimpleNamespace

from revgen.load.schema import BI_ROLE
from revgen.policy import base_policy_path, load_policy

# the shipped policy (dbt_project/policy.yml), never a company's installed one: lint judges the
# code, and the same code must pass whatever company this machine has brought in
_SHIPPED = load_policy(base_policy_path()).dbt_vars()
_VARS = {**_SHIPPED, "base_policy": _SHIPPED["policy"], "as_of": None, "bi_role": BI_ROLE}
_VARS.setdefault("lookback_hours", 1)


def var(name: str, default=None):
    return _VARS.get(name, default)


class _Dbt:
    """dbt-postgres's cross-database macros, as plain SQL."""

    @staticmethod
    def current_timestamp() -> str:
        return "now()"

    @staticmethod
    def date_trunc(datepart: str, date: str) -> str:
        return f"date_trunc('{datepart}', {date})"

    @staticmethod
    def dateadd(datepart: str, interval, from_date_or_timestamp: str) -> str:
        return f"{from_date_or_timestamp} + (({interval}) * (interval '1 {datepart}'))"

    @staticmethod
    def datediff(first_date: str, second_date: str, datepart: str) -> str:
        return f"extract(epoch from ({second_date})::timestamp - ({first_date})::timestamp)"

    @staticmethod
    def type_bigint() -> str:
        return "bigint"

    @staticmethod
    def type_float() -> str:
        return "float"

    @staticmethod
    def type_numeric() -> str:
        return "numeric(28,6)"

    @staticmethod
    def type_string() -> str:
        return "text"


class _Exceptions:
    @staticmethod
    def raise_compiler_error(message: str) -> str:
        raise ValueError(message)


class _Adapter:
    @staticmethod
    def get_relation(database: str, schema: str, identifier: str) -> str:
        """A relation looked up is there, as after a first build."""
        return f"{schema}.{identifier}"


class _Relation:
    @staticmethod
    def create(database=None, schema=None, identifier=None, type=None) -> str:
        return f"{schema}.{identifier}"


class _Model:
    resource_type = "model"


class _Target:
    schema = "revgen"
    name = "lint"


def run_query(query: str) -> SimpleNamespace:
    """The incremental macros' introspection answered as after a first build: the bookkeeping
    table exists and holds a build start, so the incremental branch is what gets linted."""
    value = True if "to_regclass" in query else "2026-01-01T00:00:00.000000+00:00"
    column = SimpleNamespace(values=lambda: [value])
    return SimpleNamespace(columns=[column])


adapter = _Adapter()
api = SimpleNamespace(Relation=_Relation())
execute = True
flags = SimpleNamespace(FULL_REFRESH=False)
graph = SimpleNamespace(nodes={})
model = _Model()
dbt = _Dbt()
exceptions = _Exceptions()
target = _Target()
