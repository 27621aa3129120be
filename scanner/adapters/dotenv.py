"""``.env`` files (``KEY=value`` lines), the usual home of secrets next to a compose file.

Not YAML: read line by line. Each key keeps its line, so a secret is reported where it is
written. Used for files named ``.env``, ``.env.*`` or ``*.env``.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath

from scanner.adapters.synth import SynthMap
from scanner.models import Location, Resource

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")


def is_dotenv(path: str) -> bool:
    """Asked of every file scanned: the name is taken with ``os.path``, as a ``PurePath`` per
    file cost more than reading a small file."""
    name = os.path.basename(path)  # noqa: PTH119
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def adapt_text(text: str, path: str) -> list[Resource]:
    body = SynthMap(Location(path, 1, 1))
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        body.put(m.group(1), value, Location(path, number, m.start(2) + 1))
    name = PurePath(path).name
    return [Resource(kind="dotenv", name=name, body=body, path=path, line=1)] if body else []
