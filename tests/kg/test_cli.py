"""The CLI edge: user mistakes are one clean line, never a traceback."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize("args, needle", [
    (["eval", "--store", "x", "gold.json", "corpus"], "No such option: --store"),
    (["lines", "--stage"], "--stage"),
    (["no-such-command"], "No such command"),
])
def test_usage_errors_are_short_and_clean(args, needle):
    run = subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True)
    assert run.returncode == 2
    assert needle in run.stderr
    assert "Traceback" not in run.stderr and "╭" not in run.stderr
    assert len([line for line in run.stderr.splitlines() if line.strip()]) <= 3
