"""Vietnamese sort order for the names people read in lists: villages, communes, households'
heads. Neither SQLite nor PostgreSQL (with the C or an English locale) knows it: both put "Đ"
after "Z" and "Ă" after "A" by code point, so lists are ordered in Python with
:func:`vietnamese_key`.

The order (the common dictionary convention, as in the Vietnamese dictionaries of the Vietnam
Institute of Linguistics and in the Unicode CLDR "vi" collation; ../shared/domain.md does not
fix one):

* letters: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y. The letters Vietnamese
  does not use, found in ethnic minority and foreign names (f, j, w, z), take their place in the
  Latin alphabet: f after ê, j after i, w after v, z after y;
* tones come after the letters of their syllable: a syllable is compared first by its letters
  (without tone), then by its tone in the order no tone, huyền (à), hỏi (ả), ngã (ã),
  sắc (á), nặng (ạ). So "ba" < "bà" < "bả" < "bã" < "bá" < "bạ" < "bác" < "bạc";
* word by word: names are split into words (runs of letters) and numbers (runs of digits);
  punctuation and spaces only separate them. "Ba Con" sorts before "Bà Ba" because "ba" < "bà";
  a name sorts before the longer names it begins ("Thôn" < "Thôn 2");
* numbers inside a name sort by their value, before words: villages are named "Thôn 1" to
  "Thôn 12", and a commune expects "Thôn 2" before "Thôn 10";
* case is ignored, then breaks ties (lower case first), then the NFC text itself, so that the
  order is total and the same on every run; NFC and NFD spellings of one name are equal.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# The alphabet, with the Latin letters Vietnamese does not use put in their Latin place.
ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}

# Tone marks as combining characters (after NFD), in dictionary order; 0 is no tone.
_TONES = {
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}
# Marks that make another letter of the alphabet (ă, â ê ô, ơ ư): kept on the letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}

# Combining marks are not word characters to ``re``: a word is letters each with its marks.
_TOKENS = re.compile(r"\d+|(?:[^\W\d_][\u0300-\u036f]*)+")
_NUMBER, _WORD = 0, 1


def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ranks of a word's letters and its tones, from its lower-case NFD spelling."""
    ranks: list[int] = []
    tones: list[int] = []
    base = ""
    for ch in word + " ":  # the space flushes the last letter
        if unicodedata.combining(ch):
            if ch in _LETTER_MARKS:
                base += ch
            elif ch in _TONES:
                tones.append(_TONES[ch])
            # any other mark (a foreign name's ç or ü) is ignored, as the letter's base counts
            continue
        if base:
            letter = unicodedata.normalize("NFC", base)
            rank = _RANK.get(letter)
            if rank is None:
                rank = _RANK.get(base[0])
            # letters of no alphabet here come after z, by code point
            ranks.append(rank if rank is not None else len(ALPHABET) + ord(base[0]))
        base = ch
    return tuple(ranks), tuple(tones)


@functools.lru_cache(maxsize=65536)
def vietnamese_key(text: str | None) -> tuple:
    """A sort key giving the Vietnamese order of the module docstring. ``None`` sorts as ""."""
    text = unicodedata.normalize("NFC", text or "")
    words = []
    case = []
    for token in _TOKENS.findall(unicodedata.normalize("NFD", text)):
        if token.isdigit():
            # (kind, value, letters, tones): every token key has the same shape
            words.append((_NUMBER, int(token), (), ()))
            continue
        case.extend(ch.isupper() for ch in token if not unicodedata.combining(ch))
        ranks, tones = _letters(token.lower())
        words.append((_WORD, 0, ranks, tones))
    return tuple(words), tuple(case), text


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
SORT_TEXT_LENGTH = 255


def _base36(value: int, width: int) -> str:
    value = min(value, 36**width - 1)
    out = ""
    for _ in range(width):
        value, digit = divmod(value, 36)
        out = _DIGITS36[digit] + out
    return out


def vietnamese_sort_text(text: str | None) -> str:
    """The order of ``vietnamese_key(text)[0]`` (the order without the tie-break) as plain text
    of digits and lower-case ASCII letters, for a column the database orders by (a paginated
    list cannot be sorted in Python). Such text compares the same byte by byte and in the usual
    database collations. Cut to :data:`SORT_TEXT_LENGTH` characters: longer names order by
    their beginning, and the caller breaks ties.

    Each word is its letters (two characters each, from "10"), "0", its tones (one digit each,
    1 to 5) and "0": "0" is below any letter, so a word sorts before the longer words it
    begins, and no tone before any tone. A number is "0", the count of its digits and the
    digits, so numbers sort by value and before words."""
    tokens = _TOKENS.findall(unicodedata.normalize("NFC", text or ""))
    return "".join(_token_sort_text(token) for token in tokens)[:SORT_TEXT_LENGTH]


@functools.lru_cache(maxsize=65536)
def _token_sort_text(token: str) -> str:
    """One word or number of :func:`vietnamese_sort_text`; names repeat their words (family and
    given names), so a registry's worth of heads is mostly cache hits."""
    if token.isdigit():
        digits = str(int(token))
        return "0" + _base36(len(digits), 1) + digits + "0"
    ranks, tones = _letters(unicodedata.normalize("NFD", token).lower())
    letters = "".join(_base36(36 + rank, 2) for rank in ranks)
    return letters + "0" + "".join(str(t) for t in tones) + "0"


def sorted_vietnamese(
    items: Iterable[T], key: Callable[[T], str | None] | None = None, reverse: bool = False
) -> list[T]:
    """``items`` in Vietnamese order of ``key(item)`` (the item itself when no key is given)."""
    if key is None:
        return sorted(items, key=vietnamese_key, reverse=reverse)
    return sorted(items, key=lambda item: vietnamese_key(key(item)), reverse=reverse)


def by_name(item) -> tuple:
    """Sort key for areas (or any object or dict with a name) in Vietnamese name order, their
    primary key breaking ties between two places of the same name."""
    if isinstance(item, dict):
        return vietnamese_key(item.get("name")), item.get("pk", item.get("id")) or 0
    return vietnamese_key(item.name), item.pk or 0
