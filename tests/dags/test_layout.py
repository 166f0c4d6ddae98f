"""The package's import directions: sources make records and loads consume them through the
neutral `revgen.records`, never the other way round; a DAG file parses without the local tooling
(no pgserver, no local Airflow launcher), as a production scheduler parses it."""

from __future__ import annotations

import ast
import posixpath
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


def _layout_block() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1]
    return section.split("```\n", 2)[1].splitlines()


def _named_paths(lines: list[str]) -> list[str]:
    """The paths the layout's left column names, resolved: an indented line is under revgen/, a
    bare folder after another folder is its sibling (`sources/hubspot/ salesforce/`), and
    `{a,b}` expands."""
    paths: list[str] = []
    for line in lines:
        left = line.split("  ", 2)[:2] if line.startswith("  ") else line.split("  ", 1)[:1]
        left_text = left[-1] if line.startswith("  ") else left[0]
        base = "revgen/" if line.startswith("  ") else ""
        previous: str | None = None
        for token in left_text.split():
            if "/" not in token and "." not in token:
                continue
            if "{" in token:
                head, rest = token.split("{", 1)
                options, tail = rest.split("}", 1)
                expanded = [head + option + tail for option in options.split(",")]
            else:
                expanded = [token]
            for name in expanded:
                if previous and "/" not in name.rstrip("/") and name.endswith("/"):
                    name = posixpath.join(posixpath.dirname(previous.rstrip("/")), name)
                path = base + name if not name.startswith(base) or not base else name
                paths.append(path.rstrip("/"))
                previous = name
    return paths


def test_the_readme_layout_names_only_what_exists_and_every_part_of_the_package():
    lines = _layout_block()
    missing = [path for path in _named_paths(lines) if not (ROOT / path).exists()]
    assert missing == []
    text = "\n".join(lines)
    parts = sorted(
        path.name
        for path in (ROOT / "revgen").iterdir()
        if path.name not in ("__init__.py", "__pycache__")
        and (path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    )
    unnamed = [name for name in parts if name.removesuffix(".py") not in text]
    assert unnamed == []
