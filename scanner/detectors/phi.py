"""PHI detectors for the HIPAA Safe Harbor identifiers (domain.md §2) a pattern finds precisely.

Why labels and validation: a bare 9-digit or 10-digit number in a deployment file is far more
often a port, a size or an ID than a patient identifier. So MRNs, plan IDs, NPIs and dates of
birth are reported only next to their label, SSNs only in valid ``AAA-GG-SSSS`` form, and every
class has a synthetic allow-list of the values documentation uses.

Contact-like classes (phone, fax, email, street address, ZIP, IP address) are infrastructure
in a config file (the hospital's help desk, an internal host), so they are reported only when
the caller says the text is patient text (prompts, transcripts, sample records, logs).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterator

from scanner.detectors.secrets import Match
from scanner.detectors.textlook import fastlook

ALWAYS_REPORTED = frozenset({"ssn", "mrn", "health-plan-id", "npi", "dob"})
PATIENT_TEXT_ONLY = frozenset({"phone", "fax", "email", "street-address", "zip-code",
                               "ip-address"})

_SEP = r"[\"']?\s*[:#=]?\s*[\"']?"  # between a label and its value: `MRN: `, `"mrn": "`
_L = r"(?<![A-Za-z0-9])"
_SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
_SSN_LABELLED = re.compile(rf"(?i){_L}(?:SSN|SS\#|social[\s_-]+security(?:[\s_-]+(?:number|no"
                           rf"|\#))?){_SEP}(?P<v>\d{{3}} ?\d{{2}} ?\d{{4}})(?!\d)")
_MRN = re.compile(rf"(?i){_L}(?:MRN|MR\s?\#|MR\s+No\.?|medical[\s_-]+record(?:[\s_-]*(?:number"
                  rf"|num|no\.?|\#|id))?)(?:[\s_-]?(?:number|num|no|id))?{_SEP}"
                  r"(?P<v>[A-Z0-9][A-Z0-9-]{4,19})(?![A-Za-z0-9-])")
_PLAN = re.compile(rf"(?i){_L}(?:member|subscriber|beneficiary|insurance|insured|medicaid"
                   rf"|medicare|health[\s_-]*plan)[\s_-]*(?:id|\#|number|num|no\.?)(?![a-z])"
                   rf"{_SEP}(?P<v>[A-Z0-9][A-Z0-9-]{{5,19}})(?![A-Za-z0-9-])")
_MBI_A = "AC-HJKMNP-RT-Y"  # letters CMS uses in an MBI: no S, L, O, I, B, Z
_MBI = re.compile(rf"(?<![A-Za-z0-9-])[1-9][{_MBI_A}][{_MBI_A}0-9]\d-?[{_MBI_A}][{_MBI_A}0-9]\d"
                  rf"-?[{_MBI_A}]{{2}}\d{{2}}(?![A-Za-z0-9-])")
_NPI = re.compile(rf"(?i){_L}NPI(?:[\s_-]?(?:number|num|no\.?|id|\#))?{_SEP}(?P<v>[12]\d{{9}})"
                  r"(?!\d)")
_DOB = re.compile(rf"(?i){_L}(?:DOB|D\.O\.B\.?|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date"
                  r"|born\s+on)[\"']?\s*[:=]?\s*[\"']?")
_MONTH = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATES = (
    re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<m>\d{1,2})[-/](?P<d>\d{1,2})[-/](?P<y>\d{4}|\d{2})(?!\d)"),
    re.compile(rf"(?i){_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)"),
    re.compile(rf"(?i)(?P<d>\d{{1,2}})[\s-]{_MONTH}[\s,-]+(?P<y>\d{{4}})(?!\d)"),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PHONE = re.compile(r"(?<![\w.+-])(?:\+?1[\s.-]?)?(?:\((?P<a1>[2-9]\d\d)\)\s?|(?P<a2>[2-9]\d\d)"
                    r"[\s.-])(?P<ex>[2-9]\d\d)[\s.-](?P<ln>\d{4})(?![\w-])(?!\.\d)")
_FAX_LABEL = re.compile(r"(?i)\b(?:fax|facsimile)\b[^\n]{0,20}$")
_EMAIL = re.compile(r"(?<![\w.%+-])(?P<local>[A-Za-z0-9][\w.%+-]{0,63})@(?P<domain>(?:[A-Za-z0-9-]"
                    r"+\.)+[A-Za-z]{2,24})(?![\w-])", re.ASCII)
_SUFFIX = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place"
           r"|Pl|Terrace|Parkway|Pkwy|Circle|Cir|Highway|Hwy)")
_ADDRESS = re.compile(rf"(?<![\w-])\d{{1,6}}[A-Z]?\s+(?:(?:[NSEW]\.?|North|South|East|West)\s+)?"
                      rf"(?:[A-Z][a-z]+|\d{{1,3}}(?:st|nd|rd|th))(?:\s+[A-Z][a-z]+){{0,3}}\s+"
                      rf"{_SUFFIX}\b\.?(?:,?\s*(?:Apt|Suite|Ste|Unit|\#)\.?\s*[\w-]+)?")
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE"
           "|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
_ZIP = re.compile(rf"(?i){_L}(?:zip(?:[\s_-]*code)?|postal[\s_-]*code){_SEP}"
                  r"(?P<v>\d{5}(?:-\d{4})?)(?![\d-])")
_STATE_ZIP = re.compile(rf"\b(?:{_STATES}),?\s+(?P<v>\d{{5}}(?:-\d{{4}})?)(?![\d-])")
_IP = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")

# Synthetic values documentation uses. SSNs: Woolworth's wallet card, the 1940s advertising
# number, the obvious sequence, the SSA advertising block 987-65-4320..4329, repeated digits.
_SSN_ALLOW = {"078051120", "219099999", "123456789"} | {f"98765432{i}" for i in range(10)} | {
    str(d) * 9 for d in range(10)}
_MBI_ALLOW = {"1EG4TE5MK73"}  # the CMS example MBI
_NPI_ALLOW = {"1234567893"}  # the CMS example NPI (passes the check digit)
_DOB_ALLOW = {dt.date(1900, 1, 1), dt.date(1970, 1, 1)}  # "unknown" sentinels
_EMAIL_SKIP_DOMAINS = ("example.com", "example.org", "example.net")
_EMAIL_SKIP_TLDS = {"test", "example", "invalid", "localhost", "local"}
_NOREPLY = {"noreply", "no-reply", "donotreply", "do-not-reply", "no_reply"}

LABELS = {
    "ssn": "US Social Security number", "mrn": "Medical record number",
    "health-plan-id": "Health plan beneficiary or member number",
    "mbi": "Medicare Beneficiary Identifier (health plan beneficiary number)",
    "npi": "National Provider Identifier (NPI)", "dob": "Date of birth",
    "phone": "Telephone number", "fax": "Fax number", "email": "Email address",
    "street-address": "Street address", "zip-code": "ZIP code", "ip-address": "IP address",
}


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812) that NPIs satisfy once prefixed with ``80840``."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """SSA rules: area never 000, 666 or 900-999; group never 00; serial never 0000."""
    return (area not in {"000", "666"} and area < "900" and group != "00" and serial != "0000"
            and area + group + serial not in _SSN_ALLOW)


def _id_ok(v: str, min_digits: int) -> bool:
    """A labelled ID worth reporting: enough digits, not one repeated digit, not a sequence."""
    digits = re.sub(r"\D", "", v)
    return (len(digits) >= min_digits and len(set(digits)) > 1 and not re.search(r"(?i)x{3}", v)
            and digits not in "01234567890123456789")


def _date_at(text: str, pos: int) -> tuple[int, int] | None:
    for pattern in _DATES:
        m = pattern.match(text, pos)
        if m is None:
            continue
        g = m.groupdict()
        month = _MONTHS.index(g["mon"][:3].lower()) + 1 if g.get("mon") else int(g["m"])
        year = int(g["y"]) + (1900 if len(g["y"]) == 2 else 0)
        try:
            day = dt.date(year if 1900 <= year <= 2100 else 2000, month, int(g["d"]))
        except ValueError:
            return None
        ok = 1900 <= year <= 2100 and day not in _DOB_ALLOW
        return (m.start(), m.end()) if ok else None
    return None


# Necessary conditions of the ``_always`` patterns: an SSN or MBI shape, or a label word,
# looked for in the lowered text (a case-insensitive alternation over the raw text costs more
# than every other detector's first look together).
ALWAYS_WORDS = ("ssn", "ss#", "social", "mrn", "medical", "npi", "member", "subscriber",
                "beneficiary", "insur", "medicaid", "medicare", "dob", "d.o.b", "birth", "born")
# Split in two, each starting where the regex engine scans fast: the SSN shape from its first
# hyphen (a literal, searched with memchr), the MBI shape on its own.
_SSN_SHAPE = re.compile(r"-\d{2}-\d{4}")  # necessary for \d{3}-\d{2}-\d{4}
_MBI_SHAPE = re.compile(r"[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2}")


def word_trie(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of ``words`` with shared prefixes factored out (``s(?:sn|ocial)``):
    ``re`` tries every branch at each position that can start one, so fewer branches per
    first letter make the search faster (a third, on whole files)."""
    if "" in words:
        return ""
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w[1:])
    parts = []
    for first, rests in by_first.items():
        head = re.escape(first)
        if "" in rests:
            others = [r for r in rests if r]
            parts.append(head + (f"(?:{word_trie(others)})?" if others else ""))
        elif len(rests) == 1:
            parts.append(head + re.escape(rests[0]))
        else:
            parts.append(f"{head}(?:{word_trie(rests)})")
    return "|".join(parts)


