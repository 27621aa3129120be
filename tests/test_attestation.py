"""keygen, attest and verify: the round trip, the DSSE and in-toto layouts (fields and the
pre-authentication encoding, checked independently of our code), determinism, redaction, and
that changing one byte of a file, of the payload or of the signature is caught and named."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.cli import main
from scanner.signing import pae
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "scanner" / "schemas" / "attestation-predicate.schema.json")
                    .read_text())
KEY = "sk-proj-" + "Ab3dEf5hIj7lMn9pQr1tUv3xYz5bCd7fGh9jKl1nOp3rSt5vWx7zAb9dEf1hIj3lMn5pQr7t" \
      "Uv9x" + "T3BlbkFJ" + "Yz1bCd3fGh5jKl7nOp9rSt1vWx3zAb5dEf7hIj9lMn1pQr3tUv5xYz7bCd9fGh1j" \
      "Kl3nOp5r"


@pytest.fixture
def vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vendor's folder: the examples, one file with a live-looking key, and a key pair."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    shutil.copytree(ROOT / "examples", tmp_path / "deploy")
    (tmp_path / "deploy" / "gateway.env").write_text(f"OPENAI_API_KEY={KEY}\n")
    assert main(["keygen", "--out", "vendor"]) == 0
    return tmp_path


def _attest(out: str = "att.json", *extra: str) -> int:
    return main(["attest", "deploy", "--key", "vendor.key", "-o", out, "--no-config", *extra])


def _envelope(path: str = "att.json") -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def _statement(env: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(env["payload"]))


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", *args])
    return code, capsys.readouterr().out


def test_keygen_writes_a_private_key_only_its_owner_can_read(vendor: Path) -> None:
    private, public = vendor / "vendor.key", vendor / "vendor.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----\n")
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    before = private.read_bytes()
    assert main(["keygen", "--out", "vendor"]) == 2  # never overwritten silently
    assert private.read_bytes() == before
    assert main(["keygen", "--out", "vendor", "--force"]) == 0
    assert private.read_bytes() != before
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_an_encrypted_key_needs_its_passphrase(vendor: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENDOR_PASS", "correct horse battery staple")
    assert main(["keygen", "--out", "sealed", "--passphrase-env", "VENDOR_PASS"]) == 0
    assert "ENCRYPTED PRIVATE KEY" in (vendor / "sealed.key").read_text()
    assert main(["attest", "deploy", "--key", "sealed.key", "-o", "a.json"]) == 2
    assert main(["attest", "deploy", "--key", "sealed.key", "-o", "a.json",
                 "--passphrase-env", "VENDOR_PASS", "--fail-on", "none"]) == 0
    assert main(["attest", "deploy", "--key", "sealed.key", "-o", "b.json",
                 "--passphrase-env", "UNSET_VARIABLE"]) == 2


def test_round_trip_verifies_signature_files_and_findings(
        vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _attest() == 1  # findings at or above "low": exit 1, attestation still written
    code, out = _verify(capsys, "att.json", "--key", "vendor.pub", "deploy", "--rescan")
    assert code == 0, out
    checks = [line.split()[:2] for line in out.splitlines()[1:7]]
    assert checks == [["ok", "envelope"], ["ok", "payload"], ["ok", "signature"],
                      ["ok", "statement"], ["ok", "files"], ["ok", "findings"]]
    assert out.splitlines()[-1] == "VALID"
    code, out = _verify(capsys, "att.json", "--key", "vendor.pub", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True and data["subjects"] == 4
    assert [c["check"] for c in data["checks"]] == ["envelope", "payload type", "signature",
                                                   "statement"]


def test_envelope_and_statement_follow_dsse_and_in_toto_v1(vendor: Path) -> None:
    _attest()
    env = _envelope()
    assert set(env) == {"payloadType", "payload", "signatures"}
    assert env["payloadType"] == "application/vnd.in-toto+json"
    [sig] = env["signatures"]
    assert set(sig) == {"keyid", "sig"}
    public = serialization.load_pem_public_key((vendor / "vendor.pub").read_bytes())
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    assert sig["keyid"] == hashlib.sha256(der).hexdigest()
    payload = base64.b64decode(env["payload"], validate=True)
    # the pre-authentication encoding, spelled out here rather than taken from our code
    signed = b"DSSEv1 28 application/vnd.in-toto+json " + str(len(payload)).encode() + b" " \
        + payload
    public.verify(base64.b64decode(sig["sig"]), signed)  # type: ignore[union-attr]
    stmt = json.loads(payload)
    assert set(stmt) == {"_type", "subject", "predicateType", "predicate"}
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["predicateType"] == "https://wardscan.dev/attestation/scan/v1"
    expected = [{"name": f"deploy/{p.name}",
                 "digest": {"sha256": hashlib.sha256(p.read_bytes()).hexdigest()}}
                for p in sorted((vendor / "deploy").iterdir())]
    assert stmt["subject"] == expected
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()
                                    ).validate(stmt["predicate"])
    pred = stmt["predicate"]
    assert pred["scanned_at"] == "2026-11-18T11:06:40Z"  # SOURCE_DATE_EPOCH
    assert {c["framework"] for c in pred["compliance"]} >= {"hipaa", "owasp-llm-2025"}
    assert pred["configuration"]["fail_on"] == "low"
    assert {d["name"] for d in pred["deployments"]} == {
        "discharge-summary-assistant", "symptom-checker-bot", "coding-assistant"}


def test_predicate_findings_are_the_json_reports(vendor: Path) -> None:
    _attest()
    assert main(["scan", "deploy", "--format", "json", "-o", "r.json", "--no-config"]) == 1
    report = json.loads(Path("r.json").read_text())
    pred = _statement(_envelope())["predicate"]
    assert pred["findings"] == report["findings"] and pred["summary"] == report["summary"]
    assert pred["packs"] == report["scan"]["packs"]


def test_no_secret_reaches_the_attestation(vendor: Path) -> None:
    _attest()
    raw = Path("att.json").read_bytes()
    payload = base64.b64decode(_envelope()["payload"])
    found = [f for f in json.loads(payload)["predicate"]["findings"]
             if f["file"] == "deploy/gateway.env"]
    assert [f["rule_id"] for f in found] == ["WS-SEC-004"]  # a literal under a secret name
    for blob in (raw, payload):
        assert KEY.encode() not in blob and KEY[10:40].encode() not in blob


def test_attesting_twice_gives_the_same_bytes(vendor: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _attest("a.json")
    _attest("b.json", "--jobs", "2")
    assert Path("a.json").read_bytes() == Path("b.json").read_bytes()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    _attest("c.json")
    a, c = _statement(_envelope("a.json")), _statement(_envelope("c.json"))
    assert a["predicate"].pop("scanned_at") != c["predicate"].pop("scanned_at")
    assert a == c


def test_one_changed_byte_in_a_file_is_named(vendor: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _attest()
    target = vendor / "deploy" / "vendor-llm-partial.yaml"
    data = bytearray(target.read_bytes())
    data[-2] ^= 0x01
    target.write_bytes(bytes(data))
    code, out = _verify(capsys, "att.json", "--key", "vendor.pub", "deploy")
    assert code == 1
    assert "FAIL  files         1 changed (sha256 differs): deploy/vendor-llm-partial.yaml" in out
    assert out.splitlines()[-1].startswith("NOT VALID (files: 1 changed")


def test_added_and_missing_files_are_named(vendor: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _attest()
    (vendor / "deploy" / "gateway.env").unlink()
    (vendor / "deploy" / "extra.yaml").write_text("a: 1\n")
    code, out = _verify(capsys, "att.json", "--key", "vendor.pub", "deploy")
    assert code == 1
    assert ("1 added (not in the attestation): deploy/extra.yaml; 1 missing (attested, not "
            "found): deploy/gateway.env") in out


@pytest.mark.parametrize("field", ["payload", "sig"])
def test_one_changed_byte_of_payload_or_signature_breaks_the_signature(
        vendor: Path, capsys: pytest.CaptureFixture[str], field: str) -> None:
    _attest()
    env = _envelope()
    holder = env if field == "payload" else env["signatures"][0]
    raw = bytearray(base64.b64decode(holder[field]))
    raw[len(raw) // 2] ^= 0x01
    holder[field] = base64.b64encode(bytes(raw)).decode()
    Path("bad.json").write_text(json.dumps(env))
    code, out = _verify(capsys, "bad.json", "--key", "vendor.pub", "deploy")
    assert code == 1
    assert "FAIL  signature     no signature verifies with this key" in out
    assert "files" not in out  # nothing of an unverified payload is used


def test_another_key_is_refused_and_named(vendor: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _attest()
    assert main(["keygen", "--out", "other"]) == 0
    code, out = _verify(capsys, "att.json", "--key", "other.pub")
    assert code == 1 and "(signed by key " in out and "this key is " in out


def test_findings_edited_and_re_signed_are_caught_by_rescan(
        vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A vendor who deletes a finding and signs again passes the signature check; only a
    re-scan shows the findings are not what the files give."""
    from scanner.attestation import payload_bytes
    from scanner.signing import envelope_text, load_private, sign_envelope

    _attest()
    stmt = _statement(_envelope())
    dropped = stmt["predicate"]["findings"].pop(0)
    key, keyid = load_private("vendor.key")
    Path("edited.json").write_text(envelope_text(sign_envelope(payload_bytes(stmt), key, keyid)))
    code, out = _verify(capsys, "edited.json", "--key", "vendor.pub", "deploy")
    assert code == 0  # signature and files hold
    code, out = _verify(capsys, "edited.json", "--key", "vendor.pub", "deploy", "--rescan")
    assert code == 1
    assert (f"FAIL  findings      1 findings of the re-scan are not in the attestation (first: "
            f"{dropped['rule_id']} at {dropped['file']}:{dropped['line']})") in out


