"""Terraform HCL and plan JSON become located resources, and the cloud-ai pack fires exactly
where a reviewer would, on hand-written snippets and on real files from the shared corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from conftest import ROOT, TODAY

from scanner.adapters.synth import SynthMap, SynthSeq
from scanner.adapters.terraform import adapt_text
from scanner.adapters.terraform_plan import UNKNOWN, detect
from scanner.engine.evaluate import evaluate
from scanner.engine.packs import RuleSet
from scanner.errors import ParseError
from scanner.models import Location, Resource
from scanner.scan import resources_of

CORPUS = ROOT.parent / "shared" / "corpus"

NOTEBOOK = '''\
# a comment
resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = "phi"
  direct_internet_access = "Enabled"
  kms_key_id             = var.kms
  volume_size            = 5
  public                 = true
  nothing                = null
  arn                    = "arn:${var.partition}:x"
  tags = {
    Team   = "ml"
    "a.b"  = 1
  }
  security_groups = [
    "sg-1",
    aws_security_group.nb.id,
  ]
  policy = <<-EOT
    {"Version": "2012-10-17"}
  EOT

  ingress {
    from_port = 1
  }
  ingress {
    from_port = 2
  }
  dynamic "setting" {
    for_each = var.settings
    content {
      name = setting.value
    }
  }
}

variable "api_key" {
  default   = "sk-not-a-real-key"
  sensitive = true
}

data "aws_region" "current" {}
'''


def _one(text: str, path: str = "main.tf") -> Resource:
    resources = adapt_text(text, path)
    assert len(resources) == 1
    return resources[0]


def _at(container: Any, key: Any) -> tuple[int, int]:
    loc = container.locs[key]
    assert isinstance(loc, Location) and loc.path == "main.tf"
    return (loc.line, loc.column)


# ---------------------------------------------------------------- HCL adapter
def test_resource_and_variable_blocks_become_resources() -> None:
    res = adapt_text(NOTEBOOK, "main.tf")
    assert [(r.kind, r.name, r.line) for r in res] == [
        ("terraform/aws_sagemaker_notebook_instance", "aws_sagemaker_notebook_instance.nb", 2),
        ("terraform/variable", "var.api_key", 36),
    ]
    assert dict(res[1].body) == {"default": "sk-not-a-real-key", "sensitive": True}
    assert _at(res[1].body, "default") == (37, 3)


def test_values_are_plain_data_and_references_stay_text() -> None:
    body = _one(NOTEBOOK.split("variable")[0]).body
    assert body["name"] == "phi" and body["direct_internet_access"] == "Enabled"
    assert body["kms_key_id"] == "${var.kms}"
    assert body["arn"] == "arn:${var.partition}:x"
    assert body["volume_size"] == 5 and body["public"] is True and body["nothing"] is None
    assert body["policy"] == '{"Version": "2012-10-17"}\n'  # <<- heredoc, dedented


def test_every_attribute_and_nested_value_has_its_exact_line() -> None:
    body = _one(NOTEBOOK.split("variable")[0]).body
    assert body.origin == Location("main.tf", 2, 1)
    assert _at(body, "name") == (3, 3)
    assert _at(body, "direct_internet_access") == (4, 3)
    assert _at(body, "policy") == (18, 3)  # a heredoc is located at its attribute
    tags = body["tags"]
    assert isinstance(tags, SynthMap) and dict(tags) == {"Team": "ml", "a.b": 1}
    assert _at(body, "tags") == (10, 3)
    assert _at(tags, "Team") == (11, 5) and _at(tags, "a.b") == (12, 5)
    groups = body["security_groups"]
    assert isinstance(groups, SynthSeq)
    assert list(groups) == ["sg-1", "${aws_security_group.nb.id}"]
    assert _at(groups, 0) == (15, 5) and _at(groups, 1) == (16, 5)


def test_nested_blocks_are_always_lists_located_at_each_header() -> None:
    body = _one(NOTEBOOK.split("variable")[0]).body
    ingress = body["ingress"]
    assert isinstance(ingress, SynthSeq) and [dict(i) for i in ingress] == [
        {"from_port": 1}, {"from_port": 2}]
    assert _at(body, "ingress") == (22, 3)
    assert _at(ingress, 0) == (22, 3) and _at(ingress, 1) == (25, 3)
    assert ingress[1].origin == Location("main.tf", 25, 3)
    assert _at(ingress[1], "from_port") == (26, 5)
    single = _one('resource "a_b" "c" {\n  x {\n    y = 1\n  }\n}\n').body
    assert isinstance(single["x"], SynthSeq) and len(single["x"]) == 1


def test_dynamic_block_is_one_item_of_its_type() -> None:
    body = _one(NOTEBOOK.split("variable")[0]).body
    setting = body["setting"]
    assert isinstance(setting, SynthSeq) and "dynamic" not in body
    assert dict(setting[0]) == {"name": "${setting.value}", "_for_each": "${var.settings}"}
    assert _at(body, "setting") == (28, 3) and _at(setting[0], "name") == (31, 7)


def test_crlf_file_keeps_lines_and_clean_values() -> None:
    text = ('resource "google_vertex_ai_endpoint" "e" {\r\n'
            '  name = "x"\r\n\r\n  region = "us"\r\n}\r\n')
    body = _one(text).body
    assert dict(body) == {"name": "x", "region": "us"}
    assert _at(body, "region") == (4, 3)


def test_files_without_resources_give_none() -> None:
    assert adapt_text("", "main.tf") == []
    assert adapt_text('# only\nlocals {\n  a = 1\n}\nmodule "m" {\n  source = "./m"\n}\n',
                      "main.tf") == []


@pytest.mark.parametrize(("text", "line", "words"), [
    ('resource "a" "b" {\n  x = 1\n', 3, "end of file"),
    ('resource "a" "b" {\n  x = 1\n  y = @\n}\n', 3, "unexpected '@'"),
    ('resource "a" "b" {\n  x = \n}\n', 2, "end of line"),
    ('resource "a" "b" {\n  x = 1\n  x = 2\n}\n', 3, "'x' is defined twice"),
    ('resource "a" "b" {\n  x = 1\n  x {\n  }\n}\n', 3, "both an attribute and a block"),
    ("apiVersion: v1\nkind: Pod\n", 1, "unexpected ':'"),
])
def test_invalid_hcl_is_a_one_line_parse_error_with_its_line(text: str, line: int,
                                                             words: str) -> None:
    with pytest.raises(ParseError) as info:
        adapt_text(text, "main.tf")
    err = info.value
    assert (err.path, err.line) == ("main.tf", line)
    assert err.message.startswith("invalid HCL: ") and words in err.message
    assert "\n" not in err.message


def test_absurd_nesting_is_refused_without_a_traceback() -> None:
    text = 'resource "a" "b" {\n  x = ' + "[" * 3000 + "]" * 3000 + "\n}\n"
    with pytest.raises(ParseError, match="nesting too deep"):
        adapt_text(text, "main.tf")


def test_hcl_library_is_imported_only_when_a_tf_file_is_read() -> None:
    code = ("import sys, scanner.scan, scanner.adapters.terraform, scanner.parse.hcl;"
            "print('hcl2' in sys.modules, 'lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- plan JSON adapter
def _plan() -> dict[str, Any]:
    nb = {"address": "aws_sagemaker_notebook_instance.nb", "mode": "managed",
          "type": "aws_sagemaker_notebook_instance", "name": "nb",
          "values": {"direct_internet_access": "Enabled", "subnet_id": None,
                     "root_access": "Disabled"}}
    region = {"address": "data.aws_region.current", "mode": "data", "type": "aws_region",
              "name": "current", "values": {"name": "us-east-1"}}
    ep = {"address": "module.ml.aws_sagemaker_endpoint_configuration.ep", "mode": "managed",
          "type": "aws_sagemaker_endpoint_configuration", "name": "ep",
          "values": {"name": "ep", "production_variants": [{"variant_name": "a"}]}}
    return {
        "format_version": "1.2", "terraform_version": "1.9.5",
        "planned_values": {"root_module": {
            "resources": [nb, region],
            "child_modules": [{"address": "module.ml", "resources": [ep]}]}},
        "resource_changes": [{"address": nb["address"], "change": {
            "actions": ["create"], "after_unknown": {"kms_key_id": True, "arn": True}}}],
    }


def test_plan_detection() -> None:
    assert detect(_plan())
    assert detect({"format_version": "1.0", "values": {}})
    assert not detect({"format_version": "1.0"})
    assert not detect({"planned_values": {}})


def test_plan_resources_come_from_all_modules_with_lines_and_unknowns() -> None:
    text = json.dumps(_plan(), indent=2)
    res = resources_of("plan.json", text)
    assert [(r.kind, r.name) for r in res] == [
        ("terraform/aws_sagemaker_notebook_instance", "aws_sagemaker_notebook_instance.nb"),
        ("terraform/aws_sagemaker_endpoint_configuration",
         "module.ml.aws_sagemaker_endpoint_configuration.ep"),
    ]
    lines = text.splitlines()
    assert '"address": "aws_sagemaker_notebook_instance.nb"' in lines[res[0].line - 1]
    assert res[0].body["kms_key_id"] == UNKNOWN and res[0].body["subnet_id"] is None
    assert res[1].body["production_variants"][0] == {"variant_name": "a"}
    assert '"address": "module.ml.' in lines[res[1].line - 1]


def test_state_json_and_changes_only_plan_are_read() -> None:
    model = {"address": "aws_sagemaker_model.m", "mode": "managed",
             "type": "aws_sagemaker_model", "name": "m",
             "values": {"enable_network_isolation": False}}
    state = {"format_version": "1.0", "terraform_version": "1.9.5",
             "values": {"root_module": {"resources": [model]}}}
    assert [r.name for r in resources_of("state.json", json.dumps(state))] == [
        "aws_sagemaker_model.m"]
    changes = {"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": [
        {"address": "aws_sagemaker_model.m", "mode": "managed", "type": "aws_sagemaker_model",
         "name": "m", "change": {"actions": ["create"], "after": {"name": "m"}}},
        {"address": "aws_sagemaker_model.old", "mode": "managed",
         "type": "aws_sagemaker_model", "name": "old",
         "change": {"actions": ["delete"], "after": None}}]}
    res = resources_of("plan.json", json.dumps(changes, indent=1))
    assert [(r.name, dict(r.body)) for r in res] == [("aws_sagemaker_model.m", {"name": "m"})]


# ---------------------------------------------------------------- findings
@pytest.fixture(scope="module")
def cloud() -> RuleSet:
    from scanner.engine.packs import load_rules

    rules = tuple(r for r in load_rules().rules if r.pack == "cloud-ai")
    assert len(rules) >= 20
    return RuleSet(rules, ())


def _findings(cloud: RuleSet, path: str, text: str) -> list[tuple[str, int]]:
    found = evaluate(resources_of(path, text), cloud, TODAY)
    return sorted((f.rule_id, f.location.line) for f in found)


def test_plan_findings_point_at_the_json_lines(cloud: RuleSet) -> None:
    text = json.dumps(_plan(), indent=2)
    lines = text.splitlines()
    got = _findings(cloud, "plan.json", text)
    assert [rule for rule, _ in got] == ["WS-CLOUD-001", "WS-CLOUD-004", "WS-CLOUD-005"]
    where = {rule: lines[line - 1].strip() for rule, line in got}
    assert where["WS-CLOUD-001"].startswith('"direct_internet_access"')
    assert where["WS-CLOUD-004"].startswith('"subnet_id"')
    assert where["WS-CLOUD-005"].startswith('"values"')  # missing key: its parent mapping
    # kms_key_id is known only after apply: WS-CLOUD-003 must not call it missing
    assert "WS-CLOUD-003" not in where


def test_a_reference_counts_as_a_value(cloud: RuleSet) -> None:
    text = ('resource "aws_sagemaker_notebook_instance" "nb" {\n'
            '  direct_internet_access = "Disabled"\n'
            '  root_access            = "Disabled"\n'
            '  kms_key_id             = var.kms_key_id\n'
            '  subnet_id              = module.vpc.private_subnets[0]\n'
            "}\n")
    assert _findings(cloud, "main.tf", text) == []


CORPUS_FINDINGS = {
    # notebook at 72: direct_internet_access and subnet_id are references (not reported);
    # root_access and kms_key_id are absent. The model's and endpoint's settings are lookups.
    "terraform/sagemaker-young-ook-main.tf": [("WS-CLOUD-002", 72), ("WS-CLOUD-003", 72)],
    # domain without kms_key_id and app_network_access_type (defaults PublicInternetOnly)
    "terraform/sagemaker-domain-pike.tf": [("WS-CLOUD-003", 1), ("WS-CLOUD-023", 1)],
    "terraform/sagemaker-endpoint-config-kms-pike.tf": [],  # kms_key_arn is set
    # agent with neither customer_encryption_key_arn nor guardrail_configuration
    "terraform/bedrock-agent-pike.tf": [("WS-CLOUD-008", 44), ("WS-CLOUD-015", 44)],
    # text delivery comes from a variable (default false): not reported
    "terraform/bedrock-invocation-logging-flaconi-main.tf": [],
    # every setting of the agents and guardrail is a variable or conditional
    "terraform/bedrock-module-main-aws-ia.tf": [],
    # public access, local auth, outbound restriction from variables; identity is dynamic
    "terraform/azure-openai-module-main.tf": [],
    "terraform/vertex-ai-endpoint-cmek-pike.tf": [],  # no rule for endpoints; CMEK set anyway
    # PII policy present, but no content_policy_config: no PROMPT_ATTACK filter
    "healthcare-ai/healthcare-bedrock-pii-guardrail.tf": [("WS-CLOUD-021", 2)],
}


@pytest.mark.parametrize("name", sorted(CORPUS_FINDINGS))
def test_corpus_file_findings_are_exact(cloud: RuleSet, name: str) -> None:
    path = CORPUS / name
    text = path.read_text(encoding="utf-8-sig")
    assert _findings(cloud, str(path), text) == CORPUS_FINDINGS[name]
