"""Counts in words, so the app never says "1 units"."""
from __future__ import annotations


def plural(n: int, noun: str, plural_noun: str | None = None) -> str:
    """"1 unit", "0 units", "1,234 units"; irregular plurals given: plural(3, "vertex", "vertices")."""
    word = noun if n == 1 else (plural_noun or noun + "s")
    return f"{n:,} {word}"
