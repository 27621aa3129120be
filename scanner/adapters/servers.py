"""Which AI server a container runs, from its image, command, args and ports.

Images are matched on their repository (registry and tag ignored); commands on the
program that starts the server; ports only when a port is distinctive of one server
(11434 is Ollama's, 8000 is everybody's). The first match in ``SIGNATURES`` wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

# server -> (image repository pattern, argv pattern)
SIGNATURES: dict[str, tuple[str, str]] = {
    "vllm": (r"(^|/)vllm[-_/]|(^|/)vllm$|/vllm-openai|lmcache/vllm",
             r"^(vllm serve|python3? -m vllm\.entrypoints|vllm\.entrypoints)"),
    "tgi": (r"text-generation-inference", r"^text-generation-launcher\b"),
    "triton": (r"tritonserver|triton-inference-server",
               r"^(/opt/tritonserver/bin/)?tritonserver\b"),
    "ollama": (r"(^|/)ollama(/ollama)?$", r"^(/bin/)?ollama serve\b"),
    "ray": (r"(^|/)rayproject/ray(-ml|-llm)?$|(^|/)ray-llm$", r"^ray start\b|^serve run\b"),
    "mlflow": (r"(^|/)mlflow([-/]|$)|mlflow/mlflow", r"^mlflow (server|ui)\b"),
    "torchserve": (r"(^|/)torchserve$|pytorch/torchserve", r"^torchserve\b"),
    "jupyter": (r"(^|/)jupyter/|jupyterhub|/(base|minimal|scipy|datascience|pytorch|tensorflow)"
                r"-notebook$|jupyter-(scipy|pytorch|tensorflow)|(^|/)jupyter(lab)?$",
                r"^(jupyter(-lab|-notebook)?|start-notebook\.sh|start-singleuser\.sh)\b"),
    "open-webui": (r"open-webui", r"^open-webui\b"),
    "litellm": (r"berriai/litellm|(^|/)litellm(-database)?$", r"^litellm\b"),
    "qdrant": (r"(^|/)qdrant/qdrant$|(^|/)qdrant$", r"^\./qdrant\b"),
    "weaviate": (r"semitechnologies/weaviate|(^|/)weaviate$", r"^/bin/weaviate\b"),
    "chroma": (r"chroma-core/chroma|chromadb/chroma|(^|/)chroma$", r"^chroma run\b"),
    "milvus": (r"milvusdb/milvus|(^|/)milvus$", r"^milvus run\b"),
}
DISTINCTIVE_PORTS = {11434: "ollama", 8265: "ray", 6333: "qdrant", 6334: "qdrant",
                     19530: "milvus"}
SERVERS = tuple(SIGNATURES)

_IMAGE = {name: re.compile(img, re.I) for name, (img, _a) in SIGNATURES.items()}
_ARGV = {name: re.compile(arg, re.I) for name, (_i, arg) in SIGNATURES.items()}


def recognise(repository: str | None, argv: list[str], ports: list[int]) -> str | None:
    """The AI server a container runs, or None."""
    by_image = _server_of_image(repository.lower()) if repository else None
    if by_image is not None:
        return by_image
    line = " ".join(a.rsplit("/", 1)[-1] if i == 0 else a for i, a in enumerate(argv))
    for name, rx in _ARGV.items():
        if rx.search(line):
            return name
    for port in ports:
        if port in DISTINCTIVE_PORTS:
            return DISTINCTIVE_PORTS[port]
    return None


@lru_cache(maxsize=4096)  # images repeat across files, and each try is up to 14 searches
def _server_of_image(repo: str) -> str | None:
    for name, rx in _IMAGE.items():
        if rx.search(repo):
            return name
    return None
