"""Best-effort reading of an unrendered Helm template (``templates/*.yaml``).

Go template actions are not YAML. A line that holds only actions (``{{- if ... }}``,
``{{ end }}``, ``{{- toYaml .Values.x | nindent 8 }}``) is blanked, and an action inside a
line becomes ``${HELM}``, a plain scalar that no rule mistakes for a real value (an image
``${HELM}`` has no knowable tag). Line numbers are kept, so findings still point at the
template's lines. Used only when a file does not parse as YAML as it is; rendering with
``helm template`` and scanning the output is always more complete.
"""

from __future__ import annotations

import re

_ACTION = re.compile(r"\{\{.*?\}\}")
_ONLY_ACTIONS = re.compile(r"^\s*(\{\{.*?\}\}\s*)+$")
PLACEHOLDER = "${HELM}"


def neutralise(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if _ONLY_ACTIONS.match(line):
            lines.append("")
        else:
            lines.append(_ACTION.sub(PLACEHOLDER, line))
    return "\n".join(lines)