# one alternation of lower-case words (no IGNORECASE): faster than 16 substring tests
_ALWAYS_WORD = re.compile(word_trie(ALWAYS_WORDS))
# not bare "health" (/health); one pattern per literal start, which re finds fast (an
# alternation of the two tests every position)
_LABEL_MR = re.compile(r"mr(?:\s?#|\s+no)")
_LABEL_PLAN = re.compile(r"health[\s_-]*plan")


LABEL_WORDS = ("mr", "health")  # one is in the lower-case text of every label match


def may_hold_identifier(text: str, low: str | None = None, word: bool | None = None,
                        label: bool | None = None) -> bool:
    """False only when no always-reported identifier (SSN, MRN, plan ID, NPI, DOB) can be in
    ``text``; a cheap test run before the full patterns. ``low`` is ``text.lower()``, ``word``
    whether one of ``ALWAYS_WORDS`` is in it and ``label`` whether one of ``LABEL_WORDS`` is,
    when the caller knows them already."""
    if word is None:
        low = text.lower() if low is None else low
        word = _ALWAYS_WORD.search(low) is not None
    if word or _SSN_SHAPE.search(text) is not None or has_mbi_shape(text):
        return True
    if label is False:
        return False
    low = text.lower() if low is None else low
    return _LABEL_MR.search(low) is not None or _LABEL_PLAN.search(low) is not None