def test_another_payload_type_is_refused(vendor: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.signing import envelope_text, load_private, sign_envelope

    _attest()
    payload = base64.b64decode(_envelope()["payload"])
    key, keyid = load_private("vendor.key")
    Path("typed.json").write_text(envelope_text(
        sign_envelope(payload, key, keyid, payload_type="application/json")))
    code, out = _verify(capsys, "typed.json", "--key", "vendor.pub")
    assert code == 1
    assert "FAIL  payload type  payload type is 'application/json'" in out


def test_pae_matches_the_dsse_specification_example() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world")


@pytest.mark.parametrize(("args", "message"), [
    (["verify", "missing.json", "--key", "vendor.pub"], "cannot read attestation"),
    (["verify", "vendor.pub", "--key", "vendor.pub"], "not JSON"),
    (["verify", "att.json", "--key", "att.json"], "not a PEM public key"),
    (["verify", "att.json", "--key", "vendor.pub", "--rescan"], "--rescan needs the PATHS"),
    (["attest", "-", "--key", "vendor.key", "-o", "x.json"], "cannot read stdin"),
    (["attest", "deploy", "--key", "vendor.pub", "-o", "x.json"], "not a PEM private key"),
])
def test_what_cannot_be_checked_exits_2_with_a_reason(
        vendor: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    _attest()
    capsys.readouterr()
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_verifying_from_another_folder_says_where_to_run(
        vendor: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _attest()
    monkeypatch.chdir(vendor / "deploy")
    code, out = _verify(capsys, "../att.json", "--key", "../vendor.pub", ".")
    assert code == 1
    assert ("(the attested names start with 'deploy/': run verify from the folder the "
            "attestation was made in)") in out
    monkeypatch.chdir(vendor)
    code, out = _verify(capsys, "att.json", "--key", "vendor.pub", "deploy/gateway.env")
    assert code == 0
    assert "ok    files         1 file matches its attested sha256; 3 attested files lie " \
           "outside the given paths" in out


def test_deployment_summaries_are_redacted(tmp_path: Path) -> None:
    """What a manifest declares about itself reaches the HTML report and the attestation, so
    a key or an SSN written into its free text is masked like a finding's message."""
    from scanner.adapters.manifest import summary
    from scanner.models import Resource

    part = "Zq7Wm2Rt9Yp4Kx8Nv3Bc6Hd1Lf5Gj0Ts2Qe7Ua9Ox4Iw3Ey8Rr6Mn1Pk5Jh0Sd2Fb7Vc9Xz4Lq3Wt8Nm"
    key = f"sk-proj-{part[:74]}T3BlbkFJ{part[2:76]}"
    body = {"metadata": {"name": "x", "intended_use": f"Use key {key} for patient 536-90-4412",
                         "owner": "team@example.org"},
            "vendors": [{"name": "openai", "service": f"api with {key}"}]}
    got = summary(Resource("AIDeployment", "x", body, "m.yaml", 1))
    assert key not in got.intended_use and "536-90-4412" not in got.intended_use
    assert "[redacted ssn, 11 chars]" in got.intended_use and "sk-p\u2026" in got.intended_use
    assert key not in got.vendors[0].service and got.owner == "team@example.org"
