"""Run by tests/test_compiled.py with the compiled build's python: asks the build's
``scanner.detectors._fastlook`` and the Python it stands in for, from this checkout's source
(pure Python), the same questions and prints, as JSON, how many were compared and every
difference. The texts: every file given, whole and lower-cased and line by line, and texts
made here to sit on the edges (words at either end, overlapping words, near-misses of the MBI
shape, characters of every width, digits other than 0-9). Not a test module itself: the pure
build has no ``_fastlook``."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from c_modules import load_c_module

fast = load_c_module("scanner.detectors._fastlook")

from scanner.detectors.firstlook import LOW_WORDS, TEXT_WORDS  # noqa: E402
from scanner.detectors.phi import _MBI_SHAPE  # noqa: E402
from scanner.detectors.textlook import (  # noqa: E402
    fastlook,
    present_each_python,
    present_python,
)

assert fastlook is None, "the reference must be this checkout's pure Python"


def _outcome(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return ("returned", fn(*args))
    except Exception as exc:  # both versions must refuse the same inputs
        return ("raised", type(exc).__name__)


class Check:
    def __init__(self) -> None:
        self.calls = 0
        self.wide = 0  # texts of more than one byte per character
        self.differences: list[str] = []

    def words(self, where: str, words: tuple[str, ...], compiled: Any, text: str) -> None:
        self.same(where, f"present {words!r}", text, compiled.present,
                  lambda t: present_python(words, t))

    def each(self, where: str, words: tuple[str, ...], compiled: Any, texts: list[str]) -> None:
        """present_each over rows holding the texts, as written and lower-cased."""
        rows = [(None, i, text, None if i % 3 else text) for i, text in enumerate(texts)]
        for column in (2, 3):  # column 3: a name, None in two rows of three
            for lower in (False, True):
                self.calls += 1
                got = compiled.present_each(rows, column, lower)
                want = present_each_python(words, rows, column, lower)
                if got != want:
                    self._differ(where, f"present_each {column} lower={lower} {words!r}",
                                 want, got)

    def mbi(self, where: str, text: str) -> None:
        self.same(where, "mbi_shape", text, fast.mbi_shape,
                  lambda t: _MBI_SHAPE.search(t) is not None)

    def same(self, where: str, name: str, text: str, c: Callable[[str], Any],
             python: Callable[[str], Any]) -> None:
        self.calls += 1
        self.wide += max(map(ord, text), default=0) > 0xFF  # a two- or four-byte str
        got, want = c(text), python(text)
        if got != want or type(got) is not type(want):
            self._differ(where, name, want, got)

    def _differ(self, where: str, name: str, python: Any, c: Any) -> None:
        if len(self.differences) < 50:
            self.differences.append(f"{where}: {name}: python {python!r} != C {c!r}"[:600])


def _made_texts(rng: random.Random, words: tuple[str, ...]) -> list[str]:
    """Texts built from pieces of the words, so that words and near-misses meet at every
    offset, including both ends of the text."""
    pieces = [*words, *(w[:-1] for w in words), *(w[1:] for w in words), " ", "-", "\n", "é",
              "x", "K", "1", "\u212a", "\u2019", "\U0001f600", "\u0101", "\u0141"]
    out = ["", *words, *(w[:-1] for w in words), *(w + w for w in words)]
    for _ in range(4_000):
        out.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))))
    return out


def _mbi_texts(rng: random.Random) -> list[str]:
    """The MBI shape, each character of it swapped for a near-miss, with and without the
    hyphens, at every position in a text."""
    shapes = ["1EG4TE5MK73", "1EG4-TE5-MK73", "1EG4-TE5MK73", "1EG4TE5-MK73", "9ZZ9ZZ9ZZ99",
              "1A09A09AA00"]
    swaps = "0aZ9-é \u00c9\u0661\u00b2\uff11\U0001d7ce\u0130"  # digits \\d reads, and not
    out = ["", *shapes]
    for shape in shapes:
        for i in range(len(shape)):
            for c in swaps:
                out.append(shape[:i] + c + shape[i + 1:])
            out.append(shape[:i] + shape[i + 1:])
            out.append(shape[:i])
        out += [f"x{shape}", f"{shape}x", f"1{shape}", f"--{shape}--", f"ab {shape[:-1]}"]
    for _ in range(4_000):
        out.append("".join(rng.choice("1A9Z0-x \u00e9\u0661\U0001f600")
                           for _ in range(rng.randint(0, 16))))
    return out


def main(paths: list[str]) -> int:
    check = Check()
    sets = [(TEXT_WORDS.words, fast.Words(TEXT_WORDS.words)),
            (LOW_WORDS.words, fast.Words(LOW_WORDS.words))]
    rng = random.Random(8)
    odd = ("ab", "aba", "bab", "abab", "zz", "zzz", "a-", "-a", "\t\n", "PRIVATE KEY")
    sets.append((odd, fast.Words(odd)))
    full = tuple(f"w{i:02}" for i in range(64))
    sets.append((full, fast.Words(full)))
    files = sorted(f for p in map(Path, paths) for f in ([p] if p.is_file() else p.rglob("*"))
                   if f.is_file())
    texts = [(str(f), f.read_bytes().decode("utf-8", errors="replace")) for f in files]
    for where, text in texts:
        for variant in (text, text.lower(), *text.splitlines()):
            for words, compiled in sets:
                check.words(where, words, compiled, variant)
            check.mbi(where, variant)
    for words, compiled in sets:
        made = _made_texts(rng, words)
        for i, text in enumerate(made):
            check.words(f"made {i}", words, compiled, text)
        # every input line, and the made texts with their upper-case copies (lowered on
        # the fly for ASCII, by str.lower() otherwise) and long ones (past the stack buffer)
        check.each("lines", words, compiled,
                   [line for _where, text in texts for line in text.splitlines()])
        long = ["".join(made[i:i + 60]) for i in range(0, len(made), 60)]
        check.each("made", words, compiled, [*made, *(t.upper() for t in made), *long])
    for i, text in enumerate(_mbi_texts(rng)):
        check.mbi(f"mbi {i}", text)
    refused = {
        "too many": _outcome(fast.Words, tuple(f"w{i:02}" for i in range(65))),
        "one character": _outcome(fast.Words, ("ab", "c")),
        "not ASCII": _outcome(fast.Words, ("ab", "é1")),
        "not a str": _outcome(fast.Words, ("ab", 1)),
        "not a tuple": _outcome(fast.Words, ["ab"]),
        "present of bytes": _outcome(fast.Words(("ab",)).present, b"ab"),
        "mbi of bytes": _outcome(fast.mbi_shape, b"1EG4TE5MK73"),
        "each of a tuple": _outcome(fast.Words(("ab",)).present_each, (("ab",),), 0, False),
        "each of a list row": _outcome(fast.Words(("ab",)).present_each, [["ab"]], 0, False),
        "each past the row": _outcome(fast.Words(("ab",)).present_each, [("ab",)], 1, False),
        "each below the row": _outcome(fast.Words(("ab",)).present_each, [("ab",)], -1, False),
        "each of bytes": _outcome(fast.Words(("ab",)).present_each, [(b"ab",)], 0, True),
        "each of two arguments": _outcome(fast.Words(("ab",)).present_each, [("ab",)], 0),
    }
    json.dump({"texts": len(texts), "calls": check.calls, "wide": check.wide,
               "differences": check.differences, "refused": refused}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
