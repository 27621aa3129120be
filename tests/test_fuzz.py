"""Property (fuzz) tests: random and mutated inputs through the whole scan pipeline.

What is generated (all with Hypothesis, derandomized so CI runs the same cases every time):

- random YAML / JSON documents: nested maps and lists of text, numbers, booleans and nulls,
  with keys drawn from random text and from the keys the adapters read (``apiVersion``,
  ``containers``, ``model_list``, ``vendors``...), often under a real header
  (``apps/v1 Deployment``, ``v1 Service``, ``wardscan/v1 AIDeployment``...), serialised with
  ``yaml.safe_dump_all`` (random style options) or ``json.dumps``;
- structurally mutated real documents: every YAML/JSON document of ``../shared/corpus``,
  ``examples/`` and ``tests/fixtures``, parsed, then values replaced, deleted, emptied,
  wrapped in lists, unwrapped, given new keys, or shared (YAML anchors and aliases), and
  serialised again: documents that are almost right reach the adapters and rules deeply;
- hostile YAML: deep block-style nesting and nested-alias "laughs" in the values the
  adapters read;
- Terraform HCL written by a tiny HCL writer (``resource``/``variable``/other blocks with
  the attributes the cloud rules read, nested blocks, objects, tuples, references, heredocs);
- ``.env`` files (secret-looking keys and values, quotes, ``export``, comments, CRLF);
- byte-level mutations of the real files (corpus, examples, fixtures): byte flips,
  deletions, insertions of YAML/JSON/HCL/Helm syntax, tabs, anchors and aliases,
  ``!!python/object`` tags, NUL bytes, BOMs, invalid UTF-8, CRLF or bare CR line ends,
  UTF-16 re-encoding, truncation, line duplication and re-indentation, sometimes under the
  name of another format (``x.tf`` holding YAML...).

Properties:

- per file (``FileScanner.scan_text`` after ``_decode``, then the cross-file resolution and
  inventory): only ``ParseError`` (the reported per-file error) may escape; any other
  exception fails the test. Findings point into the file, at a line >= 1;
- full scans (``scan()`` over a folder holding the fuzzed file and a known-good manifest):
  every report format renders to text that encodes as UTF-8, the JSON report is valid
  against ``report.schema.json``, SARIF against the SARIF 2.1.0 schema, JUnit parses as
  XML, and the good manifest's findings are exactly those of a scan of it alone.

Hypothesis keeps its caches (Unicode tables, constants it reads from the scanner's source)
in the system temporary folder, never in ``./.hypothesis``, and no example database is
used. Generation is derandomized: the same code gives the same cases on every run.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import pkgutil
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import ROOT, SHARED, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

import scanner
from scanner.engine.packs import RuleSet
from scanner.errors import ParseError
from scanner.models import Finding, ScanResult
from scanner.report import FORMATS, RenderSettings, get_renderer
from scanner.scan import FileScanner, ScanOptions, _decode, scan

OPTIONS = ScanOptions(today=TODAY)
GOOD = ROOT / "examples" / "compliant-discharge-assistant.yaml"
SEED_DIRS = (SHARED / "corpus", ROOT / "examples", ROOT / "tests" / "fixtures")
SUFFIXES = (".yaml", ".yml", ".json", ".tf", ".env")


def fuzz_settings(examples: int) -> settings:
    """Reproducible (derandomized, no database), no deadline, slow-input checks off."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    )


# Set at import: the Hypothesis pytest plugin already writes its cache while collecting.
# A cache only (no example database): reused across runs, it never changes what is generated.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "wardscan-fuzz-hypothesis")

# Hypothesis now and then draws constants found in the project modules loaded so far; loading
# them all here makes the cases the same whichever other test files are collected with this.
for _module in pkgutil.walk_packages(scanner.__path__, "scanner."):
    if not _module.name.endswith("__main__"):
        importlib.import_module(_module.name)
importlib.import_module("scanner.packs")


# Seeds: the real files ----------------------------------------------------------------------

def _seed_files() -> list[tuple[str, bytes]]:
    """(file name, bytes) of every scannable real file, sorted (so draws are reproducible)."""
    out = []
    for top in SEED_DIRS:
        for p in sorted(top.rglob("*")):
            if p.is_file() and (p.name.endswith(SUFFIXES) or p.name == ".env"):
                out.append((p.name, p.read_bytes()))
    return out


