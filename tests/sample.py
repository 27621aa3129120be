"""One fixed ScanResult shared by the formatter tests."""

from __future__ import annotations

from scanner.models import (
    FileError,
    Finding,
    InventoryItem,
    Location,
    PackInfo,
    Reference,
    ScanResult,
    Severity,
)

DIGEST = "sha256:" + "ab" * 32
LII = "https://www.law.cornell.edu/cfr/text/45/"


def sample_result() -> ScanResult:
    findings = (
        Finding(
            location=Location("deploy/bot.yaml", 12, 5), rule_id="WS-PRIV-BA-001",
            severity=Severity.CRITICAL, title="Vendor receives PHI without a signed BAA",
            message="bot: vendor openai receives PHI but has no signed BAA",
            resource="AIDeployment/bot",
            references=(Reference("hipaa", "164.502(e)", LII + "164.502"),
                        Reference("owasp-llm-2025", "LLM02:2025")),
            remediation=("Sign a BAA with the vendor before sending PHI.\n\n"
                         "  vendors:\n  - baa: {signed: true}"),
        ),
        Finding(
            location=Location("deploy/bot.yaml", 30, 3), rule_id="WS-HIPAA-AUD-001",
            severity=Severity.HIGH, title="Audit logging is not enabled",
            message="bot: logging.audit.enabled is not true",
            resource="AIDeployment/bot",
            references=(Reference("hipaa", "164.312(b)"), Reference("hipaa", "164.502(e)")),
            remediation="Turn on audit logging: set logging.audit.enabled to true.",
        ),
        Finding(
            location=Location("deploy/other.yaml", 4, 1), rule_id="WS-HIPAA-AC-005",
            severity=Severity.LOW, title="No automatic logoff",
            message="other: no idle timeout", resource="AIDeployment/other",
            references=(Reference("hipaa", "164.312(a)(2)(iii)"),),
            remediation="Set security.session.idle_timeout_minutes to 15.",
            related=(Location("deploy/svc.yaml", 9, 3),),
        ),
    )
    return ScanResult(
        tool_version="0.1.0",
        findings=findings,
        errors=(FileError("deploy/broken.yaml", "invalid YAML: did not find expected key", 7),),
        files_scanned=("deploy/bot.yaml", "deploy/broken.yaml", "deploy/other.yaml"),
        packs=(PackInfo("hipaa-security", "HIPAA", "1.0.0", "builtin:hipaa-security.yaml",
                        DIGEST, 23),),
        rules_run=23,
        fail_on=Severity.HIGH,
        resources=2,
        inventory=(
            InventoryItem(Location("deploy/other.yaml", 20, 11), "ollama", "Deployment/ollama",
                          "Service/ollama-lb (LoadBalancer) at deploy/svc.yaml:9"),
            InventoryItem(Location("deploy/other.yaml", 40, 11), "vllm", "Deployment/vllm"),
        ),
    )
