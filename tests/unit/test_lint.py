import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def test_ruff_finds_nothing_in_the_package_dags_and_tests():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "revgen", "dags", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