def _seed_documents(files: list[tuple[str, bytes]]) -> list[tuple[str, Any]]:
    """(suffix, document) of every map document of the YAML and JSON seed files."""
    out: list[tuple[str, Any]] = []
    for name, data in files:
        if not name.endswith((".yaml", ".yml", ".json")):
            continue
        try:
            docs = list(yaml.safe_load_all(data.decode("utf-8-sig")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # the invalid mlbom JSON, Helm templates: only byte-mutated
        suffix = ".json" if name.endswith(".json") else ".yaml"
        out.extend((suffix, doc) for doc in docs if isinstance(doc, dict))
    return out


SEED_FILES = _seed_files()
SEED_DOCS = _seed_documents(SEED_FILES)

# Vocabulary ---------------------------------------------------------------------------------

REAL_KEYS = (
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "app",
    "spec", "template", "selector", "matchLabels", "replicas", "containers", "initContainers",
    "image", "imagePullPolicy", "command", "args", "env", "envFrom", "valueFrom",
    "secretKeyRef", "key", "value", "ports", "containerPort", "hostPort", "port",
    "targetPort", "nodePort", "protocol", "type", "hostNetwork", "securityContext",
    "privileged", "runAsUser", "runAsNonRoot", "readOnlyRootFilesystem",
    "allowPrivilegeEscalation", "capabilities", "add", "drop", "volumes", "volumeMounts",
    "hostPath", "path", "resources", "limits", "items", "rules", "http", "paths", "backend",
    "service", "parentRefs", "backendRefs", "headGroupSpec", "workerGroupSpecs",
    "rayStartParams", "serviceType", "predictor", "model", "storageUri", "services",
    "environment", "network_mode", "restart", "expose", "healthcheck", "resource", "variable",
    "default", "sensitive", "model_list", "model_name", "litellm_params", "api_key",
    "api_base", "general_settings", "master_key", "litellm_settings", "success_callback",
    "router_settings", "proxy_config", "masterkey", "servingEngineSpec", "modelSpec",
    "modelURL", "vllmConfig", "ollama", "gpu", "models", "containerPort", "data", "phi",
    "vendors", "baa", "signed", "receives_phi", "security", "encryption", "at_rest",
    "in_transit", "enabled", "authentication", "audit", "logging", "prompts",
    "retention_days", "human_review", "provider", "hosting", "format_version",
    "terraform_version", "planned_values", "root_module", "child_modules", "values",
    "resource_changes", "change", "after", "after_unknown", "address", "wardscan.dev/ignore",
    "<<",
)
REAL_VALUES = (
    "vllm/vllm-openai:latest", "vllm/vllm-openai@sha256:" + "a" * 64, "ollama/ollama",
    "ghcr.io/huggingface/text-generation-inference:2.0", "nvcr.io/nvidia/tritonserver:24.01",
    "rayproject/ray:2.9.0", "ghcr.io/berriai/litellm:main-latest", "jupyter/base-notebook",
    "qdrant/qdrant", "chromadb/chroma", "milvusdb/milvus:v2.4.0", "ghcr.io/mlflow/mlflow",
    "LoadBalancer", "NodePort", "ClusterIP", "0.0.0.0", "127.0.0.1", "8000", "11434",
    "11434:11434", "0.0.0.0:8265:8265", "--host=0.0.0.0", "--trust-remote-code",
    "--api-key", "--port", "vllm", "serve", "ray start --head --dashboard-host=0.0.0.0",
    "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "AKIAIOSFODNN7EXAMPLE",
    "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "postgres://admin:hunter2@db:5432/phi", "os.environ/OPENAI_API_KEY", "${OPENAI_API_KEY}",
    "{{ .Values.image }}", "${HELM}", "wardscan/v1", "AIDeployment", "Deployment",
    "Service", "true", "false", "yes", "no", "null", "~", "2026-01-01", "2019-02-30",
    "123-45-6789", "MRN 00123456", "jane.doe@mercy-general.example.org", "https://x.example",
    "WS-SRV-OLLAMA-001 until 2027-03-31: behind the VPN",
    "WS-* until not-a-date: x", "WS-HIPAA-AUD-002", "", " ", "\t", "-", ":", "*", "&a",
)
NASTY_TEXT = ("\x00", "\x01\x02", "\x1b[31mred\x1b[0m", "\u2028", "\ufeff", "\x85",
              "]]>", "<&'\">", "\r", "\r\n", "\x7f", "\x0b\x0c", "\U0001f600", "a" * 300,
              "%s %(x)s {0} {x}", "\\", "$(rm -rf /)", "{{", "}}", "${", "%{")
HEADERS = (
    ("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "Pod"), ("wardscan/v1", "AIDeployment"),
    ("wardscan/v2", "AIDeployment"), ("networking.k8s.io/v1", "Ingress"), ("v1", "List"),
    ("serving.kserve.io/v1beta1", "InferenceService"), ("ray.io/v1", "RayCluster"),
    ("ray.io/v1", "RayService"), ("batch/v1", "CronJob"), ("apps/v1", "StatefulSet"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"), ("machinelearning.seldon.io/v1",
                                                   "SeldonDeployment"),
)

# Generated documents ------------------------------------------------------------------------

STRINGS = st.one_of(st.text(max_size=24), st.sampled_from(REAL_VALUES),
                    st.sampled_from(REAL_KEYS), st.sampled_from(NASTY_TEXT))
# python-hcl2 rejects the valid escapes "$${" and "%%{" when no "}" follows (a ParseError):
# HCL strings leave out the two texts that always end that way, or most files would not parse.
HCL_STRINGS = st.one_of(st.text(max_size=24), st.sampled_from(REAL_VALUES),
                        st.sampled_from(REAL_KEYS), st.sampled_from(NASTY_TEXT[:-2]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), STRINGS)
KEYS = st.one_of(st.sampled_from(REAL_KEYS), st.text(max_size=12),
                 st.integers(-3, 3), st.booleans(), st.none())
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=30,
)


@st.composite
def random_documents(draw: st.DrawFn) -> Any:
    """A map, often with a real (or near-real) header; sometimes a list or a scalar."""
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(TREES)
    doc: dict[Any, Any] = {}
    if shape <= 6:
        api, kind = draw(st.sampled_from(HEADERS))
        doc["apiVersion"], doc["kind"] = api, kind
    elif shape == 7:
        doc["apiVersion"], doc["kind"] = draw(SCALARS), draw(SCALARS)
    doc.update(draw(st.dictionaries(KEYS, TREES, max_size=6)))
    return doc


def _slots(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a document, in document order; a container shared by
    aliases (or reached again through a cycle) is walked once."""
    out: list[tuple[Any, Any]] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if not isinstance(node, (dict, list)) or id(node) in seen:
            return
        seen.add(id(node))
        for key in list(node) if isinstance(node, dict) else range(len(node)):
            out.append((node, key))
            walk(node[key])

    walk(doc)
    return out


MUTATIONS = ("replace", "scalar", "delete", "empty", "wrap", "unwrap", "add", "retype",
             "header", "alias")


@st.composite
def mutated_documents(draw: st.DrawFn, aliases: bool) -> tuple[str, Any]:
    """A real document with 1-5 structural mutations (``aliases``: may share a node)."""
    suffix, seed = draw(st.sampled_from(SEED_DOCS))
    doc = copy.deepcopy(seed)
    ops = MUTATIONS if aliases else MUTATIONS[:-1]
    for _ in range(draw(st.integers(1, 5))):
        slots = _slots(doc)
        if not slots:
            break
        parent, key = slots[draw(st.integers(0, len(slots) - 1))]
        op = draw(st.sampled_from(ops))
        value = parent[key]
        if op == "replace":
            parent[key] = draw(TREES)
        elif op == "scalar":
            parent[key] = draw(SCALARS)
        elif op == "delete":
            del parent[key]
        elif op == "empty":
            empty = draw(st.sampled_from(("map", "list", "str", "none", "zero")))
            parent[key] = {"map": {}, "list": [], "str": "", "none": None, "zero": 0}[empty]
        elif op == "wrap":
            parent[key] = [value]
        elif op == "unwrap":
            if isinstance(value, list):
                parent[key] = value[0] if value else None
            elif isinstance(value, dict):
                parent[key] = list(value.values())
        elif op == "add":
            if isinstance(value, dict):
                value[draw(KEYS)] = draw(TREES)
            elif isinstance(value, list):
                value.insert(draw(st.integers(0, len(value))), draw(TREES))
            elif isinstance(parent, dict):
                parent[draw(KEYS)] = draw(TREES)
        elif op == "retype":
            parent[key] = str(value) if not isinstance(value, str) else draw(SCALARS)
        elif op == "header":
            api, kind = draw(st.sampled_from(HEADERS))
            doc["apiVersion"], doc["kind"] = api, kind
        else:  # alias: the same node twice (a YAML anchor), possibly an ancestor (a cycle)
            other = slots[draw(st.integers(0, len(slots) - 1))]
            parent[key] = other[0]
    return suffix, doc


def dump_yaml(draw: st.DrawFn, docs: list[Any]) -> str:
    """``yaml.safe_dump_all`` with random style options."""
    return yaml.safe_dump_all(
        docs,
        default_flow_style=draw(st.sampled_from((False, None, True))),
        explicit_start=draw(st.booleans()),
        allow_unicode=draw(st.booleans()),
        indent=draw(st.integers(2, 5)),
        width=draw(st.sampled_from((80, 20, 4096))),
        sort_keys=False,
    )


def dump_json(draw: st.DrawFn, doc: Any) -> str:
    return json.dumps(doc, indent=draw(st.sampled_from((None, 2))),
                      ensure_ascii=draw(st.booleans()), default=str)


# Hostile YAML in the places whose values adapters and rules read, two families:
#
# - block-style nesting (``- - - x``), which the 256-level depth limit does not count (it
#   counts flow brackets only).
#   Found here and fixed: nesting past ~980 levels raised RecursionError; block nesting now
#   counts against the depth limit, and a RecursionError is a per-file error.
# - alias "laughs" (each level a list of N aliases of the level below), which the alias
#   limit (10,000 alias uses) does not stop: the data stays small, but ``str`` of it is
#   N**levels items long.
#   Found here and fixed: 9 levels of 10 (81 aliases, 628 bytes) as an env value took GBs;
#   documents whose aliases expand past a limit are now refused, cheaply, when parsed.
DEEP_MAX = 3000
BOMB_LEVELS = 9
HOSTILE_SLOTS = (  # (document up to the slot, the slot's indentation)
    ("apiVersion: wardscan/v1\nkind: AIDeployment\nmetadata:\n  name: deep\n{key}:\n", ""),
    ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {{app: a}}\nspec:\n"
     "  containers:\n  - name: c\n    image: ollama/ollama\n    env:\n"
     "    - name: OPENAI_API_KEY\n      value:\n", "      "),
    ("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
     "      - image: vllm/vllm-openai\n        args:\n", "        "),
    ("apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  type: LoadBalancer\n"
     "  selector:\n    app:\n", "    "),
    ("services:\n  a:\n    image: ollama/ollama\n    environment:\n      A:\n", "      "),
    ("services:\n  a:\n    image: ollama/ollama\n    ports:\n", "    "),
    ("model_list:\n- model_name: m\n  litellm_params:\n    api_key:\n", "    "),
    ("apiVersion: v1\nkind: ConfigMap\ndata:\n  a:\n", "  "),
)


@st.composite
def hostile_yaml_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): a real-looking document with one value that is deeply nested,
    or an alias of nested aliases (definitions under an ``x-defs`` key before it)."""
    head, indent = draw(st.sampled_from(HOSTILE_SLOTS))
    head = head.format(key=draw(st.sampled_from(("vendors", "data", "security", "model",
                                                 "oversight", "x"))))
    if draw(st.booleans()):
        leaf = draw(st.sampled_from(("x", "a: b", "[x]", "{a: 1}", "sk-proj-4f9a8b7c6d5e4f3a",
                                     "")))
        return "x.yaml", head + indent + "- " * draw(st.integers(1, DEEP_MAX)) + leaf + "\n"
    levels, fan = draw(st.integers(1, BOMB_LEVELS)), draw(st.integers(1, 10))
    defs = ["x-defs:", "  l0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    defs += [f"  l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]"
             for i in range(1, levels)]
    return "x.yaml", "\n".join(defs) + "\n" + head + indent + f"  *a{levels - 1}\n"



@st.composite
def yaml_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): 1-3 documents, random or mutated real ones, as YAML; sometimes
    a hostile one instead."""
    if draw(st.integers(0, 9)) == 0:
        return draw(hostile_yaml_files())
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            docs.append(draw(random_documents()))
        else:
            docs.append(draw(mutated_documents(aliases=True))[1])
    name = draw(st.sampled_from(("x.yaml", "x.yml", "values.yaml", "config.yaml")))
    return name, dump_yaml(draw, docs)


@st.composite
def json_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): one document, random or mutated real one, as JSON."""
    doc = (draw(random_documents()) if draw(st.booleans())
           else draw(mutated_documents(aliases=False))[1])
    return "x.json", dump_json(draw, doc)


# A tiny HCL writer ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Raw:
    """An HCL expression written as is (a reference, a call, a template...)."""

    text: str


@dataclasses.dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    attrs: tuple[tuple[str, Any], ...]
    blocks: tuple[Block, ...]


TF_TYPES = (
    "aws_sagemaker_notebook_instance", "aws_sagemaker_endpoint_configuration",
    "aws_sagemaker_model", "aws_sagemaker_domain", "aws_bedrock_guardrail",
    "aws_bedrock_model_invocation_logging_configuration", "aws_bedrockagent_agent",
    "awscc_bedrock_agent", "awscc_bedrock_guardrail", "azurerm_cognitive_account",
    "azurerm_machine_learning_workspace", "google_notebooks_instance",
    "google_vertex_ai_dataset", "google_vertex_ai_metadata_store", "google_workbench_instance",
    "aws_s3_bucket", "aws_kms_key",
)
TF_ATTRS = (
    "name", "direct_internet_access", "root_access", "kms_key_id", "kms_key_arn", "subnet_id",
    "enable_network_isolation", "enable_capture", "app_network_access_type",
    "customer_encryption_key_arn", "guardrail_identifier", "text_data_delivery_enabled",
    "public_network_access_enabled", "local_auth_enabled", "outbound_network_access_restricted",
    "no_public_ip", "disable_public_ip", "enable_vtpm", "enable_integrity_monitoring",
    "kms_key_name", "default_action", "type", "input_strength", "action", "default",
    "sensitive", "description", "tags", "instance_type", "custom_subdomain_name", "api_key",
    "password", "for_each", "count",
)
TF_BLOCKS = (
    "data_capture_config", "guardrail_configuration", "logging_config", "s3_config",
    "sensitive_information_policy_config", "pii_entities_config", "regexes_config",
    "content_policy_config", "filters_config", "network_acls", "identity",
    "shielded_instance_config", "gce_setup", "encryption_spec", "production_variants",
    "content", "lifecycle", "dynamic",
)
TF_EXPRS = (
    "var.kms", "aws_kms_key.k.arn", '"arn:aws:kms:us-east-1:1:key/${var.id}"',
    'lookup(var.m, "k", null)', "var.on ? true : false", "[for s in var.l : upper(s)]",
    "{ for k, v in var.m : k => v }", "each.value", "count.index", "local.x[0]",
    '"%{ if var.x }on%{ endif }"', "-1", "1e3", "module.m.out",
)
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
NAMES = st.builds(str.__add__, st.sampled_from(_LETTERS),  # [A-Za-z_][A-Za-z0-9_-]*
                  st.text(_LETTERS + "0123456789-", max_size=12))
IDENTS = st.one_of(st.sampled_from(TF_ATTRS), NAMES)
HCL_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**9), 10**12),
    st.floats(allow_nan=False, allow_infinity=False), HCL_STRINGS,
    st.sampled_from(TF_EXPRS).map(Raw),
)
HCL_TREES = st.recursive(
    HCL_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(IDENTS, HCL_STRINGS), inner,
                                            max_size=4)),
    max_leaves=12,
)


