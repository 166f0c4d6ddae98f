"""A headless browser for pictures of what revgen renders (Data Docs, the funnel report): Debian's
chromium, or Chrome/Chromium on macOS. Started with the flags that keep it off the network."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from revgen.errors import ConfigError

CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_browser() -> str:
    for candidate in CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).exists() else None)
        if found:
            return found
    raise ConfigError(
        "No Chromium or Chrome found: install Debian's `chromium` package "
        "(`make browser` does it) or Google Chrome."
    )


def screenshot(
    html: Path, png: Path, width: int = 1280, height: int = 1600, timeout: int = 120
) -> Path:
    """Render a local HTML file headless and save a PNG of it."""
    with tempfile.TemporaryDirectory(prefix="revgen-browser-") as profile:
        subprocess.run(
            [
                find_browser(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    return png
