"""The rule packs ship inside the wheel as ``scanner.packs`` (never a top-level ``rules``),
and both a regular and an editable install find them; a regular build carries the C walks
``_fastwalk`` and looks ``_fastlook``, and the C loader ``_fastyaml`` where libyaml's header is
installed, and ``WARDSCAN_COMPILE=0`` none."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import ROOT, SHARED

PROBE = (
    "from scanner.engine.packs import builtin_pack_files, load_rules;"
    "import importlib.resources as r, scanner;"
    "print(str(r.files('scanner.packs')));"
    "print(sorted(n for n, _ in builtin_pack_files()));"
    "print(len(load_rules().rules))"
)


LIBYAML_HEADER = Path("/usr/include/yaml.h").is_file()  # where setup.py looks first


def _pip(python: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(python), "-m", "pip", "-q", "--disable-pip-version-check", *args],
                   check=True, cwd=cwd, capture_output=True, env=env)


def _probe(python: Path, cwd: Path) -> list[str]:
    out = subprocess.run([str(python), "-c", PROBE], check=True, cwd=cwd, capture_output=True,
                         text=True)
    return out.stdout.splitlines()


def test_wheel_and_editable_installs_find_the_packs(tmp_path: Path) -> None:
    expected = sorted(f"builtin:{p.name}" for p in (ROOT / "rules").glob("*.yaml"))
    wheels = tmp_path / "wheels"
    _pip(Path(sys.executable), "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels),
         str(ROOT), cwd=tmp_path)
    (wheel,) = wheels.glob("wardscan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"scanner/packs/{e.split(':')[1]}" for e in expected} <= set(names)
    assert "scanner/schemas/manifest.schema.json" in names
    assert "scanner/packs/snapshot.json" in names  # the built-in packs as JSON, for start-up
    assert "scanner/templates/aideployment.yaml" in names
    assert not [n for n in names if n.startswith("rules/")]
    fast = [n for n in names if n.startswith("scanner/parse/_fastyaml.") and n.endswith(".so")]
    assert len(fast) == (1 if LIBYAML_HEADER else 0)
    walks = [n for n in names if n.startswith("scanner/engine/_fastwalk.") and n.endswith(".so")]
    assert len(walks) == 1  # needs only a C compiler, which the compiled tests need too
    looks = [n for n in names if n.startswith("scanner/detectors/_fastlook.") and n.endswith(".so")]
    assert len(looks) == 1

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _pip(python, "install", "--no-deps", str(wheel), cwd=tmp_path)
    where, packs, count = _probe(python, tmp_path)
    assert where.startswith(str(env_dir))
    assert packs == str(expected)
    assert int(count) >= 35
    loaded = subprocess.run([str(python), "-c", "import scanner.parse.yaml as y, "
                             "scanner.engine.paths as p, scanner.detectors.textlook as t; "
                             "print(y._fastyaml is not None, p.fastwalk is not None, "
                             "t.fastlook is not None)"],
                            check=True, cwd=tmp_path, capture_output=True, text=True).stdout
    assert loaded.split() == [str(LIBYAML_HEADER), "True", "True"]
    # the default install (Python calling the C walks, and the C loader) reports what the
    # pure Python of this checkout reports, byte for byte
    generated = tmp_path / "generated"
    subprocess.run([sys.executable, str(SHARED / "bench" / "gen_corpus.py"), str(generated),
                    "--files", "80", "--seed", "5", "--format", "mix"], check=True,
                   stdout=subprocess.DEVNULL)
    inputs = [str(SHARED / "corpus"), str(ROOT / "examples"), str(ROOT / "tests" / "fixtures"),
              str(generated)]
    assert _report(python, inputs, tmp_path / "default") == \
        _report(Path(sys.executable), inputs, tmp_path / "pure")

    _pip(python, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT), cwd=tmp_path)
    where, packs, _count = _probe(python, tmp_path)
    assert Path(where) == ROOT / "rules"
    assert packs == str(expected)


def _report(python: Path, inputs: list[str], out: Path) -> bytes:
    out.mkdir()
    run = subprocess.run([str(python), "-m", "scanner", "scan", *inputs, "--format", "json",
                          "-o", str(out / "r.json"), "--fail-on", "none", "--no-config"],
                         cwd=out, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    report = (out / "r.json").read_bytes()
    assert report.count(b'"rule_id"') > 400  # the comparison means something
    return report


def test_a_pure_build_has_no_extension_modules(tmp_path: Path) -> None:
    env = {**os.environ, "WARDSCAN_COMPILE": "0"}
    _pip(Path(sys.executable), "wheel", "--no-deps", "--no-build-isolation", "-w",
         str(tmp_path), str(ROOT), cwd=tmp_path, env=env)
    (wheel,) = tmp_path.glob("wardscan-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".so")]