def hcl_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def hcl_value(value: Any, pad: str) -> str:
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(v, pad) for v in value) + "]"
    inner = pad + "  "
    items = [f"{inner}{hcl_key(k)} = {hcl_value(v, inner)}" for k, v in value.items()]
    return "{\n" + "\n".join(items) + ("\n" if items else "") + pad + "}"


def hcl_key(key: Any) -> str:
    text = str(key)
    ident = text[:1].isalpha() and text.replace("_", "").replace("-", "").isalnum()
    return text if ident and text.isascii() else hcl_string(text)


def hcl_block(block: Block, pad: str = "") -> str:
    inner = pad + "  "
    labels = "".join(f" {hcl_string(label)}" for label in block.labels)
    lines = [f"{pad}{block.type}{labels} {{"]
    for name, value in block.attrs:
        if isinstance(value, Raw) and value.text.startswith("<<"):
            lines.append(f"{inner}{name} = {value.text}")
        else:
            lines.append(f"{inner}{name} = {hcl_value(value, inner)}")
    lines.extend(hcl_block(b, inner) for b in block.blocks)
    lines.append(pad + "}")
    return "\n".join(lines)


HEREDOCS = (Raw('<<EOT\n{"Version": "2012-10-17", "x": "${var.y}"}\nEOT'),
            Raw("<<-EOT\n    indented\n      more\n    EOT"))


