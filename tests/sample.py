"""One fixed ScanResult shared by the formatter tests."""

from __future__ import annotations

from scanner.models import (
    ComplianceReport,
    ControlResult,
    FileError,
    Finding,
    InventoryItem,
    Location,
    PackInfo,
    Reference,
    RuleInfo,
    ScanResult,
    Severity,
    Suppression,
)

DIGEST = "sha256:" + "ab" * 32
LII = "https://www.law.cornell.edu/cfr/text/45/"


RULES = (
    RuleInfo("WS-HIPAA-AC-005", "No automatic logoff", Severity.LOW,
             "Checks for an idle timeout.", "Unattended sessions expose PHI.",
             "Set security.session.idle_timeout_minutes to 15.",
             (Reference("hipaa", "164.312(a)(2)(iii)", LII + "164.312"),), "hipaa-security"),
    RuleInfo("WS-HIPAA-AUD-001", "Audit logging is not enabled", Severity.HIGH,
             "Checks that audit logging is on.", "Without audit logs nobody can tell who read PHI.",
             "Turn on audit logging: set logging.audit.enabled to true.",
             (Reference("hipaa", "164.312(b)", LII + "164.312"),
              Reference("nist-800-53", "AU-2")), "hipaa-security", ("audit",)),
    RuleInfo("WS-HIPAA-ENC-001", "ePHI at rest is not encrypted", Severity.HIGH,
             "Checks encryption at rest.", "Unencrypted disks leak PHI when lost.",
             "Enable encryption at rest.", (Reference("hipaa", "164.312(a)(2)(iv)"),),
             "hipaa-security"),
    RuleInfo("WS-PRIV-BA-001", "Vendor receives PHI without a signed BAA", Severity.CRITICAL,
             "Checks BAAs with vendors.", "A vendor without a BAA may not receive PHI.",
             "Sign a BAA with the vendor before sending PHI.",
             (Reference("hipaa", "164.502(e)", LII + "164.502"),
              Reference("owasp-llm-2025", "LLM02:2025")), "phi-ai-governance"),
)


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
            fingerprint="0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        ),
        Finding(
            location=Location("deploy/bot.yaml", 30, 3), rule_id="WS-HIPAA-AUD-001",
            severity=Severity.HIGH, title="Audit logging is not enabled",
            message="bot: logging.audit.enabled is not true",
            resource="AIDeployment/bot",
            references=(Reference("hipaa", "164.312(b)"), Reference("hipaa", "164.502(e)")),
            remediation="Turn on audit logging: set logging.audit.enabled to true.",
            fingerprint="1b2c3d4e5f60718293a4b5c6d7e8f90a",
        ),
        Finding(
            location=Location("deploy/bot.yaml", 41, 7), rule_id="WS-HIPAA-AC-005",
            severity=Severity.LOW, title="No automatic logoff",
            message="bot: idle timeout is 60 minutes", resource="AIDeployment/bot",
            references=(Reference("hipaa", "164.312(a)(2)(iii)"),),
            remediation="Set security.session.idle_timeout_minutes to 15.",
            fingerprint="2c3d4e5f60718293a4b5c6d7e8f90a1b",
            suppression=Suppression("inline", "kiosk mode, screen locks after 5 minutes",
                                    "2027-06-30", Location("deploy/bot.yaml", 40, 7)),
        ),
        Finding(
            location=Location("deploy/other.yaml", 4, 1), rule_id="WS-HIPAA-AC-005",
            severity=Severity.LOW, title="No automatic logoff",
            message="other: no idle timeout", resource="AIDeployment/other",
            references=(Reference("hipaa", "164.312(a)(2)(iii)"),),
            remediation="Set security.session.idle_timeout_minutes to 15.",
            related=(Location("deploy/svc.yaml", 9, 3),),
            fingerprint="3d4e5f60718293a4b5c6d7e8f90a1b2c",
        ),
    )
    return ScanResult(
        tool_version="0.1.0",
        findings=findings,
        errors=(FileError("deploy/broken.yaml", "invalid YAML: did not find expected key", 7),),
        files_scanned=("deploy/bot.yaml", "deploy/broken.yaml", "deploy/other.yaml"),
        packs=(PackInfo("hipaa-security", "HIPAA", "1.0.0", "builtin:hipaa-security.yaml",
                        DIGEST, 23),),
        rules_run=4,
        fail_on=Severity.HIGH,
        resources=2,
        rules=RULES,
        compliance=(ComplianceReport("hipaa", "HIPAA (sample)", (
            ControlResult("164.312(a)(2)(iii)", "Automatic logoff", "failed",
                          ("WS-HIPAA-AC-005",), 1, 1),
            ControlResult("164.312(a)(2)(iv)", "Encryption and decryption", "met",
                          ("WS-HIPAA-ENC-001",)),
            ControlResult("164.312(b)", "Audit controls", "failed", ("WS-HIPAA-AUD-001",), 1),
            ControlResult("164.312(c)(2)", "Mechanism to authenticate ePHI", "not applicable",
                          ("WS-HIPAA-INT-001",)),
            ControlResult("NPRM-MFA", "MFA", "not checked", (), proposed=True),
        )),),
        inventory=(
            InventoryItem(Location("deploy/other.yaml", 20, 11), "ollama", "Deployment/ollama",
                          "Service/ollama-lb (LoadBalancer) at deploy/svc.yaml:9"),
            InventoryItem(Location("deploy/other.yaml", 40, 11), "vllm", "Deployment/vllm"),
        ),
    )
