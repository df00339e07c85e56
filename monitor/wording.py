"""Russian wording shared by the checks' summaries: agreement of nouns with numbers."""

from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian agreement for summaries: 1 публикация, 3 публикации, 5 публикаций, 21 публикация."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def posts_word(n: int) -> str:
    return f"{n} {plural(n, 'публикация', 'публикации', 'публикаций')}"