@st.composite
def hcl_bodies(draw: st.DrawFn, type_: str, labels: tuple[str, ...], depth: int) -> Block:
    names = draw(st.lists(IDENTS, max_size=5, unique=True))
    values = st.one_of(HCL_SCALARS, HCL_SCALARS, HCL_TREES, st.sampled_from(HEREDOCS))
    attrs = tuple((n, draw(values)) for n in names)
    blocks: list[Block] = []
    if depth < 2:
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(TF_BLOCKS))
            sub = ((kind, draw(st.sampled_from(TF_BLOCKS))) if kind == "dynamic"
                   else (kind,))
            body = draw(hcl_bodies(sub[0], sub[1:], depth + 1))
            blocks.append(body)
    return Block(type_, labels, attrs, tuple(blocks))


@st.composite
def hcl_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): 1-4 top-level blocks, mostly resources and variables."""
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(("resource", "resource", "variable", "data", "locals",
                                     "module", "provider", "output", "terraform")))
        if kind in ("resource", "data"):
            labels = [draw(st.one_of(st.sampled_from(TF_TYPES), IDENTS)), draw(IDENTS)]
        elif kind in ("variable", "module", "provider", "output"):
            labels = [draw(IDENTS)]
        else:
            labels = []
        if draw(st.integers(0, 9)) == 0:  # a wrong number of labels
            labels = labels[:-1] if labels else [draw(IDENTS)]
        blocks.append(hcl_block(draw(hcl_bodies(kind, tuple(labels), 0))))
    return "x.tf", "\n\n".join(blocks) + "\n"


# .env files ---------------------------------------------------------------------------------

ENV_KEYS = ("OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "DATABASE_URL",
            "LITELLM_MASTER_KEY", "HF_TOKEN", "POSTGRES_PASSWORD", "JWT_SECRET", "PORT",
            "HOST", "DEBUG", "ANONYMIZED_TELEMETRY", "patient_name", "a.b-c")


@st.composite
def env_lines(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return "# " + draw(STRINGS)
    if kind == 1:
        return draw(st.sampled_from((
            "# wardscan:ignore WS-SEC-001: test key", "KEY=v # wardscan:ignore WS-*",
            "# wardscan:ignore", "# wardscan:ignore WS-SEC-001 until 2020-01-01: old",
            "# wardscan:ignore WS-SEC-001 until 2027-13-45: bad date", "")))
    if kind == 2:
        return draw(st.text(max_size=30))
    key = draw(st.one_of(st.sampled_from(ENV_KEYS), NAMES))
    value = draw(STRINGS)
    quote = draw(st.sampled_from(("", '"', "'")))
    export = draw(st.sampled_from(("", "export ")))
    sep = draw(st.sampled_from(("=", " = ", "=\t")))
    return f"{export}{key}{sep}{quote}{value}{quote}"


@st.composite
def env_files(draw: st.DrawFn) -> tuple[str, str]:
    lines = draw(st.lists(env_lines(), max_size=12))
    name = draw(st.sampled_from((".env", ".env.production", "prod.env")))
    return name, draw(st.sampled_from(("\n", "\r\n"))).join(lines)


# Byte-level mutations of the real files ----------------------------------------------------

BOM8 = b"\xef\xbb\xbf"
TOKENS = (  # syntax of the formats read, and what breaks them
    b":", b"-", b"{", b"[", b'"', b"\t", b"&a ", b"*a", b"!!python/object:os.system ",
    b"{{ x }}", b"{{- if .Values.x }}\n", b"\r\n", b"\r", b"}", b"]", b"'", b"${", b"#",
    b"\n- ", b": ", b"<<: *a\n", b"---\n", b"...\n", b"?", b"|", b">-\n", b"!!binary ",
    b"!!set ", b"!!str ", b"%YAML 1.1\n", b"\\", b"# wardscan:ignore WS-*: fuzz\n",
    b" # wardscan:ignore WS-SEC-001 until 2020-01-01: x", b"# wardscan:ignore\n", b"<<EOT\n",
    b"EOT\n", b"= ", b"/*", b"*/", b"\xe2\x80\xa8", b"\xc2\x85", b"null", b"0x1F", b"1e999",
)
BINARY = (b"\x00", BOM8, b"\xff\xfe", b"\xfe\xff", b"\xc3", b"\xff", b"\xed\xa0\x80")
# Weighted by repetition: most mutations keep the file decodable, so the parsers see it.
BYTE_OPS = ("insert",) * 4 + ("delete", "delete", "dup_line", "dup_line", "indent", "indent",
                               "truncate", "ascii_flip", "flip", "binary", "random")
ENCODINGS = ("as is",) * 5 + ("crlf", "cr", "bom", "utf16")


def _line_op(draw: st.DrawFn, buf: bytes, op: str) -> bytes:
    lines = buf.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if op == "dup_line":
        lines.insert(i, lines[i])
    else:  # indent: add or remove leading spaces
        n = draw(st.integers(-4, 4))
        lines[i] = b" " * n + lines[i] if n >= 0 else lines[i][-n:]
    return b"\n".join(lines)


def _encode(draw: st.DrawFn, buf: bytes) -> bytes:
    """Last, the whole file's line ends or encoding may change."""
    how = draw(st.sampled_from(ENCODINGS))
    if how == "crlf":
        return buf.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if how == "cr":
        return buf.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    if how == "bom":
        return BOM8 + buf
    if how == "utf16":
        codec = draw(st.sampled_from(("utf-16", "utf-16-be")))
        out = buf.decode("utf-8", errors="replace").encode(codec)
        return out if out.startswith((b"\xff\xfe", b"\xfe\xff")) else b"\xfe\xff" + out
    return buf


