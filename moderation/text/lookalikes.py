"""Look-alikes of Russian letters, from Unicode's confusables table as `confusable-homoglyphs` ships it.

The table (Unicode Technical Standard #39, ``confusables.txt``) groups characters that look alike: Latin
``a``, Greek ``α``, fullwidth ``ａ``, the mathematical ``𝐚`` and Cyrillic ``а`` share a group. Every character
of a group that holds exactly one Russian letter is mapped to that letter. The data file ships inside the
package's wheel and is read from there, once, at import: nothing is downloaded (the package's own update
command is never used).

The normaliser lower-cases before it maps, so a lower-case character also takes the target of its capital
(``η`` the one of ``Η``, ``m`` the one of ``M``). ``OVERRIDES`` is the small list of characters the table
gives no Russian letter for (or a useless one), with the reasons.
"""

from __future__ import annotations

import json
from importlib import resources

RUSSIAN = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюя")

# Where the table has no Russian target. Small capitals and letters the table relates to no Cyrillic letter,
# as Telegram spam uses them for Russian ones (ᴀ, ᴇ, ᴩ, ᴧ, ɴ, ɯ ... in «ᴨᴏдᴩᴀбᴏᴛᴋᴀ»); the Latin letters that
# stand for a Russian sound in disguised words (пиzдец, zакладки, dолбо...), which no shape table relates;
# ``b``, whose table target is ь, though after lower-casing it is mostly a capital B, the table's В.
OVERRIDES: dict[str, str] = {
    # small capitals and other letters without a Russian target in the table
    "ᴀ": "а", "ᴇ": "е", "ᴩ": "р", "ᴘ": "р", "ᴧ": "л", "ɴ": "н", "ɯ": "ш", "ᴅ": "д", "ᴢ": "з", "ꜱ": "с",
    "ᴡ": "ш", "ᴠ": "в", "ꜰ": "ф", "ʟ": "л", "ɢ": "г", "ᴜ": "и", "ɪ": "и", "ꚍ": "т", "ⲃ": "в", "ᗩ": "а",
    "λ": "л", "ι": "и", "ν": "в", "δ": "д", "θ": "о", "ë": "е", "è": "е", "é": "е", "ē": "е",
    "ė": "е", "ó": "о", "ò": "о", "ö": "о", "á": "а", "ä": "а", "ç": "с", "ć": "с", "ĉ": "с", "í": "и",
    "ü": "и", "û": "и", "ḿ": "м",
    # Latin letters that stand for a Russian sound (no shape in common with a Russian letter)
    "b": "в", "d": "д", "g": "д", "z": "з", "s": "с", "v": "в", "f": "ф", "j": "й", "w": "ш", "q": "я",
    "u": "и", "n": "п", "i": "и", "l": "л",
}  # fmt: skip

# Symbols that stand for a letter only inside a word (бл@ть, пи$дёж, €бать); digits are handled by position.
SYMBOLS: dict[str, str] = {"@": "а", "$": "с", "€": "е"}
# Digits the table relates to a Russian letter (0 О, 3 З, 6 б), and 4 for ч, a common Russian disguise.
DIGITS: dict[str, str] = {"0": "о", "3": "з", "6": "б", "4": "ч"}


def _table() -> dict[str, str]:
    """Each single character of a confusables group with exactly one Russian letter -> that letter."""
    path = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    targets: dict[str, set[str]] = {}
    for key, entries in data.items():
        group = {c for c in (key, *(e["c"] for e in entries)) if len(c) == 1}
        russian = {c.lower() for c in group if c.lower() in RUSSIAN}
        if len(russian) != 1:
            continue
        for char in group:
            if char.lower() not in RUSSIAN:
                targets.setdefault(char, set()).update(russian)
    return {char: found.pop() for char, found in targets.items() if len(found) == 1}


def _lower_case_map(table: dict[str, str]) -> dict[str, str]:
    """The table for lower-cased text: a character's own target, else its capital's, then the overrides."""
    out: dict[str, str] = {}
    for char, target in table.items():
        lower = char.lower()
        if len(lower) == 1 and lower.lower() not in RUSSIAN and lower not in out:
            own = table.get(lower)
            out[lower] = own if own is not None else target
    for char in list(out):
        if char.isdigit():
            del out[char]  # digits are read as letters by position only (DIGITS)
    out.update(OVERRIDES)
    return out


TABLE = _table()
LETTERS: dict[str, str] = _lower_case_map(TABLE)
"""Lower-case look-alike -> Russian letter: Latin, Greek, small capitals, fullwidth and mathematical forms."""