def has_mbi_shape(text: str) -> bool:
    """Whether ``_MBI_SHAPE`` is anywhere in ``text``: one pass in C when the build has it
    (the regex has no literal to start from, so ``re`` tries it at every character)."""
    if fastlook is not None:
        return fastlook.mbi_shape(text)
    return _MBI_SHAPE.search(text) is not None


def _always(text: str) -> Iterator[tuple[str, int, int]]:
    if not may_hold_identifier(text):
        return
    for m in _SSN.finditer(text):
        if ssn_ok(*m.groups()):
            yield "ssn", m.start(), m.end()
    for m in _SSN_LABELLED.finditer(text):
        d = m.group("v").replace(" ", "")
        if ssn_ok(d[:3], d[3:5], d[5:]):
            yield "ssn", m.start("v"), m.end("v")
    for m in _MRN.finditer(text):
        if _id_ok(m.group("v"), 3):
            yield "mrn", m.start("v"), m.end("v")
    for m in _NPI.finditer(text):
        if luhn_ok("80840" + m.group("v")) and m.group("v") not in _NPI_ALLOW:
            yield "npi", m.start("v"), m.end("v")
    for m in _PLAN.finditer(text):
        if _id_ok(m.group("v"), 4):
            yield "health-plan-id", m.start("v"), m.end("v")
    for m in _MBI.finditer(text):
        if m.group().count("-") in (0, 2) and m.group().replace("-", "") not in _MBI_ALLOW:
            yield "mbi", m.start(), m.end()
    for m in _DOB.finditer(text):
        if (span := _date_at(text, m.end())) is not None:
            yield "dob", *span


def _contact(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _PHONE.finditer(text):
        ex, line = m.group("ex"), int(m.group("ln"))
        if (ex == "555" and 100 <= line <= 199) or ex[1:] == "11":
            continue  # 555-0100..0199 is reserved for fiction; N11 is a service code
        fax = _FAX_LABEL.search(text, max(0, m.start() - 30), m.start())
        yield ("fax" if fax else "phone"), m.start(), m.end()
    for m in _EMAIL.finditer(text) if "@" in text else ():  # both need their literal
        domain, local = m.group("domain").lower(), m.group("local").lower()
        if (domain.endswith(_EMAIL_SKIP_DOMAINS) or domain.rsplit(".", 1)[-1] in _EMAIL_SKIP_TLDS
                or local in _NOREPLY):
            continue
        yield "email", m.start(), m.end()
    for m in _ADDRESS.finditer(text):
        yield "street-address", m.start(), m.end()
    for pattern in (_ZIP, _STATE_ZIP):
        for m in pattern.finditer(text):
            yield "zip-code", m.start("v"), m.end("v")
    for m in _IP.finditer(text) if "." in text else ():
        try:
            ip = ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        if ip.is_global and not ip.is_multicast:  # not private, loopback, doc or reserved
            yield "ip-address", m.start(), m.end()


def find_phi(text: str, *, patient_text: bool = False) -> list[Match]:
    """Safe Harbor identifiers in ``text``, in text order and without overlaps.

    SSN, MRN, health-plan ID (labelled, or the Medicare MBI shape, kind ``health-plan-id``),
    NPI and labelled date of birth are always reported. Phone, fax, email, street address,
    ZIP and public IPv4 addresses are reported only when ``patient_text`` is true.
    """
    sources: list[Callable[[str], Iterator[tuple[str, int, int]]]] = [_always]
    if patient_text:
        sources.append(_contact)
    kept: list[Match] = []
    for source in sources:
        for cls, start, end in source(text):
            if all(end <= k.start or start >= k.end for k in kept):
                kind = "health-plan-id" if cls == "mbi" else cls
                kept.append(Match(kind, LABELS[cls], start, end, text[start:end]))
    return sorted(kept, key=lambda k: (k.start, k.end))
