"""Vietnamese text: ``fold`` (a translate table) must equal its definition; ``nfc`` stores NFC."""

import random

import pytest

from core.text import fold, fold_slowly, nfc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("  ĐẶNG   thị\tHỒNG\n", "dang thi hong"),
        ("Lục Thị Ngọc Yến", "luc thi ngoc yen"),
        ("Nguyễn", "nguyen"),  # decomposed input (e + combining marks)
        ("", ""),
        (None, ""),
    ],
)
def test_fold_removes_case_and_diacritics(text, expected):
    assert fold(text) == expected == fold_slowly(text)


def test_fold_equals_its_definition_for_every_character_of_the_latin_blocks():
    characters = [
        chr(c) for block in ((0, 0x250), (0x300, 0x370), (0x1E00, 0x1F00)) for c in range(*block)
    ]
    for ch in characters:
        assert fold("a" + ch + "b") == fold_slowly("a" + ch + "b"), repr(ch)


def test_fold_equals_its_definition_on_mixed_text():
    """Other scripts, non-breaking and wide spaces, letters that do not fold to ASCII: the fast
    path hands them to the definition."""
    alphabet = "aĂâĐđêÔơƯẠẶỹ ß\u00a0\u3000İæ漢Ωй\u0301\u0323\t-1"
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert fold(text) == fold_slowly(text), repr(text)


def test_nfc_composes_and_trims_text_and_leaves_other_values_alone():
    assert nfc("  Nguye\u0302\u0303n \n") == "Nguyễn"
    assert nfc(None) is None and nfc(5) == 5
