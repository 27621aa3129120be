"""Which of a set of words a text holds, all in one pass: the detectors' first looks.

Why: before the per-string detectors run, each file's whole text is looked at once to rule
out the detector groups it cannot match (``detect_checks.absent_groups``). That look asks
about forty "is this word anywhere in the file?" questions; as forty substring tests it was a
twelfth of a scan's per-file time. :class:`WordSet` asks them all in one pass, in C
(``_fastlook.c``) when the build has it; this module's Python is what runs otherwise, and the
reference tests/fastlook_check.py holds the C to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

try:  # the C version (scanner/detectors/_fastlook.c), where built
    from scanner.detectors import _fastlook as fastlook
except ImportError:  # a pure-Python build
    fastlook = None  # type: ignore[assignment]


class WordSet:
    """Up to 64 ASCII words of two or more characters, looked for together."""

    __slots__ = ("_fast", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(dict.fromkeys(words))
        self._fast = fastlook.Words(self.words) if fastlook is not None else None

    def mask(self, words: Iterable[str]) -> int:
        """The bits :meth:`present` sets for ``words`` (each one of this set's)."""
        bits = 0
        for w in words:
            bits |= 1 << self.words.index(w)
        return bits

    def present(self, text: str) -> int:
        """Bit ``j`` set when ``self.words[j]`` occurs in ``text``."""
        if self._fast is not None:
            return self._fast.present(text)
        return present_python(self.words, text)

    def present_each(self, rows: list[tuple[Any, ...]], column: int,
                     lower: bool = False) -> list[int]:
        """:meth:`present` of ``row[column]`` (of its lower-case copy when ``lower``) for each
        row, 0 where it is None: one call for all the strings (or names) of a resource."""
        if self._fast is not None:
            return self._fast.present_each(rows, column, lower)
        return present_each_python(self.words, rows, column, lower)


def present_each_python(words: tuple[str, ...], rows: list[tuple[Any, ...]], column: int,
                        lower: bool) -> list[int]:
    """:meth:`WordSet.present_each` in Python: the reference the C is checked against."""
    return [0 if row[column] is None else present_python(
        words, row[column].lower() if lower else row[column]) for row in rows]


def present_python(words: tuple[str, ...], text: str) -> int:
    """:meth:`WordSet.present` in Python: the reference, and what runs without the C."""
    bits = 0
    for j, w in enumerate(words):
        if w in text:
            bits |= 1 << j
    return bits
