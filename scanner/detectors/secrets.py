"""Secret detectors: provider key formats, PEM private keys, connection-string passwords,
secret-named assignments and vendor default credentials.

Why precision first: AI-SEC-001 findings are Critical, so a false positive costs trust. Provider
shapes are gitleaks' (domain.md §6.2) with the same boundaries; documentation examples,
placeholders and references to a secret store are never reported.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "PROVIDER_KINDS", "Match", "entropy", "find_assignments", "find_default_credential",
    "find_secret_assignment", "find_secrets", "is_placeholder", "is_reference", "is_secret_name",
    "looks_random",
]


@dataclass(frozen=True, slots=True)
class Match:
    """One detected secret or identifier; ``value`` is ``text[start:end]``, the part to redact."""

    kind: str
    label: str
    start: int
    end: int
    value: str


def entropy(s: str) -> float:
    """Shannon entropy in bits per character: random keys score 4-6, English words 2.5-3.3."""
    n = len(s)
    if n > _TERMS_MAX:
        return -sum(c / n * math.log2(c / n) for c in Counter(s).values())
    return -sum(map(_terms(n).__getitem__, Counter(s).values())) if n else 0.0


_TERMS_MAX = 512


@lru_cache(maxsize=_TERMS_MAX)
def _terms(n: int) -> tuple[float, ...]:
    """``c / n * log2(c / n)`` for each count ``c`` (index 0 unused), computed as the sum
    above computes it, so the entropy is the same float; values of one length share it."""
    return (0.0, *(c / n * math.log2(c / n) for c in range(1, n + 1)))


_A = re.ASCII


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Value and name classification -------------------------------------------------------
# A reference anywhere in the value, and one the value starts with: two patterns, because an
# alternation that mixes ``^`` branches in cannot skip ahead to the characters its other
# branches start with, and ``re`` then tries every branch at every position.
_REFERENCE = re.compile(
    r"\$\{|\$\(|\{\{|\}\}|#\{|%\(\w+\)s|%[sdv](?!\w)|\{[^{}\s]*\}|<[^<>]*>|\$ANSIBLE_VAULT"
    r"|os\.environ|secretKeyRef|valueFrom|@Microsoft\.KeyVault\(", _A)
_REFERENCE_START = re.compile(
    r"\{|%\w+%$|@\w+@$|\$[A-Za-z_]\w*$|ENC\[|!vault"
    r"|(?:vault|op|sm|awssm|gcpsm|azkv|akv|secrets?|env|file|ref|keyvault):|arn:"
    r"|projects/[^/]+/secrets/|(?:var|local|data|module)\.\w"
    r"|[A-Za-z_][\w.]*\("  # a function call: get_secret("x"), os.getenv("X")
    r"|(?:argon2|sha1|sha256|sha512|pbkdf2[\w-]*|bcrypt|scrypt):|\$\$?(?:2[aby]|argon2\w*|[156])\$",
    _A)  # the last line: password hashes (Jupyter, htpasswd, crypt), not plaintext
_PLACEHOLDER = re.compile(
    r"(?i)example|change[-_ ]?(?:me|it|this)|placeholder|dummy|fake|redacted|your[-_ ]|insert[-_ ]"
    r"|replace[-_ ]?(?:me|with|this)|x{4,}|\*{3,}|\.{3}|\u2026|\u2022{2,}|123456|abcdef"
    r"|wJalrXUtnFEMI")  # the last one: the AWS documentation secret access key
# Words that placeholder values are made of ("your-api-key-here", "mysecretpassword",
# "sk-no-key-required", "not-needed"); user and product names are deliberately absent so
# postgres://postgres:postgres@db is still reported.
_VOCAB = _words("""a an the my your our me it this that here there goes go to be is put insert
enter set add replace with change changeme changeit value values placeholder dummy fake mock test
testing tests example examples sample demo dev development local default none null nil empty blank
todo tbd fixme not no needed required used unused ignored ignore any anything something whatever
foo bar baz qux abc xyz qwerty asdf letmein welcome hello world super top very real actual new
generated random string text insecure unsafe please key keys api token tokens secret secrets
password passwd pass pwd passphrase credential credentials cred creds auth access private client
master sk pk hf proj ant org ollama x xx xxx i s""")
_LEET = str.maketrans("@$013457!", "asoieasti")
_NUMBER = re.compile(r"[+-]?[\d.,_:]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PATH_START = re.compile(r"/|\./|\.\./|~/|[A-Za-z]:\\")  # as _REFERENCE_START, for speed
_PATH = re.compile(r"\.(?:pem|key|crt|cer|json|ya?ml|txt|p12|pfx|jks)$|://")
_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/:]\S*)?")
_IDENT = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+|[A-Z0-9]+(?:[-_.][A-Z0-9]+)+")
_WORDY = re.compile(r"(?:[A-Z]?[a-z]{3,}|[A-Z]{3,})+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey")
_CREDENTIAL_LAST = frozenset({"auth", "credential", "credentials", "creds"})
_NOT_SECRET_LAST = _words("""name names id ids arn ref refs reference path paths file files dir
directory url uri urls endpoint host hostname port type kind store provider version manager length
len size limit limits count ttl expiry expires expiration timeout lifetime duration header prefix
suffix enabled required mode policy format backend engine mount location region label selector
source field env var hash hashed digest budget usage""")
_NOT_SECRET_ANY = _words("""existing csrf xsrf max min num use enable disable require rotate
rotation generate auto public publishable""")
_NOT_SECRET_KEY_QUALIFIER = _words("""public pub publishable host foreign primary partition sort
range hash cache routing dedup dedupe idempotency lookup group node topology label selector object
s3 kms cmk input output memory text content metadata embedding vector doc document page context
query question answer response result field column row index unique message translation config
map dict ref verify verification""")


def _name_words(name: str) -> list[str]:
    parts = [p for p in re.split(r"[./:\[\]]+", name.strip().strip("\"'")) if p][-2:]
    words = [[w.lower() for w in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub("_", p)) if w]
             for p in parts]
    if len(words) == 2 and len(words[1]) == 1:  # "tls.key", "auth.password"
        return words[0] + words[1]
    return words[-1] if words else []


@lru_cache(maxsize=8192)  # names repeat across every resource: "name", "image", "HF_TOKEN"
def is_secret_name(name: str) -> bool:
    """Whether a setting NAMED ``name`` holds a secret: ``*_KEY`` (not ``*_KEY_ID``, not
    ``partition_key``/``input_key``), any ``*PASSWORD*``/``*PASSWD*``/``*SECRET*``/``*TOKEN*``
    word, ``apikey``, ``*_pwd``, or a last word ``auth``/``credentials``. Names ending in a
    metadata word (``_NAME``, ``_ID``, ``_PATH``, ``_FILE``, ``_URL``, ``_LENGTH``...) or holding
    ``max``/``min``/``existing``/``csrf`` are not: they describe a secret, they are not one."""
    w = _name_words(name)
    if not w or w[-1] in _NOT_SECRET_LAST or _NOT_SECRET_ANY.intersection(w):
        return False
    if w[-1] == "key":
        return len(w) > 1 and w[-2] not in _NOT_SECRET_KEY_QUALIFIER
    return w[-1] in _CREDENTIAL_LAST or any(
        x.endswith(_SECRET_WORDS) or (x == "pwd" and len(w) > 1) for x in w)


def is_reference(value: str) -> bool:
    """A pointer to a secret rather than the secret: ``${VAR}``, ``$(VAR)``, ``$VAR``,
    ``{{ ... }}``, ``%s``, ``<...>``, ``os.environ/...``, ``secretKeyRef``, ``vault:``, ``op://``,
    ARNs, ``projects/*/secrets/*``, Key Vault references, SOPS ``ENC[...]``, Ansible Vault."""
    v = value.strip().strip("\"'")
    return _REFERENCE_START.match(v) is not None or _REFERENCE.search(v) is not None


def _segments(s: str) -> bool:
    """Whether ``s`` (lower-case ASCII letters and digits, as ``is_placeholder`` makes it)
    splits entirely into placeholder words and digit runs of at most four."""
    if not s or len(s) > 64:
        return False
    n = len(s)
    ok = [True] + [False] * n  # ok[i]: s[:i] splits so
    furthest = 0  # the furthest cut reached so far
    for j in range(n):  # forward from the reachable cuts only: random text has almost none
        if j > furthest:
            return False  # no cut beyond: nothing further can be reached
        if not ok[j]:
            continue
        for word in _VOCAB_BY_FIRST.get(s[j], ()):  # the words that can start here
            if s.startswith(word, j):
                ok[j + len(word)] = True
                furthest = max(furthest, j + len(word))
        k = j
        while k < n and k - j < 4 and "0" <= s[k] <= "9":
            k += 1
            ok[k] = True
            furthest = max(furthest, k)
    return ok[n]


_VOCAB_BY_FIRST: dict[str, tuple[str, ...]] = {
    c: tuple(sorted(w for w in _VOCAB if w[0] == c)) for c in {w[0] for w in _VOCAB}}


def is_placeholder(value: str) -> bool:
    """Documentation filler: empty, one repeated character, masked (``***``, ``xxxx``, ``...``),
    a marker word (example, changeme, dummy, fake, your-, placeholder) or made only of
    placeholder words and short digit runs, also after undoing leetspeak (``P@ssw0rd``)."""
    v = value.strip().strip("\"'")
    core = _NOT_ALNUM.sub("", v.lower())
    leet = _NOT_ALNUM.sub("", v.lower().translate(_LEET))
    return (len(set(core)) <= 1 or bool(_PLACEHOLDER.search(v)) or _segments(core)
            or _segments(leet))


_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_SPACE = re.compile(r"\s")
_PART_SEP = re.compile(r"[-_.]")
_LETTERS = re.compile(r"[A-Za-z_.-]+")
_CLASSES = tuple(map(re.compile, ("[a-z]", "[A-Z]", "[0-9]", "[^A-Za-z0-9]")))


def looks_random(value: str) -> bool:
    """Shape test for a generic secret value. Thresholds: 12+ characters at 3.0+ bits/char
    (random base62 of that length scores ~3.5, English words 2.5-3.3), or 8+ characters with
    three character classes at 2.5+ bits (``Hosp1tal!2024``). Letters-only values need mixed
    case, no word structure and 3.5 bits, since words and identifiers are letters-only.
    Never: whitespace, numbers, dates, paths, URLs, hostnames, kebab/snake identifiers."""
    v = value
    if (len(v) < 8 or _SPACE.search(v) or _NUMBER.fullmatch(v) or _DATE.match(v)
            or _PATH_START.match(v) or _PATH.search(v) or _HOST.fullmatch(v.rsplit("@", 1)[-1])):
        return False
    if _IDENT.fullmatch(v) and all(p.isalpha() or p.isdigit() or len(p) <= 3
                                   for p in _PART_SEP.split(v)):
        return False
    h = entropy(v)
    if _LETTERS.fullmatch(v):
        return (len(v) >= 12 and h >= 3.5 and v.isalpha() and not v.islower()
                and not v.isupper() and not _WORDY.fullmatch(v))
    classes = sum(c.search(v) is not None for c in _CLASSES)
    return (len(v) >= 12 and h >= 3.0) or (classes >= 3 and h >= 2.5)


# --- Provider formats ----------------------------------------------------------------------
# (kind, label, pattern, minimum entropy of the whole match). Minimums follow gitleaks where it
# sets one (AWS 3, OpenAI 3, Azure 3, Google 4); elsewhere 3.0 rejects hand-typed fakes.
_PROVIDERS: tuple[tuple[str, str, re.Pattern[str], float], ...] = (
    ("anthropic-api-key", "Anthropic API key",
     re.compile(r"(?<![\w-])sk-ant-api03-[\w-]{93}AA(?![\w-])", _A), 3.0),
    ("anthropic-admin-api-key", "Anthropic Admin API key",
     re.compile(r"(?<![\w-])sk-ant-admin01-[\w-]{93}AA(?![\w-])", _A), 3.0),
    ("openai-api-key", "OpenAI API key",
     re.compile(r"(?<![\w-])sk-(?:proj|svcacct|admin)-(?:[\w-]{74}|[\w-]{58})T3BlbkFJ"
                r"(?:[\w-]{74}|[\w-]{58})(?![\w-])", _A), 3.0),
    ("openai-api-key", "OpenAI API key (legacy)",
     re.compile(r"(?<![\w-])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![\w-])", _A), 3.0),
    ("huggingface-token", "Hugging Face access token",
     re.compile(r"(?<![\w-])hf_[A-Za-z]{34}(?![\w-])", _A), 3.0),
    ("huggingface-org-token", "Hugging Face organization API token",
     re.compile(r"(?<![\w-])api_org_[A-Za-z]{34}(?![\w-])", _A), 3.0),
    ("aws-access-key-id", "AWS access key ID",
     re.compile(r"(?<!\w)(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?!\w)", _A), 3.0),
    ("aws-bedrock-api-key", "AWS Bedrock API key (long-term)",
     re.compile(r"(?<![\w+/])ABSK[A-Za-z0-9+/]{109,269}={0,2}(?![\w+/=])", _A), 3.0),
    # Short-term keys are "bedrock-api-key-" + base64("bedrock.amazonaws.com/?Action=..."); we
    # require 40+ characters past the fixed part so a bare prefix in docs is not reported.
    ("aws-bedrock-api-key", "AWS Bedrock API key (short-term)",
     re.compile(r"(?<![\w-])bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/%]{40,}=*",
                _A), 3.0),
    ("google-api-key", "Google API key",
     re.compile(r"(?<![\w-])AIza[\w-]{35}(?![\w-])", _A), 4.0),
    ("azure-ad-client-secret", "Azure AD client secret",
     re.compile(r"(?<![^\\'\"`\s>=:(,)])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"
                r"(?![^\\'\"`\s<),])", _A), 3.0),
    ("perplexity-api-key", "Perplexity API key",
     re.compile(r"(?<![\w-])pplx-[A-Za-z0-9]{48}(?![\w-])", _A), 3.0),
)
PROVIDER_KINDS = frozenset(kind for kind, *_ in _PROVIDERS)
# The literal text each provider pattern cannot match without (one of its words): a string
# that holds none of them skips the pattern (tests/test_secrets.py checks every pattern
# spells its words).
_PROVIDER_LITERALS: tuple[tuple[str, ...], ...] = (
    ("sk-ant-api03-",), ("sk-ant-admin01-",), ("T3BlbkFJ",), ("T3BlbkFJ",), ("hf_",),
    ("api_org_",), ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"), ("ABSK",),
    ("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",), ("AIza",), ("Q~",), ("pplx-",))
# Cheap first looks, each a necessary condition of the detectors it guards: text without any
# of these words cannot hold a match, so most strings (and most files) skip the full
# patterns. Kept as words, for whole files and finding messages (firstlook.py looks for them
# all in one pass), and as one pattern, for the strings of a resource.
PROVIDER_WORDS = ("sk-", "hf_", "api_org_", "A3T", "AKIA", "ASIA", "ABIA", "ACCA", "ABSK",
                  "bedrock-api-key", "AIza", "Q~", "pplx-")
DEFAULT_WORDS = ("sk-1234", "password1234", "Milvus", "NoTaGrEaTpAsSwOrD", "minioadmin")
SECRET_NAME_WORDS = ("pass", "secret", "token", "key", "auth", "cred", "pwd")  # lower case


def _any_of(words: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, words))


PROVIDER_HINT = re.compile(_any_of(PROVIDER_WORDS))
CONNECTION_HINT = re.compile(r"://|(?i:password|pwd)\s*=|" + _any_of(DEFAULT_WORDS))
DEFAULT_HINT = re.compile(_any_of(DEFAULT_WORDS))

_FAKE = re.compile(r"(?i)example|(.)\1{9}|x{4}|abcdefghij|0123456789|1234567890")
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 _-]{0,100}?)PRIVATE KEY( BLOCK)?-----")
_PEM_HEADER = re.compile(r"^[A-Za-z-]+:.*$", re.M)
_B64 = re.compile(r"[A-Za-z0-9+/=]+")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://(?P<user>[^\s:/@'\"`]*):"
                  r"(?P<pw>[^\s/'\"`]+)@(?P<host>[\w.\[\]-]+)", _A)
_CONN_PW = re.compile(r"(?i)(?<=[;?&])\s*(?:password|pwd)\s*=\s*(?P<pw>[^;&\s'\"`]+)")
_DEFAULT_TEXT = re.compile(r"(?<![\w-])(?:sk-1234|password1234|root:Milvus|NoTaGrEaTpAsSwOrD)"
                           r"(?![\w-])", _A)
_ASSIGN = re.compile(r"(?P<name>[A-Za-z_][\w.-]{0,100}?)[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
                     r"[\"'`]?(?P<value>[^\s\"'`,;})\]]+)", _A)
# Necessary for an _ASSIGN match that is_secret_name accepts: a secret word inside the name,
# then the rest of the name and the operator. Cheap, because it starts with literal words.
_ASSIGN_HINT = re.compile(rf"(?i)(?:{_any_of(SECRET_NAME_WORDS)})[\w.-]{{0,100}}[\"']?[ \t]*"
                          r"(?::=|=>|[:=])")

# (value, user or None for any, label, needs a password-like name). MinIO is a well-known vendor
# default that domain.md does not list, hence [U].
_DEFAULTS: tuple[tuple[str, str | None, str, bool], ...] = (
    ("sk-1234", None, "LiteLLM documentation example master key sk-1234", False),
    ("password1234", None, "MLflow basic-auth seeded admin password password1234", False),
    ("root:Milvus", None, "Milvus default root credential root/Milvus", False),
    ("Milvus", "root", "Milvus default root credential root/Milvus", True),
    ("NoTaGrEaTpAsSwOrD", None, "LiteLLM Helm chart default PostgreSQL password "
     "NoTaGrEaTpAsSwOrD [U: chart values.yaml, not in domain.md]", False),
    ("minioadmin", "minioadmin",
     "MinIO default root credential minioadmin [U: well-known vendor default, "
     "not in domain.md]", True),
)


def _default_label(value: str, user: str | None, name: str | None) -> str | None:
    for known, known_user, label, needs_name in _DEFAULTS:
        if value != known:
            continue
        if user is not None and known_user is not None and user != known_user:
            continue
        if needs_name and user is None and not (name and is_secret_name(name)):
            continue
        return label
    return None


def _providers(text: str) -> list[Match]:
    found = []
    for (kind, label, pattern, min_entropy), words in zip(_PROVIDERS, _PROVIDER_LITERALS,
                                                          strict=True):
        if not any(w in text for w in words):
            continue
        for m in pattern.finditer(text):
            v = m.group()
            if (_FAKE.search(v) or entropy(v) < min_entropy
                    or text.startswith(("...", "\u2026"), m.end())):
                continue  # documentation example, hand-typed fake or truncated sample
            found.append(Match(kind, label, m.start(), m.end(), v))
    return found


def _private_keys(text: str) -> list[Match]:
    """PEM blocks, including JSON-escaped ones (GCP service-account files); the body must be
    64+ base64 characters so ``MIIE...`` and templated bodies are not reported."""
    found, pos = [], 0
    while (m := _PEM_BEGIN.search(text, pos)) is not None:
        end_marker = f"-----END {m.group(1)}PRIVATE KEY{m.group(2) or ''}-----"
        stop = text.find(end_marker, m.end())
        if stop < 0:
            pos = m.end()
            continue
        body = _PEM_HEADER.sub("", text[m.end():stop].replace("\\n", "\n"))
        chunks = body.split()
        if sum(map(len, chunks)) >= 64 and all(_B64.fullmatch(c) for c in chunks):
            label = f"{m.group(1).strip() or 'PEM'} private key".replace("ENCRYPTED",
                                                                          "Encrypted")
            found.append(Match("private-key", label, m.start(), stop + len(end_marker),
                               text[m.start():stop + len(end_marker)]))
        pos = stop + len(end_marker)
    return found


def _connection_passwords(text: str) -> list[Match]:
    found = []
    for m in _URL.finditer(text):
        user, pw = m.group("user"), m.group("pw")
        if label := _default_label(pw, user, None):
            found.append(Match("default-credential", label, m.start("user"), m.end("pw"),
                               f"{user}:{pw}"))
        elif not (is_reference(pw) or is_placeholder(pw)):
            found.append(Match("connection-string-password", "Password in a connection URL",
                               m.start("pw"), m.end("pw"), pw))
    for m in _CONN_PW.finditer(text):
        pw = m.group("pw")
        if not (is_reference(pw) or is_placeholder(pw)):
            found.append(Match("connection-string-password", "Password in a connection string",
                               m.start("pw"), m.end("pw"), pw))
    for m in _DEFAULT_TEXT.finditer(text):
        label = _default_label(m.group(), None, None) or ""
        found.append(Match("default-credential", label, m.start(), m.end(), m.group()))
    return found


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Keep the earlier-listed match where two overlap (PEM blocks, then provider formats, then
    connection strings), so one secret is reported once, by its most specific detector."""
    kept: list[Match] = []
    for m in matches:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda k: (k.start, k.end))


def find_secrets(text: str) -> list[Match]:
    """Every provider key, PEM private key, connection-string password and known default
    credential in ``text``, in text order, without overlaps."""
    found = _private_keys(text) if "PRIVATE KEY" in text else []
    if PROVIDER_HINT.search(text) is not None:
        found += _providers(text)
    if CONNECTION_HINT.search(text) is not None:
        found += _connection_passwords(text)
    return _without_overlaps(found) if found else found


def find_default_credential(name: str | None, value: str) -> Match | None:
    """A vendor default (LiteLLM ``sk-1234``, MLflow ``password1234``, Milvus ``root/Milvus``,
    MinIO ``minioadmin`` [U]) as a whole value; ``Milvus``/``minioadmin`` alone count only under
    a password-like ``name``, because both are also ordinary user and product names."""
    v = value.strip().strip("\"'")
    label = _default_label(v, None, name)
    if label is None:
        return None
    start = value.find(v)
    return Match("default-credential", label, start, start + len(v), v)


def _decoded(v: str) -> str | None:
    """The text inside a base64 value (Kubernetes Secret ``data``), when it is printable."""
    if len(v) < 8 or len(v) % 4 or not _B64.fullmatch(v):
        return None
    try:
        text = base64.b64decode(v, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if text.isprintable() else None


def find_secret_assignment(name: str, value: str) -> Match | None:
    """The literal ``value`` of a secret-named setting when it looks like a real secret.

    Order: a vendor default returns kind ``default-credential``; a provider format or password
    URL inside the value returns that more specific match; otherwise ``secret-assignment`` when
    the value is not a reference, not a placeholder and passes :func:`looks_random`. Offsets
    are into ``value``.
    """
    if not is_secret_name(name):
        return None
    if (default := find_default_credential(name, value)) is not None:
        return default
    if found := find_secrets(value):
        return found[0]
    v = value.strip().strip("\"'")
    decoded = _decoded(v)
    check = decoded if decoded is not None else v
    if not v or not looks_random(check) or is_reference(check) or is_placeholder(check):
        return None
    start = value.find(v)
    label = f"Literal secret in {name.strip()}" + (" (base64-encoded)" if decoded else "")
    return Match("secret-assignment", label, start, start + len(v), v)


def find_assignments(text: str) -> list[Match]:
    """``NAME=value`` / ``name: value`` pairs in free text run through
    :func:`find_secret_assignment`; offsets are into ``text``. Used by the redaction net."""
    if _ASSIGN_HINT.search(text) is None:  # no secret-named assignment can be in ``text``
        return []
    found = []
    for m in _ASSIGN.finditer(text):
        hit = find_secret_assignment(m.group("name"), m.group("value"))
        if hit is not None:
            start = m.start("value") + hit.start
            found.append(Match(hit.kind, hit.label, start, start + len(hit.value), hit.value))
    return found
