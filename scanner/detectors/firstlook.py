"""Which detectors could match a text: the first looks, made before any pattern runs.

Why one place: the same questions ("is a provider key prefix here? a secret-named word? an
identifier's label or shape?") are asked of every file's whole text, to rule out detector
groups (``detect_checks.absent_groups``), and of every finding message, before the redaction
net runs its patterns (``redact``). Most of them ask for a word: all the words are looked for
in two passes, one over the text as written and one over its lower-case copy
(:class:`~scanner.detectors.textlook.WordSet`), and each look reads its words' bits. Each look
is a necessary condition of the detectors it guards (tests/test_performance.py checks that
over every line of the corpus, the fixtures and generated files).
"""

from __future__ import annotations

from scanner.detectors.phi import ALWAYS_WORDS, LABEL_WORDS, may_hold_identifier
from scanner.detectors.secrets import (
    CONNECTION_HINT,
    DEFAULT_WORDS,
    PROVIDER_WORDS,
    SECRET_NAME_WORDS,
)
from scanner.detectors.textlook import WordSet

TEXT_WORDS = WordSet((*PROVIDER_WORDS, "PRIVATE KEY", "://", *DEFAULT_WORDS))
LOW_WORDS = WordSet((*ALWAYS_WORDS, *LABEL_WORDS, *SECRET_NAME_WORDS, "password", "pwd"))
PROVIDER_BITS = TEXT_WORDS.mask(PROVIDER_WORDS)
PEM_BITS = TEXT_WORDS.mask(["PRIVATE KEY"])
DEFAULT_BITS = TEXT_WORDS.mask(DEFAULT_WORDS)
URL_OR_DEFAULT_BITS = TEXT_WORDS.mask(["://"]) | DEFAULT_BITS
ALWAYS_BITS = LOW_WORDS.mask(ALWAYS_WORDS)
LABEL_BITS = LOW_WORDS.mask(LABEL_WORDS)
SECRET_NAME_BITS = LOW_WORDS.mask(SECRET_NAME_WORDS)
PASSWORD_BITS = LOW_WORDS.mask(["password", "pwd"])


class FirstLooks:
    """The words of both sets that one text holds, and the looks they answer."""

    __slots__ = ("low", "low_words", "text", "words")

    def __init__(self, text: str, low: str | None = None) -> None:
        self.text = text
        self.low = text.lower() if low is None else low
        self.words = TEXT_WORDS.present(text)
        self.low_words = LOW_WORDS.present(self.low)

    def provider_key(self) -> bool:
        """A provider key's prefix (``sk-``, ``hf_``, ``AKIA``...)."""
        return bool(self.words & PROVIDER_BITS)

    def private_key(self) -> bool:
        return bool(self.words & PEM_BITS)

    def default_credential(self) -> bool:
        """A published vendor default (``sk-1234``, ``minioadmin``...)."""
        return bool(self.words & DEFAULT_BITS)

    def connection_password(self) -> bool:
        """A URL with credentials, a ``password=`` setting, or a vendor default (which
        ``find_secrets`` reports with them)."""
        return bool(self.words & URL_OR_DEFAULT_BITS) or (
            bool(self.low_words & PASSWORD_BITS) and CONNECTION_HINT.search(self.text) is not None)

    def secret(self) -> bool:
        """False only when ``secrets.find_secrets`` finds nothing in the text."""
        return self.private_key() or self.provider_key() or self.connection_password()

    def secret_name(self) -> bool:
        """A word every name ``secrets.is_secret_name`` accepts holds (names are ASCII, so the
        lower-case copy finds every spelling)."""
        return bool(self.low_words & SECRET_NAME_BITS)

    def assignment(self) -> bool:
        """False only when ``secrets.find_assignments`` finds nothing: an assignment needs an
        operator and a secret name."""
        return ("=" in self.text or ":" in self.text) and self.secret_name()

    def identifier(self) -> bool:
        """False only when no always-reported identifier can be in the text."""
        return may_hold_identifier(self.text, self.low, bool(self.low_words & ALWAYS_BITS),
                                   bool(self.low_words & LABEL_BITS))
