"""CI workflow: inline and config suppressions, baselines, config files, filters, several
outputs in one run, sharding and merging."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from scanner.cli import main
from scanner.scan import in_shard

FIXTURES = ROOT / "tests" / "fixtures" / "servers"
AS_OF = ["--as-of", "2026-11-27"]
OLLAMA_SVC = """\
apiVersion: v1
kind: Service
metadata:
  name: ollama-public
  namespace: clinical-ai
spec:
  type: LoadBalancer{comment}
  selector: {{app: ollama}}
  ports: [{{port: 80, targetPort: 11434}}]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, err = run(capsys, "scan", *args, "--format", "json", *AS_OF)
    assert out, err
    return code, json.loads(out)


def ids(data: dict) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(Path(f["file"]).name, f["line"], f["rule_id"]) for f in data["findings"]]


def test_inline_comment_suppresses_with_reason(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    svc = tmp_path / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(
        comment="  # wardscan:ignore WS-WL-K8S-009 until 2027-06-30: WAF in front, SEC-42"))
    code, data = scan_json(capsys, str(svc))
    (f,) = data["findings"]
    assert code == 0
    assert f["suppression"] == {"kind": "inline", "reason": "WAF in front, SEC-42",
                                "expires": "2027-06-30", "file": str(svc), "line": 7}
    assert data["summary"]["findings"] == 0 and data["summary"]["suppressed"] == 1


def test_comment_on_its_own_line_covers_the_next_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    svc = tmp_path / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(comment="").replace(
        "  type: LoadBalancer", "  # wardscan:ignore WS-WL-K8S-009: fronted by the WAF\n"
                                "  type: LoadBalancer"))
    code, data = scan_json(capsys, str(svc))
    assert code == 0 and data["findings"][0]["suppression"]["line"] == 7


def test_expired_suppression_fails_again_and_says_so(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    svc = tmp_path / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(
        comment="  # wardscan:ignore WS-WL-K8S-009 until 2026-01-31: temporary"))
    code, data = scan_json(capsys, str(svc))
    (f,) = data["findings"]
    assert code == 1 and f["suppression"] is None
    assert f["message"].endswith(f"[suppression at {svc}:7 expired on 2026-01-31]")


def test_suppression_without_reason_is_reported(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    svc = tmp_path / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(comment="  # wardscan:ignore WS-WL-K8S-009"))
    code, data = scan_json(capsys, str(svc))
    assert code == 1
    assert ids(data) == [("svc.yaml", 7, "WS-WL-K8S-009"), ("svc.yaml", 7, "WS-SUPPRESS-001")]
    assert all(f["suppression"] is None for f in data["findings"])


def test_annotation_covers_the_object_and_its_workload(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    deploy = (FIXTURES / "ollama-deployment.yaml").read_text().replace(
        "  namespace: clinical-ai\n", "  namespace: clinical-ai\n  annotations:\n"
        "    wardscan.dev/ignore: \"WS-SRV-OLLAMA-001: mTLS sidecar authenticates callers\"\n", 1)
    (tmp_path / "deploy.yaml").write_text(deploy)
    (tmp_path / "svc.yaml").write_text(OLLAMA_SVC.format(comment=""))
    code, data = scan_json(capsys, str(tmp_path))
    sup = {f["rule_id"]: f["suppression"] for f in data["findings"]}
    assert sup["WS-SRV-OLLAMA-001"]["kind"] == "annotation"
    assert sup["WS-SRV-OLLAMA-001"]["reason"] == "mTLS sidecar authenticates callers"
    assert sup["WS-WL-K8S-009"] is None and code == 1


def test_security_teams_can_turn_inline_suppressions_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = tmp_path / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(comment="  # wardscan:ignore WS-WL-K8S-009: trust me"))
    code, data = scan_json(capsys, str(svc), "--no-inline-suppressions")
    assert code == 1 and data["findings"][0]["suppression"] is None
    (tmp_path / ".wardscan.yaml").write_text("inline_suppressions: false\n")
    code, data = scan_json(capsys, str(svc))
    assert code == 1 and data["findings"][0]["suppression"] is None