def mutate_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    buf = bytes(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(BYTE_OPS))
        pos = draw(st.integers(0, len(buf)))
        if op in ("flip", "ascii_flip") and pos < len(buf):
            mask = draw(st.integers(1, 127 if op == "ascii_flip" else 255))
            buf = buf[:pos] + bytes([buf[pos] ^ mask]) + buf[pos + 1:]
        elif op == "delete":
            buf = buf[:pos] + buf[pos + draw(st.integers(1, 64)):]
        elif op == "insert":
            buf = buf[:pos] + draw(st.sampled_from(TOKENS)) + buf[pos:]
        elif op == "truncate":
            buf = buf[:pos]
        elif op in ("dup_line", "indent"):
            buf = _line_op(draw, buf, op)
        elif op == "binary":
            buf = buf[:pos] + draw(st.sampled_from(BINARY)) + buf[pos:]
        elif op == "random":
            buf = buf[:pos] + draw(st.binary(min_size=1, max_size=8)) + buf[pos:]
    return _encode(draw, buf)


OTHER_NAMES = ("x.yaml", "x.json", "x.tf", ".env")


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes): a real file, mutated, mostly under its own name."""
    name, data = draw(st.sampled_from(SEED_FILES))
    if draw(st.integers(0, 5)) == 0:
        name = draw(st.sampled_from(OTHER_NAMES))
    data = mutate_bytes(draw, data)
    return name, data


@st.composite
def any_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes) for full scans: any generator above, sometimes byte-mutated."""
    which = draw(st.integers(0, 5))
    if which == 0:
        return draw(mutated_files())
    gen: Callable[[], st.SearchStrategy[tuple[str, str]]] = (
        yaml_files, yaml_files, json_files, hcl_files, env_files)[which - 1]
    name, text = draw(gen())
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        data = mutate_bytes(draw, data)
    return name, data


