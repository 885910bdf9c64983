"""ruff (pyflakes rules and syntax errors, configured in pyproject.toml) passes on the code, tests and benchmarks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: it is a dev dependency (make setup installs it)")
    r = subprocess.run([ruff, "check", "--output-format", "concise", "src", "tests", "benchmarks", "tools"], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout[-3000:]
