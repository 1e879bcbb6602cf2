"""Vietnamese order (core.collation): the alphabet, tones after their letters, word by word,
numbers by value, case and Unicode form ignored with a total, deterministic order."""

import random
import unicodedata
from types import SimpleNamespace

import pytest

from core.collation import (
    ALPHABET,
    SORT_TEXT_LENGTH,
    by_name,
    sorted_vietnamese,
    vietnamese_key,
    vietnamese_sort_text,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def assert_order(expected: list[str]) -> None:
    """``expected`` is the order: every shuffle of it sorts back to it."""
    rng = random.Random(13)
    for _ in range(20):
        shuffled = expected[:]
        rng.shuffle(shuffled)
        assert sorted_vietnamese(shuffled) == expected


def test_alphabet_in_order():
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert sorted_vietnamese(reversed(letters)) == letters
    assert [letter for letter in ALPHABET if letter in letters] == letters


@pytest.mark.parametrize(
    "expected",
    [
        ["Dương", "Dưỡng", "Đa", "Đông", "Đức", "Eo"],  # Đ after every D, before E
        ["dz", "đa"],  # not by code point: the whole D block first
        ["An", "Anh", "Ăn", "Ân"],  # ă and â are letters after a
        ["Ong", "Ông", "Ơn"],  # o ô ơ
        ["Uyên", "Ưng"],  # ư after u, even before a later letter
        ["Em", "Ênh", "Gia"],
        ["Yên", "Zô"],  # letters Vietnamese lacks keep their Latin place
        ["Fan", "Gia"],
        ["Ịa", "Jrai", "Kơ"],
    ],
)
def test_letters(expected):
    assert_order(expected)


def test_tones_after_their_base_letter_in_dictionary_order():
    assert_order(["ba", "bà", "bả", "bã", "bá", "bạ", "bác", "bạc", "bách", "băng", "bâng"])
    assert_order(["Nguyên", "Nguyền", "Nguyễn", "Nguyện"])
    assert_order(["ma", "mà", "mả", "mã", "má", "mạ", "mai"])


def test_word_by_word():
    # per word, "ba" < "bà": not the letters run together ("baba" < "bacon")
    assert_order(["Ba Con", "Bà Ba"])
    assert_order(["Lê", "Lê Văn", "Lê Văn An", "Lê Văn Ánh", "Lê Vân", "Lò Văn"])
    # punctuation and repeated spaces only separate words
    assert vietnamese_key("Ê-đê")[0] == vietnamese_key("Ê đê")[0]
    assert vietnamese_key("Thôn  2")[0] == vietnamese_key("Thôn 2")[0]


def test_numbers_sort_by_value_and_before_words():
    villages = [f"Thôn {n}" for n in range(1, 13)]
    assert_order(["Thôn", *villages, "Thôn A", "Thôn Đông"])
    assert_order(["Tổ 2", "Tổ 2A", "Tổ 2B", "Tổ 3", "Tổ 10"])
    assert_order(["Khu 9", "Khu 10", "Khu 100"])
    # equal values differ only in the tie-break, deterministically
    assert vietnamese_key("Thôn 02")[0] == vietnamese_key("Thôn 2")[0]
    assert_order(["Thôn 02", "Thôn 2"])


def test_case_ignored_then_a_deterministic_tie_break():
    assert vietnamese_key("ĐỨC")[0] == vietnamese_key("đức")[0]
    assert_order(["an", "An", "AN", "Anh"])
    assert_order(["đức", "Đức", "ĐỨC", "Đưng"])
    assert vietnamese_key("An") != vietnamese_key("an")


def test_nfd_input_equals_nfc():
    for name in ["Nguyễn Văn Đức", "Thôn Ệ", "Ưng Thị Ữ", "Bản Phố 3", "Lục Thị Ngọc Yến"]:
        assert vietnamese_key(nfd(name)) == vietnamese_key(name)
    mixed = [nfd("Đông"), "Dương", nfd("Ăn"), "An", nfd("Thôn 10"), "Thôn 2"]
    assert sorted_vietnamese(mixed) == ["An", nfd("Ăn"), "Dương", nfd("Đông"), "Thôn 2"] + [
        nfd("Thôn 10")
    ]


def test_empty_and_none_first():
    assert_order(["", "a", "Thôn 1"])
    assert vietnamese_key(None) == vietnamese_key("")
    assert vietnamese_key("  ")[0] == vietnamese_key("")[0]
    assert sorted_vietnamese([]) == []


def test_other_scripts_and_marks_do_not_break_the_order():
    # a letter outside the alphabet goes after z; a foreign mark falls back to its letter
    assert_order(["Zô", "Ωmega"])
    assert vietnamese_key("François")[0] == vietnamese_key("Francois")[0]
    assert sorted_vietnamese(["b", "1", "a", "-"]) == ["-", "1", "a", "b"]


def test_sorted_vietnamese_with_key_and_reverse():
    rows = [{"name": "Đông"}, {"name": "Dương"}, {"name": "Eo"}]
    assert [r["name"] for r in sorted_vietnamese(rows, key=lambda r: r["name"])] == [
        "Dương",
        "Đông",
        "Eo",
    ]
    assert sorted_vietnamese(["a", "đ", "d"], reverse=True) == ["đ", "d", "a"]


def test_by_name_breaks_ties_by_primary_key():
    areas = [
        SimpleNamespace(pk=7, name="Tân Lập"),
        SimpleNamespace(pk=3, name="Tân Lập"),
        SimpleNamespace(pk=9, name="Đồng Tâm"),
        SimpleNamespace(pk=1, name="Thôn 10"),
        SimpleNamespace(pk=2, name="Thôn 9"),
    ]
    assert [a.pk for a in sorted(areas, key=by_name)] == [9, 3, 7, 2, 1]
    rows = [{"id": 2, "name": "Đa"}, {"id": 1, "name": "Da"}]
    assert [r["id"] for r in sorted(rows, key=by_name)] == [1, 2]


def test_a_total_order_on_random_names():
    """Sorting is stable under shuffles: the key is total (no two different texts compare equal)."""
    rng = random.Random(7)
    syllables = ["Nguyễn", "Văn", "Đức", "Thôn", "Bản", "ba", "bà", "Ấp", "Ưng", "10", "2", "An"]
    names = {" ".join(rng.choice(syllables) for _ in range(rng.randint(0, 3))) for _ in range(300)}
    names |= {nfd(n) for n in list(names)[:50]}
    by_key = {vietnamese_key(n): unicodedata.normalize("NFC", n) for n in names}
    assert len(by_key) == len({unicodedata.normalize("NFC", n) for n in names})
    once = sorted_vietnamese(names)
    shuffled = list(names)
    rng.shuffle(shuffled)
    assert [unicodedata.normalize("NFC", n) for n in sorted_vietnamese(shuffled)] == [
        unicodedata.normalize("NFC", n) for n in once
    ]


def test_sort_text_orders_as_the_key():
    """The text a database orders by gives the key's order (without its tie-break), byte by byte."""
    rng = random.Random(11)
    words = ["Nguyễn", "Văn", "Đức", "đa", "Dưa", "Thôn", "ba", "bà", "bạ", "bác", "Ấp", "Ưng"]
    words += ["Ung", "An", "Ăn", "Ân", "10", "2", "007", "Zô", "Ωmega", "Thị", "Thi", "Thìn"]
    names = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in range(500)]
    names += ["Thôn 2", "Thôn 10", "Thôn", "Thôn A", "Ba Con", "Bà Ba", ""]
    for a in names:
        for b in rng.sample(names, 20):
            ka, kb = vietnamese_key(a)[0], vietnamese_key(b)[0]
            ta, tb = vietnamese_sort_text(a), vietnamese_sort_text(b)
            assert (ka < kb) == (ta < tb) and (ka == kb) == (ta == tb), (a, b)
    assert vietnamese_sort_text(nfd("Đức")) == vietnamese_sort_text("ĐỨC")
    assert vietnamese_sort_text("Thôn 2 Đông").isascii()
    assert vietnamese_sort_text("") == ""
    assert len(vietnamese_sort_text("Nguyễn " * 100)) == SORT_TEXT_LENGTH
