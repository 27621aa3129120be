"""Build script. The metadata lives in setup.cfg; this file only adds C extension modules.

A build (``pip install .``, a wheel; not an editable install) compiles three optional C
modules: scanner/engine/_fastwalk.c, the engine's walks over documents;
scanner/detectors/_fastlook.c, the detectors' first looks over whole files; and, when
libyaml's header is installed, scanner/parse/_fastyaml.c, which makes the documents straight
from libyaml's events. Without them the same Python code runs (the walks and looks in
Python, the documents from PyYAML) and gives the same reports.

``WARDSCAN_COMPILE=1 pip install .`` also compiles the per-file hot path (evaluation,
detectors, adapters, linking) with mypyc, the compiler mypy ships and Black and mypy are
built with: the same source, type-checked, turned into C extension modules. It needs a C
compiler, mypy and the type stubs of PyYAML and jsonschema (build isolation fetches them;
with ``--no-build-isolation`` they must be installed, as the test extra does).
``WARDSCAN_COMPILE=0`` builds pure Python. Every build gives the same reports byte for byte
(tests/test_compiled.py); docs/performance.md has the speed of each.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup  # type: ignore[import-untyped]

# Modules that run once per file, per resource or per finding (the Kubernetes and compose
# paths, the engine, the detectors, the data model and the JSON and SARIF writers). Not here:
# modules that subclass dict or list (mypyc cannot compile those classes: parse/yaml.py,
# adapters/synth.py), and those that run once per scan, where compiling saves nothing.
COMPILED = [
    "scanner/adapters/__init__.py",
    "scanner/adapters/commandline.py",
    "scanner/adapters/compose.py",
    "scanner/adapters/kubernetes.py",
    "scanner/adapters/servers.py",
    "scanner/adapters/workload.py",
    "scanner/adapters/workload_parts.py",
    "scanner/detectors/phi.py",
    "scanner/detectors/redact.py",
    "scanner/detectors/secrets.py",
    "scanner/discover.py",
    "scanner/engine/builtin_checks.py",
    "scanner/engine/conditions.py",
    "scanner/engine/detect_checks.py",
    "scanner/engine/evaluate.py",
    "scanner/engine/findings.py",
    "scanner/engine/packs.py",
    "scanner/engine/paths.py",
    "scanner/exposure.py",
    "scanner/linking.py",
    "scanner/models.py",
    "scanner/report/json_report.py",
    "scanner/report/jsontext.py",
    "scanner/report/sarif.py",
    "scanner/scan.py",
    "scanner/suppress.py",
]
# Commands that build extension modules (metadata-only runs must not pay for mypyc).
_BUILDS = {"bdist_wheel", "build", "build_ext", "install"}


def _compiling() -> bool:
    return os.environ.get("WARDSCAN_COMPILE", "") == "1"


def _ext_modules() -> list[object]:
    if os.environ.get("WARDSCAN_COMPILE", "") == "0" or not _BUILDS & set(sys.argv[1:]):
        return []  # pure Python, asked for; or not a build (metadata, sdist, editable)
    if not _compiling():
        return [*_walks_and_looks(), *_fastyaml()]
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit("WARDSCAN_COMPILE=1 needs mypy (which brings mypyc) in the build "
                         "environment: pip install mypy, or leave build isolation on") from None
    return [*mypycify(COMPILED, opt_level="3"), *_walks_and_looks(), *_fastyaml()]


def _walks_and_looks() -> list[object]:
    """scanner/engine/_fastwalk.c, the engine's walks over documents in C (path selection,
    the strings the detectors read, a finding's logical path), and
    scanner/detectors/_fastlook.c, the words and shapes looked for in every file before the
    detectors run. Optional: where one does not compile, the install goes on with the Python
    versions, which give the same reports."""
    from setuptools import Extension

    return [Extension(f"scanner.{name.replace('/', '.')}", [f"scanner/{name}.c"],
                      extra_compile_args=["-O2"], optional=True)
            for name in ("engine/_fastwalk", "detectors/_fastlook")]


def _fastyaml() -> list[object]:
    """scanner/parse/_fastyaml.c, which builds documents straight from libyaml's events,
    when libyaml's header is installed (libyaml-dev, yaml-devel, brew's libyaml). It is
    optional: without the header, or if it does not compile, the install goes on and
    documents come from PyYAML, with the same reports."""
    from setuptools import Extension

    paths = [p for var in ("C_INCLUDE_PATH", "CPATH") for p in os.environ.get(var, "").split(":")]
    paths += ["/usr/include", "/usr/local/include", "/opt/homebrew/include"]
    if not any(p and Path(p, "yaml.h").is_file() for p in paths):
        print("wardscan: yaml.h (libyaml's header) not found; building without _fastyaml",
              file=sys.stderr)
        return []
    return [Extension("scanner.parse._fastyaml", ["scanner/parse/_fastyaml.c"],
                      libraries=["yaml"], extra_compile_args=["-O2"], optional=True)]


setup(
    ext_modules=_ext_modules(),
    # mypyc type-checks what it compiles, so the build needs the stubs the test extra has
    setup_requires=["mypy>=1.10", "types-PyYAML", "types-jsonschema"] if _compiling() else [],
)
