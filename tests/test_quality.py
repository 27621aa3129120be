"""The project's own code is ruff- and mypy-clean, and the README's commands match CI."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_ruff_is_clean() -> None:
    out = _run("ruff", "check", "scanner", "tests", "bench", "setup.py")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    out = _run("mypy")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()[-1]
    readme = (ROOT / "README.md").read_text()
    apt = "apt-get -o APT::Sandbox::User=root"
    assert ci == (f"(command -v chromium || ({apt} update -qq && DEBIAN_FRONTEND=noninteractive "
                  f"{apt} install -y -qq --no-install-recommends chromium)) && python3 -m pip "
                  "install -e '.[test]' && python3 -m pytest")
    assert f"\n{ci}\n" in readme
    assert "\npython3 -m pip install . && wardscan scan examples/\n" in readme
