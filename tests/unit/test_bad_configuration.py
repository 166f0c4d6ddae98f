"""Bad configuration fails fast with one sentence that says what to fix."""

import subprocess
import time

from revgen.db.local import free_port
from tests.helpers import ROOT, revgen_cli


def test_unreachable_database_url_fails_fast_with_one_clear_sentence_and_no_password():
    url = f"postgresql://revgen:s3cret-pw@127.0.0.1:{free_port()}/warehouse"
    started = time.monotonic()
    result = revgen_cli("db", "up", env={"DATABASE_URL": url})
    assert result.returncode == 1
    assert time.monotonic() - started < 60
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(
        "revgen: Cannot reach the warehouse at postgresql://revgen:***@127.0.0.1"
    )
    assert "Check DATABASE_URL" in message
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_make_without_python_311_says_what_to_install():
    result = subprocess.run(
        ["make", "-B", "install", "PYTHON=/nonexistent/python3.11"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "revgen needs Python 3.11" in result.stderr
    assert "apt install python3.11" in result.stderr
