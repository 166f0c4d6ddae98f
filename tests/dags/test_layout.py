"""The package's import directions: sources make records and loads consume them through the
neutral `revgen.records`, never the other way round; a DAG file parses without the local tooling
(no pgserver, no local Airflow launcher), as a production scheduler parses it."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_nothing_in_sources_imports_load():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imports(path) if m.startswith("revgen.load")
        )
        for path in (ROOT / "revgen" / "sources").rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


@pytest.mark.parametrize("dag", sorted(p.name for p in (ROOT / "dags").glob("*.py")))
def test_parsing_a_dag_imports_no_local_tooling(dag):
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dag', {str(ROOT / 'dags' / dag)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pgserver'"
        " or m in ('revgen.db.local', 'revgen.local_airflow', 'revgen.demo', 'revgen.bench')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
