"""The detector library: every provider format, every PHI class, placeholders, references,
allow-lists, and masking that never repeats the original.

Fake keys come from a seeded generator at import time, so the repository holds no literal that
looks like a live key and the tests are reproducible. Tests named ``test_out_of_scope_*`` pin
what is deliberately not detected, so widening a detector is a visible decision.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from scanner.detectors.phi import ALWAYS_REPORTED, PATIENT_TEXT_ONLY, find_phi, luhn_ok, ssn_ok
from scanner.detectors.redact import mask, mask_phi, redact
from scanner.detectors.secrets import (
    PROVIDER_KINDS,
    Match,
    entropy,
    find_assignments,
    find_default_credential,
    find_secret_assignment,
    find_secrets,
    is_placeholder,
    is_reference,
    is_secret_name,
    looks_random,
)

RNG = random.Random(20261127)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
UPPER_B32 = string.ascii_uppercase + "234567"


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


# kind -> generator-built fake in the exact gitleaks shape (domain.md §6.2).
FAKES: dict[str, tuple[str, str]] = {
    "anthropic": ("anthropic-api-key", "sk-ant-api03-" + rand(URLSAFE, 93) + "AA"),
    "anthropic-admin": ("anthropic-admin-api-key", "sk-ant-admin01-" + rand(URLSAFE, 93) + "AA"),
    "openai-proj": ("openai-api-key", "sk-proj-" + rand(URLSAFE, 74) + "T3BlbkFJ"
                    + rand(URLSAFE, 74)),
    "openai-svcacct": ("openai-api-key", "sk-svcacct-" + rand(URLSAFE, 58) + "T3BlbkFJ"
                       + rand(URLSAFE, 58)),
    "openai-admin": ("openai-api-key", "sk-admin-" + rand(URLSAFE, 58) + "T3BlbkFJ"
                     + rand(URLSAFE, 74)),
    "openai-legacy": ("openai-api-key", "sk-" + rand(ALNUM, 20) + "T3BlbkFJ" + rand(ALNUM, 20)),
    "huggingface": ("huggingface-token", "hf_" + rand(string.ascii_letters, 34)),
    "huggingface-org": ("huggingface-org-token", "api_org_" + rand(string.ascii_letters, 34)),
    "aws-akia": ("aws-access-key-id", "AKIA" + rand(UPPER_B32, 16)),
    "aws-asia": ("aws-access-key-id", "ASIA" + rand(UPPER_B32, 16)),
    "aws-a3t": ("aws-access-key-id", "A3TX" + rand(UPPER_B32, 16)),
    "bedrock-long": ("aws-bedrock-api-key", "ABSK" + rand(ALNUM + "+/", 140) + "="),
    "bedrock-short": ("aws-bedrock-api-key", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t"
                      + rand(ALNUM, 400)),
    "google": ("google-api-key", "AIza" + rand(URLSAFE, 35)),
    "azure": ("azure-ad-client-secret", rand(ALNUM, 3) + "8Q~" + rand(ALNUM + "_~.-", 32)),
    "perplexity": ("perplexity-api-key", "pplx-" + rand(ALNUM, 48)),
}
CONTEXTS = ["{}", "KEY={}\n", 'api_key: "{}"\n', '{{"key": "{}", "x": 1}}', "'{}';",
            "Authorization: Bearer {}\\n", "--api-key={} --port 8000", "`{}`"]


def only(matches: list[Match]) -> Match:
    assert len(matches) == 1, matches
    return matches[0]


# --- Provider formats ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FAKES))
@pytest.mark.parametrize("context", CONTEXTS)
def test_every_provider_format_is_found_in_context(name: str, context: str) -> None:
    kind, key = FAKES[name]
    text = context.format(key)
    m = only(find_secrets(text))
    assert (m.kind, m.value) == (kind, key)
    assert text[m.start:m.end] == key
    assert m.label


def test_provider_kinds_are_the_documented_ones() -> None:
    assert {kind for kind, _ in FAKES.values()} == PROVIDER_KINDS


@pytest.mark.parametrize("name", sorted(FAKES))
def test_a_key_inside_a_longer_token_is_not_a_key(name: str) -> None:
    key = FAKES[name][1]
    assert find_secrets("Z9" + key + "Z9z") == []


def test_anthropic_is_matched_before_any_generic_sk_rule() -> None:
    key = FAKES["anthropic"][1]
    assert only(find_secrets(f"LITELLM_MASTER_KEY={key}")).kind == "anthropic-api-key"


@pytest.mark.parametrize("fake", [
    "AKIAIOSFODNN7EXAMPLE",                                       # the AWS documentation key
    "ASIAEXAMPLEEXAMPLEAB",
    "sk-ant-api03-" + "A" * 93 + "AA",                            # all-same-character body
    "sk-ant-api03-" + rand(URLSAFE, 40) + "EXAMPLE" + rand(URLSAFE, 46) + "AA",
    "hf_" + "a" * 34,
    "hf_" + "abcdefghijklmnopqrstuvwxyzabcdefgh",                  # a sequence, not a key
    "AIza" + "0" * 35,
    "pplx-" + "x" * 48,
    "pplx-" + rand(ALNUM, 20) + "xxxx" + rand(ALNUM, 24),
    "sk-proj-" + "A" * 74 + "T3BlbkFJ" + "B" * 74,
    "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",                # the bare prefix in docs
    "ABSK" + "Q" * 120,
])
def test_documentation_examples_and_fakes_are_allow_listed(fake: str) -> None:
    assert find_secrets(f"KEY={fake}\n") == []


def test_a_provider_shape_inside_a_pem_body_is_reported_once_as_the_key() -> None:
    google = FAKES["google"][1]
    key = pem("").replace("\n", f"\n/{google}+", 1)
    assert [m.kind for m in find_secrets(key)] == ["private-key"]


def test_truncated_samples_are_not_reported() -> None:
    key = FAKES["perplexity"][1]
    assert find_secrets(f"PPLX_API_KEY={key}...") == []
    assert find_secrets(f"PPLX_API_KEY={key}\u2026") == []


def test_out_of_scope_provider_shapes() -> None:
    # Not in domain.md §6.2: left to the secret-named assignment detector.
    aws_secret = rand(ALNUM + "/+", 40)
    assert find_secrets(f"{aws_secret}\n") == []
    assert find_secrets("sk-" + rand(ALNUM, 48)) == []      # pre-2023 OpenAI shape without marker
    assert find_secrets("eyJhbGciOiJIUzI1NiJ9." + rand(URLSAFE, 40) + "." + rand(URLSAFE, 43)) == []
    assert find_secrets("ghp_" + rand(ALNUM, 36)) == []


# --- PEM private keys ------------------------------------------------------------------------

def pem(kind: str = "RSA ", lines: int = 8, block: str = "") -> str:
    body = "\n".join(base64.b64encode(RNG.randbytes(48)).decode() for _ in range(lines))
    marker = f"{kind}PRIVATE KEY{block}-----"
    return f"-----BEGIN {marker}\n{body}\n-----END {marker}"


@pytest.mark.parametrize(("kind", "block", "label"), [
    ("RSA ", "", "RSA private key"), ("", "", "PEM private key"), ("EC ", "", "EC private key"),
    ("OPENSSH ", "", "OPENSSH private key"), ("ENCRYPTED ", "", "Encrypted private key"),
    ("PGP ", " BLOCK", "PGP private key"),
])
def test_private_key_blocks_are_reported_whole(kind: str, block: str, label: str) -> None:
    key = pem(kind, block=block)
    text = f"tls:\n  key: |\n{key}\nnext: 1\n"
    m = only(find_secrets(text))
    assert (m.kind, m.label, m.value) == ("private-key", label, key)


def test_json_escaped_private_key_in_a_service_account_file() -> None:
    key = pem("").replace("\n", "\\n")
    text = '{"type": "service_account", "private_key": "' + key + '\\n", "client_email": "x"}'
    assert only(find_secrets(text)).value == key


def test_encrypted_pem_headers_are_allowed_in_the_body() -> None:
    key = pem("RSA ").replace("KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\n"
                              "DEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n", 1)
    assert only(find_secrets(key)).kind == "private-key"


@pytest.mark.parametrize("text", [
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n{{ .Values.tls.key }}\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n" + rand(ALNUM, 200),                     # no END marker
    pem().replace("PRIVATE KEY", "PUBLIC KEY"),
    pem().replace("RSA PRIVATE KEY", "CERTIFICATE"),
])
def test_pem_markers_without_a_real_body_are_not_reported(text: str) -> None:
    assert find_secrets(text) == []


# --- Connection strings and defaults ---------------------------------------------------------

@pytest.mark.parametrize(("text", "password"), [
    ("DATABASE_URL=postgresql://mlflow:Hx7-qP2vR9@db.internal:5432/mlflow", "Hx7-qP2vR9"),
    ("mongodb+srv://svc:n8Vq4TzL@cluster0.abcd.mongodb.net/phi", "n8Vq4TzL"),
    ("redis://:r3dis-Pw-91@redis-master:6379/0", "r3dis-Pw-91"),
    ("postgres://postgres:postgres@db:5432/x", "postgres"),
    ("https://bot:Kq2@vN8x@git.internal/repo.git", "Kq2@vN8x"),
    ("Server=sql01;Database=ehr;User Id=sa;Password=Hosp1tal!2024;", "Hosp1tal!2024"),
    ("jdbc:postgresql://db/ehr?user=ai&password=Tq83hVn2", "Tq83hVn2"),
])
def test_connection_string_passwords_report_the_password_only(text: str, password: str) -> None:
    m = only(find_secrets(text))
    assert (m.kind, m.value, text[m.start:m.end]) == ("connection-string-password", password,
                                                       password)


@pytest.mark.parametrize("password", [
    "${DB_PASSWORD}", "$(DB_PASSWORD)", "$DB_PASSWORD", "{{.Values.password}}", "%s",
    "%(password)s", "{password}", "<password>", "***", "xxx", "xxxxxxxx", "password", "PASSWORD",
    "pass", "secret", "changeme", "your_password", "mypassword", "****", "...",
])
def test_connection_string_placeholders_are_skipped(password: str) -> None:
    assert find_secrets(f"postgresql://user:{password}@db:5432/app") == []
    assert find_secrets(f"Server=db;User Id=sa;Password={password};") == []


def test_urls_without_a_password_are_not_credentials() -> None:
    for text in ["https://api.openai.com/v1", "git+ssh://git@github.com/org/repo.git",
                 "http://localhost:8080/path?x=1", "ftp://anonymous@files.example.org/",
                 "see scheme://user:pass@host in the docs"]:
        assert find_secrets(text) == []


@pytest.mark.parametrize(("text", "value"), [
    ("general_settings:\n  master_key: sk-1234\n", "sk-1234"),
    ("MLFLOW_TRACKING_PASSWORD=password1234", "password1234"),
    ("MILVUS_URI=http://root:Milvus@milvus:19530", "root:Milvus"),
    ('client = MilvusClient(uri=URI, token="root:Milvus")', "root:Milvus"),
    ("s3://minioadmin:minioadmin@minio:9000/bucket", "minioadmin:minioadmin"),
    ("http://admin:password1234@mlflow:5000", "admin:password1234"),
    ("postgresql:\n  auth:\n    password: NoTaGrEaTpAsSwOrD\n", "NoTaGrEaTpAsSwOrD"),
])
def test_vendor_defaults_in_text_are_default_credentials(text: str, value: str) -> None:
    m = only(find_secrets(text))
    assert (m.kind, m.value) == ("default-credential", value)


def test_default_credentials_by_name_and_value() -> None:
    for name, value in [("LITELLM_MASTER_KEY", "sk-1234"), ("master_key", " 'sk-1234' "),
                        (None, "password1234"), ("MILVUS_PASSWORD", "Milvus"),
                        ("token", "root:Milvus"), ("MINIO_ROOT_PASSWORD", "minioadmin"),
                        ("secretKey", "minioadmin")]:
        m = find_default_credential(name, value)
        assert m is not None and m.kind == "default-credential", (name, value)
        assert value[m.start:m.end] == m.value
    minio = find_default_credential("MINIO_ROOT_PASSWORD", "minioadmin")
    assert minio is not None and "[U" in minio.label
    for name, value in [(None, "Milvus"), ("product", "Milvus"), ("MINIO_ROOT_USER", "minioadmin"),
                        ("MILVUS_PASSWORD", "milvus"), ("master_key", "sk-12345")]:
        assert find_default_credential(name, value) is None, (name, value)


def test_default_assignment_wins_over_the_generic_check() -> None:
    m = find_secret_assignment("LITELLM_MASTER_KEY", "sk-1234")
    assert m is not None and m.kind == "default-credential"


# --- Secret-named settings -------------------------------------------------------------------

SECRET_NAMES = [
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
    "AWS_SECRET_ACCESS_KEY", "GOOGLE_API_KEY", "AZURE_OPENAI_API_KEY", "LITELLM_MASTER_KEY",
    "LITELLM_SALT_KEY", "master_key", "general_settings.master_key", "apiKey", "api_key",
    "apikey", "x-api-key", "Ocp-Apim-Subscription-Key", "clientSecret", "client_secret",
    "password", "db_passwd", "PGPASSWORD", "POSTGRES_PASSWORD", "DB_PWD", "WEBUI_SECRET_KEY",
    "MLFLOW_FLASK_SERVER_SECRET_KEY", "auth", "basic_auth", "credentials", "tls.key",
    "auth.password", "accessToken", "RAY_AUTH_TOKEN", "JUPYTER_TOKEN", "secret_key_base",
    "QDRANT__SERVICE__API_KEY", "encryption_key", "signing-key", "secretKey", "passphrase",
]
NOT_SECRET_NAMES = [
    "token_limit", "max_tokens", "max_new_tokens", "num_tokens", "TOKENIZER", "TOKENIZER_NAME",
    "PASSWORD_MIN_LENGTH", "key_management", "secret_name", "secretName", "existingSecret",
    "secretKeyRef", "secretKeyRef.key", "AWS_ACCESS_KEY_ID", "api_key_id", "RAY_AUTH_TOKEN_PATH",
    "tls_key_file", "private_key_path", "key", "PWD", "secrets", "tokens", "token_type",
    "token_url", "partition_key", "input_key", "output_key", "text_key", "public_key",
    "NEXT_PUBLIC_API_KEY", "kms_key", "kms_key_id", "secret_id", "api_key_env", "auth_type",
    "WEBUI_AUTH_ENABLED", "password_hash", "csrf_token", "model", "hostname", "",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", NOT_SECRET_NAMES)
def test_names_that_describe_a_secret_are_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)
    assert find_secret_assignment(name, "Xk9pL2mQ7rT4vW8zN3") is None


BENIGN_VALUES = [
    "", "  ", '""', "${OPENAI_API_KEY}", "${{ secrets.OPENAI_API_KEY }}", "$(DB_PASSWORD)",
    "$DB_PASSWORD", "os.environ/OPENAI_API_KEY", "{{ .Values.openai.apiKey }}",
    "{{ secrets.KEY }}", "secretKeyRef", "vault:secret/data/db#password",
    "vault://kv/ai/openai", "op://Clinical AI/OpenAI/credential",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:ai/openai-AbCdEf",
    "projects/ehr-ai/secrets/openai/versions/latest",
    "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/openai)",
    "ENC[AES256_GCM,data:Tr7o=,iv:1ab=,tag:9x=,type:str]", "var.openai_api_key", "%s",
    "%(password)s", "{password}", "<your-api-key>", "<OPENAI_API_KEY>",
    "changeme", "change-me", "CHANGE_ME", "changeit", "your-api-key-here", "YOUR_API_KEY",
    "your_openai_key", "xxxxxxxxxxxxxxxx", "sk-xxxxxxxxxxxxxxxxxxxx", "sk-...", "sk-proj-abc\u2026",
    "***", "********", "dummy", "dummy-key-123", "fake-key", "test", "test-key", "example",
    "sk-example-key-1234567890", "none", "None", "null", "EMPTY", "password", "secret", "todo",
    "TBD", "true", "false", "False", "yes", "12345", "4096", "0.7", "not-needed",
    "sk-no-key-required", "ollama", "mysecretpassword", "supersecret", "super-secret-key",
    "P@ssw0rd", "Passw0rd!",
    "password123", "changeme123", "my-secret-key", "mlflow-db-credentials",
    "mlflow-db-credentials-v2", "OPENAI_API_KEY", "openai-api-key", "gpt-4o-mini",
    "/var/run/secrets/openai/key.json", "./certs/tls.key", "~/.ssh/id_rsa", "C:\\keys\\k.pem",
    "https://api.openai.com/v1", "db.hospital.internal", "redis-master.default.svc.cluster.local",
    "ops@hospital.org", "10.0.0.12", "192.168.100.200", "2024-01-01T00:00:00Z",
    "HospitalAdministrator", "administrator", "cGFzc3dvcmQ=", "Y2hhbmdlbWU=", "s3cr3t",
    "hunter2", "basic", "oidc",
    "Bearer ${TOKEN}", "correct horse battery staple", "00000000-0000-0000-0000-000000000000",
    "aaaaaaaaaaaaaaaa", "1234567890abcdef", "nvidia.com/gpu", "docs.ray.io/en/latest/x.html",
    "db.internal:5432", "argon2:$argon2id$v=19$m=10240,t=10,p=8$c2FsdA$aGFzaA",
    "sha1:c0ffee:1a2b3c4d5e6f7a8b9c0d",
    "$2b$12$KIXQJX9x8x5n1JH6b6tYcOmS1kq8lDkq3Jv0QyQyQyQyQyQyQyQy",
    "get_secret('openai')", "os.getenv('OPENAI_API_KEY')", "{env.WEBUI_SECRET_KEY.value}",
    "sk-proj-abc123", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG",
]


@pytest.mark.parametrize("value", BENIGN_VALUES)
def test_placeholders_references_and_non_secrets_never_fire(value: str) -> None:
    for name in ("OPENAI_API_KEY", "password", "client_secret", "HF_TOKEN"):
        assert find_secret_assignment(name, value) is None, (name, value)


REAL_LOOKING = [
    rand(ALNUM, 16), rand(ALNUM, 32), rand(string.hexdigits.lower()[:16], 32),
    rand(ALNUM + "/+", 40), "Hosp1tal!2024", "t9#Lq2vX", "correct-horse-battery-staple-97!",
    "8f14e45f-ceea-467f-a9c4-3d1b5c6a2e07", "k8s-9f8a7b6c5d4e3f2a", "XkQpLmTrWvZsNd",
]


@pytest.mark.parametrize("value", REAL_LOOKING)
def test_real_looking_literals_under_secret_names_fire(value: str) -> None:
    m = find_secret_assignment("WEBUI_SECRET_KEY", f' "{value}" ')
    assert m is not None and m.kind == "secret-assignment"
    assert m.value == value and f' "{value}" '[m.start:m.end] == value


def test_a_provider_key_under_a_secret_name_keeps_its_provider_kind() -> None:
    kind, key = FAKES["huggingface"]
    m = find_secret_assignment("HF_TOKEN", key)
    assert m is not None and (m.kind, m.value) == (kind, key)


def test_base64_kubernetes_secret_data_is_judged_by_its_content() -> None:
    encoded = base64.b64encode(b"Hosp1tal!2024").decode()
    m = find_secret_assignment("password", encoded)
    assert m is not None and "base64" in m.label and m.value == encoded
    assert find_secret_assignment("password", base64.b64encode(b"changeme").decode()) is None


def test_value_classifiers_directly() -> None:
    assert is_reference("${X}") and is_reference("os.environ/X") and not is_reference("abc$def")
    assert is_placeholder("your-key-here") and not is_placeholder(rand(ALNUM, 20))
    assert looks_random("Hosp1tal!2024") and not looks_random("hospital-admin")


def test_entropy_values() -> None:
    assert entropy("") == 0.0 and entropy("aaaa") == 0.0
    assert entropy("ab") == pytest.approx(1.0)
    assert entropy(string.ascii_letters + string.digits) == pytest.approx(5.954, abs=1e-3)


def test_assignments_in_free_text_have_text_offsets() -> None:
    text = "set WEBUI_SECRET_KEY=Xk9pL2mQ7rT4vW8zN3 and token_limit=4096 and password: changeme"
    m = only(find_assignments(text))
    assert text[m.start:m.end] == "Xk9pL2mQ7rT4vW8zN3"


# --- PHI -------------------------------------------------------------------------------------

def phi_kinds(text: str, patient_text: bool = False) -> list[tuple[str, str]]:
    return [(m.kind, m.value) for m in find_phi(text, patient_text=patient_text)]


def npi(base: str) -> str:
    return next(base + d for d in string.digits if luhn_ok("80840" + base + d))


@pytest.mark.parametrize(("text", "expected"), [
    ("patient ssn 372-81-4069 admitted", [("ssn", "372-81-4069")]),
    ("SSN: 372 81 4069", [("ssn", "372 81 4069")]),
    ('"social_security_number": "372814069"', [("ssn", "372814069")]),
    ("MRN: 00482913", [("mrn", "00482913")]),
    ('{"mrn": "A7734201"}', [("mrn", "A7734201")]),
    ("patient_mrn=7734201", [("mrn", "7734201")]),
    ("Medical Record Number: 55123876", [("mrn", "55123876")]),
    ("MR# 4471203", [("mrn", "4471203")]),
    ("Member ID: XYZ482913307", [("health-plan-id", "XYZ482913307")]),
    ("subscriber_id: W918273645", [("health-plan-id", "W918273645")]),
    ("medicaid number 440918273", [("health-plan-id", "440918273")]),
    ("MBI 7WH2-QX9-PN41", [("health-plan-id", "7WH2-QX9-PN41")]),
    ("mbi=7WH2QX9PN41", [("health-plan-id", "7WH2QX9PN41")]),
    ("DOB: 03/12/1984", [("dob", "03/12/1984")]),
    ('"date_of_birth": "1984-03-12"', [("dob", "1984-03-12")]),
    ("born on March 12, 1984", [("dob", "March 12, 1984")]),
    ("birthDate: 12-Mar-1984", [("dob", "12-Mar-1984")]),
    ("D.O.B. 7/4/56", [("dob", "7/4/56")]),
])
def test_always_reported_phi(text: str, expected: list[tuple[str, str]]) -> None:
    assert phi_kinds(text) == expected


def test_npi_needs_label_and_check_digit() -> None:
    good = npi("124531959")
    assert phi_kinds(f"NPI: {good}") == [("npi", good)]
    assert phi_kinds(f"npi_number={good}") == [("npi", good)]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert phi_kinds(f"NPI: {bad}") == []
    assert phi_kinds(f"provider {good}") == []               # unlabelled
    assert phi_kinds("NPI: 1234567893") == []                # the CMS example
    assert phi_kinds(f"NPI: 3{good[1:]}") == []               # NPIs start with 1 or 2


@pytest.mark.parametrize("text", [
    "000-12-3456", "666-12-3456", "900-12-3456", "987-65-4321", "372-00-4069", "372-81-0000",
    "078-05-1120", "219-09-9999", "123-45-6789", "111-11-1111",
    "order 1372-81-4069", "372-81-40691", "id-372-81-4069", "tel 372814069",
    "MRN: string", "mrn: pending", "MRN: 12345", "MRN: 0000000", "MRN-00123456", "mrn: XXXXX123",
    "member_id: ABCDEF", "Member ID: 123456789", "1EG4-TE5-MK73", "1EG4TE5MK73",
    "1SB2-QX9-PN41", "7WH2-QX9PN41", "DOB: MM/DD/YYYY", "dob: 13/45/1999", "DOB: 1970-01-01",
    "DOB: 1900-01-01", "dob_format: YYYY-MM-DD", "released 2024-03-12", "date: 03/12/1984",
    "NPI: 12345", "adobe: 03/12/1984",
])
def test_phi_near_misses_are_not_reported(text: str) -> None:
    assert phi_kinds(text) == [], text


def test_ssn_rules_directly() -> None:
    assert ssn_ok("372", "81", "4069")
    assert not any(ssn_ok(*p) for p in [("000", "12", "3456"), ("666", "12", "3456"),
                                        ("950", "12", "3456"), ("372", "00", "4069"),
                                        ("372", "81", "0000"), ("987", "65", "4325")])


PATIENT_NOTE = (
    "Pt called from (617) 432-8810; fax: 617-432-8811. Email jane.doe@gmail.com.\n"
    "Lives at 1234 Beacon Street, Apt 5, Boston, MA 02115. Portal login from 8.8.4.4.\n"
)


def test_contact_phi_only_in_patient_text() -> None:
    assert phi_kinds(PATIENT_NOTE) == []
    assert phi_kinds(PATIENT_NOTE, patient_text=True) == [
        ("phone", "(617) 432-8810"), ("fax", "617-432-8811"), ("email", "jane.doe@gmail.com"),
        ("street-address", "1234 Beacon Street, Apt 5"), ("zip-code", "02115"),
        ("ip-address", "8.8.4.4"),
    ]


@pytest.mark.parametrize("text", [
    "call 617-555-0123", "call (212) 555-0199", "555-0150", "617-911-1234", "6174328810",
    "noreply@hospital.org", "no-reply@hospital.org", "jane@example.com", "a@sub.example.org",
    "x@example.net", "bot@ci.test", "u@host.invalid", "u@localhost", "root@db.local",
    "10.1.2.3", "172.16.4.5", "192.168.1.20", "127.0.0.1", "0.0.0.0", "192.0.2.10",
    "198.51.100.7", "203.0.113.5", "169.254.169.254", "224.0.0.251", "255.255.255.255",
    "100.64.0.1", "version 1.2.3.4.5", "v1.2.3.4", "999.1.1.1", "3 Way handshake",
    "port 8080 on Main", "zip: 1234",
])
def test_contact_near_misses_in_patient_text(text: str) -> None:
    assert phi_kinds(text, patient_text=True) == [], text


def test_each_phi_class_has_a_label_and_the_class_sets_partition() -> None:
    text = "SSN 372-81-4069 MRN: 00482913 " + PATIENT_NOTE
    for m in find_phi(text, patient_text=True):
        assert m.label and m.kind in ALWAYS_REPORTED | PATIENT_TEXT_ONLY
    assert not ALWAYS_REPORTED & PATIENT_TEXT_ONLY


def test_out_of_scope_phi() -> None:
    # Names, cities, ages, account/licence/device/vehicle numbers, URLs, biometrics, photos,
    # IPv6, unlabelled MRNs/NPIs/dates, undashed SSNs without a label and the retired HICN are
    # not pattern-precise and are deliberately not reported.
    text = ("Jane Doe, 94, Boston. Account 88812345. License D1234567. VIN 1HGCM82633A004352. "
            "https://portal.hospital.org/p/123 2001:db8::1 8.8.8.8 admitted 03/12/2024. "
            "372814069 372-81-4069A")
    assert phi_kinds(text) == []


# --- Masking and redaction -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", "abc", "12345678", "abcdefghi", "Hosp1tal!2024",
                                   rand(ALNUM, 17), rand(ALNUM, 18), FAKES["openai-proj"][1]])
def test_mask_never_contains_the_value_and_shows_at_most_a_third(value: str) -> None:
    masked = mask(value)
    assert f"({len(value)} chars)" in masked
    assert not value or value not in masked
    shown = masked[:masked.rfind("(")].strip().replace("\u2026", "")
    assert len(shown) <= len(value) / 3


def test_mask_formats() -> None:
    key = FAKES["openai-proj"][1]
    assert mask(key) == f"{key[:4]}\u2026{key[-2:]} ({len(key)} chars)"
    assert mask("abcdef") == "(6 chars)"
    assert mask_phi("372-81-4069", "ssn") == "[redacted ssn, 11 chars]"
    assert mask("\n" + rand(ALNUM, 30)) == "(31 chars)"


def test_redact_removes_every_secret_and_always_reported_phi() -> None:
    secrets_in = [key for _, key in FAKES.values()]
    block = pem()
    text = (" ".join(f"k{i}={key}" for i, key in enumerate(secrets_in))
            + f"\n{block}\npostgres://ai:Hx7-qP2vR9@db/x WEBUI_SECRET_KEY=Xk9pL2mQ7rT4vW8zN3\n"
            "SSN 372-81-4069, MRN: 00482913, DOB: 03/12/1984, Member ID: XYZ482913307, "
            f"NPI: {npi('124531959')}\n")
    out = redact(text)
    for value in [*secrets_in, block, "Hx7-qP2vR9", "Xk9pL2mQ7rT4vW8zN3", "372-81-4069",
                  "00482913", "03/12/1984", "XYZ482913307", npi("124531959")]:
        assert value not in out
    assert "[redacted ssn, 11 chars]" in out
    assert redact(out) == out


def test_redact_keeps_public_defaults_and_contact_details_readable() -> None:
    text = "master_key is sk-1234; Milvus uses root:Milvus; help desk 617-432-8810, it@hosp.org"
    assert redact(text) == text


def test_redact_of_text_without_findings_is_identity() -> None:
    for text in ["", "image: vllm/vllm-openai:v0.6.3", "OPENAI_API_KEY=${OPENAI_API_KEY}",
                 "password: changeme", "max_tokens: 4096"]:
        assert redact(text) == text


def test_fakes_are_not_allow_listed_by_accident() -> None:
    for _, key in FAKES.values():
        assert "example" not in key.lower() and "xxxx" not in key.lower()
