"""The folded text a household is searched by."""

from households.search import search_text_for


def test_search_text_joins_the_folded_parts():
    assert search_text_for("H01", "Lý Văn Đạt", [("Lý Thị Ánh", "001234567890"), ("Bé", "")]) == (
        "h01 | ly van dat | ly thi anh | 001234567890 | be"
    )