# The per-file pipeline ----------------------------------------------------------------------

class Env:
    """The rule set, the schema validators and the full-scan folder, built once.

    One object with a short ``repr``, so a failing example's report shows the input, not
    the whole rule set and two JSON schemas.
    """

    def __init__(self, ruleset: RuleSet, folder: Path) -> None:
        self.ruleset = ruleset
        schema = json.loads((ROOT / "scanner" / "schemas" / "report.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        self.report_validator = jsonschema.Draft202012Validator(schema)
        # The SARIF 2.1.0 schema declares draft-04; compiled once, it is slow.
        sarif = json.loads((SHARED / "reference" / "sarif-schema-2.1.0.json").read_text())
        assert sarif["$schema"] == "http://json-schema.org/draft-04/schema#"
        jsonschema.Draft4Validator.check_schema(sarif)
        self.sarif_validator = jsonschema.Draft4Validator(sarif)
        self.valid_tools: set[str] = set()
        self.folder = folder
        shutil.copyfile(GOOD, folder / GOOD.name)
        alone = scan(ScanOptions(paths=(str(folder),), today=TODAY), ruleset)
        assert alone.errors == ()
        (self.good,) = alone.files_scanned  # the good manifest's path as scans report it
        self.reference = [_full(f) for f in alone.findings]  # its findings, scanned alone

    def __repr__(self) -> str:
        return "Env(...)"

    def sarif_errors(self, log: Any) -> list[str]:
        """Schema errors of a SARIF log, fast: each distinct ``tool`` (the rules' help text,
        the same in every case) is validated in full once, and later logs carrying the same
        tool are validated with a minimal tool in its place. Sound because the schema's
        ``run`` has no constraint across its properties (only properties and required)."""
        seen = []
        for run in (log.get("runs") or []) if isinstance(log, dict) else []:
            if isinstance(run, dict):
                key = json.dumps(run.get("tool"), sort_keys=True)
                if key in self.valid_tools:
                    run["tool"] = {"driver": {"name": "wardscan"}}
                else:
                    seen.append(key)
        errors = _schema_errors(self.sarif_validator, log)
        if not errors:
            self.valid_tools.update(seen)
        return errors


@pytest.fixture(scope="module")
def env(ruleset: RuleSet, tmp_path_factory: pytest.TempPathFactory) -> Env:
    return Env(ruleset, tmp_path_factory.mktemp("fullscan"))


def _full(f: Finding) -> tuple[Any, ...]:
    """Every field of a finding (``==`` on findings compares only location and rule)."""
    return dataclasses.astuple(f)


def scan_one(env: Env, name: str, data: bytes) -> None:
    """Decode as ``read_text`` does, scan one file, resolve cross-file links and inventory.

    Only ``ParseError`` may escape (it becomes the file's reported error); anything else
    fails the test. Findings point into the file, at a line >= 1.
    """
    per_file = FileScanner(env.ruleset, OPTIONS)
    try:
        text = _decode(data, name)
        findings, count = per_file.scan_text(name, text)
    except ParseError as exc:
        assert exc.message
        assert exc.line is None or exc.line >= 1, exc
        return
    assert count >= 0
    findings = findings + per_file.cross.resolve()
    per_file.cross.inventory()
    for f in findings:
        assert f.location.path == name, f
        assert f.location.line >= 1, f


def _encoded(case: tuple[str, str]) -> tuple[str, bytes]:
    """A generated text as the bytes a file holds (a lone surrogate stays invalid UTF-8)."""
    return case[0], case[1].encode("utf-8", errors="surrogatepass")


@fuzz_settings(600)
@given(case=yaml_files())
def test_yaml_documents(env: Env, case: tuple[str, str]) -> None:
    scan_one(env, *_encoded(case))


@fuzz_settings(400)
@given(case=json_files())
def test_json_documents(env: Env, case: tuple[str, str]) -> None:
    scan_one(env, *_encoded(case))


@fuzz_settings(400)
@given(case=hcl_files())
def test_hcl_files(env: Env, case: tuple[str, str]) -> None:
    scan_one(env, *_encoded(case))


@fuzz_settings(300)
@given(case=env_files())
def test_dotenv_files(env: Env, case: tuple[str, str]) -> None:
    scan_one(env, *_encoded(case))


@fuzz_settings(1500)
@given(case=mutated_files())
def test_mutated_real_files(env: Env, case: tuple[str, bytes]) -> None:
    scan_one(env, *case)


# Full scans and every report format --------------------------------------------------------

def _schema_errors(validator: Any, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def check_reports(env: Env, result: ScanResult) -> None:
    """Every format renders; JSON and SARIF are schema-valid; JUnit is XML."""
    out = {name: get_renderer(name)(result, RenderSettings()) for name in FORMATS}
    for name, text in out.items():
        assert isinstance(text, str), name
        text.encode("utf-8")  # the CLI writes every report as UTF-8
    assert _schema_errors(env.report_validator, json.loads(out["json"])) == []
    assert env.sarif_errors(json.loads(out["sarif"])) == []
    ET.fromstring(out["junit"].encode("utf-8"))


@fuzz_settings(400)
@given(case=any_files())
def test_full_scan_reports(env: Env, case: tuple[str, bytes]) -> None:
    name, data = case
    fuzzed = env.folder / "fuzzed" / name  # a folder of its own: any name may be drawn
    fuzzed.parent.mkdir(exist_ok=True)
    fuzzed.write_bytes(data)
    try:
        result = scan(ScanOptions(paths=(str(env.folder),), today=TODAY), env.ruleset)
    finally:
        fuzzed.unlink()
    assert len(result.files_scanned) == 2, result.files_scanned
    assert env.good not in {e.path for e in result.errors}
    check_reports(env, result)
    good = [_full(f) for f in result.findings if f.location.path == env.good]
    assert good == env.reference