def test_config_file_found_upward_and_flags_override(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deploy").mkdir()
    svc = tmp_path / "deploy" / "svc.yaml"
    svc.write_text(OLLAMA_SVC.format(comment=""))
    (tmp_path / ".wardscan.yaml").write_text(
        "fail_on: critical\n"
        "suppressions:\n"
        "  - rule: WS-WL-K8S-*\n"
        "    reason: reviewed by the security team\n"
        "    paths: ['*/deploy/*']\n")
    code, data = scan_json(capsys, str(tmp_path / "deploy"))
    assert code == 0
    assert data["findings"][0]["suppression"]["kind"] == "config"
    assert data["scan"]["fail_on"] == "critical"
    code, data = scan_json(capsys, str(svc), "--no-config")
    assert code == 1
    code, out, _err = run(capsys, "config", "show", str(svc), "--fail-on", "high")
    assert code == 0
    assert f"config_file: {tmp_path / '.wardscan.yaml'}\n" in out
    assert "fail_on: high\n" in out


def test_bad_config_is_exit_2_with_line(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / ".wardscan.yaml"
    cfg.write_text("fail_on: high\nfail-on: low\n")
    code, out, err = run(capsys, "scan", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"error: {cfg}:1: (top level): unknown key(s): fail-on\n"
    cfg.write_text("severity: severe\n")
    assert run(capsys, "scan", str(tmp_path))[2] == (
        f"error: {cfg}:1: severity: must be one of: critical, high, medium, low, info\n")


def test_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(FIXTURES)
    _code, data = scan_json(capsys, folder, "--severity", "critical")
    assert {f["rule_id"] for f in data["findings"]} == {
        "WS-SRV-JUP-001", "WS-SRV-OWUI-001", "WS-SRV-TS-001", "WS-SRV-TS-002"}
    _code, data = scan_json(capsys, folder, "--rule", "ws-srv-ts-*", "--skip-rule", "*-003")
    assert {f["rule_id"] for f in data["findings"]} == {"WS-SRV-TS-001", "WS-SRV-TS-002"}
    _code, data = scan_json(capsys, folder, "--pack", "ai-workloads")
    assert [p["id"] for p in data["scan"]["packs"]] == ["ai-workloads"]
    assert ids(data) == [("ollama-lb-service.yaml", 7, "WS-WL-K8S-009")]
    _code, data = scan_json(capsys, folder, "--exclude", "*compose*")
    assert {Path(f).name for f in data["scan"]["files"]} == {
        "mlflow.yaml", "ollama-deployment.yaml", "ollama-lb-service.yaml"}
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURES, copy)
    (copy / ".wardscanignore").write_text("# generated\nmlflow.yaml\n")
    _code, data = scan_json(capsys, str(copy))
    assert "mlflow.yaml" not in {Path(f).name for f in data["scan"]["files"]}
    assert run(capsys, "scan", folder, "--pack", "nope")[2].startswith(
        "error: unknown pack 'nope'; packs: ")


def test_baseline_fails_only_on_new_findings(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a"
    a.mkdir()
    (a / "svc.yaml").write_text(OLLAMA_SVC.format(comment=""))
    base = tmp_path / "base.json"
    code, _out, err = run(capsys, "baseline", "create", str(tmp_path), "-o", str(base))
    assert code == 0 and err == f"wrote {base}: 1 findings baselined\n"
    code, data = scan_json(capsys, str(tmp_path), "--baseline", str(base))
    assert code == 0
    assert data["baseline"] == {"file": str(base), "baselined": 1, "fixed": []}
    # the same resource name in a second file is a new finding
    b = tmp_path / "b"
    b.mkdir()
    (b / "svc.yaml").write_text(OLLAMA_SVC.format(comment=""))
    code, data = scan_json(capsys, str(tmp_path), "--baseline", str(base))
    assert code == 1
    assert [(f["file"], f["suppression"] and f["suppression"]["kind"])
            for f in data["findings"]] == [(str(a / "svc.yaml"), "baseline"),
                                           (str(b / "svc.yaml"), None)]
    # lines moved by an unrelated edit keep the finding baselined; a fix is reported
    (a / "svc.yaml").write_text("# a comment\n" + OLLAMA_SVC.format(comment=""))
    (b / "svc.yaml").unlink()
    code, data = scan_json(capsys, str(tmp_path), "--baseline", str(base))
    assert code == 0 and data["findings"][0]["line"] == 8
    (a / "svc.yaml").write_text(OLLAMA_SVC.format(comment="").replace("LoadBalancer",
                                                                      "ClusterIP"))
    code, data = scan_json(capsys, str(tmp_path), "--baseline", str(base))
    assert code == 0
    assert [e["rule_id"] for e in data["baseline"]["fixed"]] == ["WS-WL-K8S-009"]


def test_bad_baseline_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "b.json"
    base.write_text("{}")
    code, _out, err = run(capsys, "scan", str(FIXTURES), "--baseline", str(base))
    assert code == 2 and err.startswith(f"error: {base}: not a wardscan baseline")


def test_several_outputs_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.json"
    code, out, _err = run(capsys, "scan", str(FIXTURES), *AS_OF,
                          "--output-format", f"json={report}")
    assert code == 1 and out.splitlines()[-1].startswith("FAIL: ")
    assert json.loads(report.read_text())["summary"]["failing"] == 9  # TS-003 is info
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert run(capsys, "scan", str(FIXTURES), "--output-format", "json")[2] == (
        "error: --output-format takes FORMAT=PATH, not 'json'\n")


def test_sharded_scans_merge_into_the_unsharded_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deploy, svc = "ollama-deployment.yaml", "ollama-lb-service.yaml"
    paths = [str(SHARED / "corpus"), str(FIXTURES), str(ROOT / "examples")]
    n = 3
    shard_of = {name: next(k for k in range(1, n + 1) if in_shard(str(FIXTURES / name), k, n))
                for name in (deploy, svc)}
    assert shard_of[deploy] != shard_of[svc], "the cross-file case must span shards"
    parts = []
    for k in range(1, n + 1):
        part = tmp_path / f"shard{k}.json"
        assert run(capsys, "scan", *paths, *AS_OF, "--shard", f"{k}/{n}", "--format", "json",
                   "-o", str(part))[0] == 1
        parts.append(str(part))
    full = tmp_path / "full.json"
    run(capsys, "scan", *paths, *AS_OF, "--format", "json", "-o", str(full))
    merged = tmp_path / "merged.json"
    assert run(capsys, "merge", *parts, "-o", str(merged))[0] == 1
    assert merged.read_text() == full.read_text()
    code, _out, err = run(capsys, "merge", str(full))
    assert code == 2 and "has no linking data" in err
    assert run(capsys, "scan", ".", "--shard", "4/3")[2] == (
        "error: --shard 4/3: K must be between 1 and N\n")


def test_hcl_comment_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('''\
// wardscan:ignore WS-CLOUD-005: encrypted by the account-level default key, see ADR-7
resource "aws_sagemaker_endpoint_configuration" "triage" {
  name = "triage"
}

resource "aws_sagemaker_endpoint_configuration" "notes" {  # wardscan:ignore WS-CLOUD-005
  name = "notes"
}
''')
    code, data = scan_json(capsys, str(tf))
    assert [(f["line"], f["rule_id"], f["suppression"] and f["suppression"]["kind"])
            for f in data["findings"]] == [(2, "WS-CLOUD-005", "inline"),
                                           (6, "WS-CLOUD-005", None),
                                           (6, "WS-SUPPRESS-001", None)]
    assert code == 1


def _two_shards(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                paths: list[str]) -> list[str]:
    """JSON reports of shards 1/2 and 2/2 of ``paths``."""
    parts = []
    for k in (1, 2):
        part = tmp_path / f"s{k}.json"
        run(capsys, "scan", *paths, *AS_OF, "--shard", f"{k}/2", "--format", "json",
            "-o", str(part))
        parts.append(str(part))
    return parts


def test_merge_writes_sarif_like_an_unsharded_scan(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(FIXTURES), str(ROOT / "examples")]
    parts = _two_shards(tmp_path, capsys, paths)
    merged, full = tmp_path / "merged.sarif", tmp_path / "full.sarif"
    run(capsys, "merge", *parts, "--format", "sarif", "-o", str(merged))
    run(capsys, "scan", *paths, *AS_OF, "--format", "sarif", "-o", str(full))
    assert merged.read_text() == full.read_text()


def test_merge_writes_html_like_an_unsharded_scan(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The audit report of a sharded scan still names every manifest and every file digest."""
    paths = [str(FIXTURES), str(ROOT / "examples")]
    parts = _two_shards(tmp_path, capsys, paths)
    merged, full = tmp_path / "merged.html", tmp_path / "full.html"
    run(capsys, "merge", *parts, "--format", "html", "-o", str(merged))
    run(capsys, "scan", *paths, *AS_OF, "--format", "html", "-o", str(full))
    text = full.read_text()
    assert "discharge-summary-assistant" in text and text.count("sha256") > 10
    assert merged.read_text() == text
