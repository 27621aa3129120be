"""For the check scripts tests/test_compiled.py runs with a compiled build's python
(fastwalk_check.py, fastlook_check.py): the build's C module, loaded on its own, with the
``scanner`` package then imported from this checkout's source, which is the reference."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load_c_module(dotted: str) -> Any:
    """The installed build's module ``dotted`` (``scanner.engine._fastwalk``); afterwards
    ``scanner`` and its modules are imported from this checkout."""
    spec = importlib.util.find_spec(dotted)
    assert spec is not None and spec.origin is not None, f"this build has no {dotted}"
    short = dotted.rsplit(".", 1)[1]
    loader = importlib.machinery.ExtensionFileLoader(short, spec.origin)
    module_spec = importlib.util.spec_from_loader(short, loader)
    assert module_spec is not None
    module = importlib.util.module_from_spec(module_spec)
    loader.exec_module(module)
    for name in [n for n in sys.modules if n == "scanner" or n.startswith("scanner.")]:
        del sys.modules[name]
    sys.path.insert(0, str(ROOT))
    return module
