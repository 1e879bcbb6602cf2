"""Build the bad-input corpus: malformed or wrong .xlsx files the importer must refuse with a
clear message, writing nothing. Run from the repository root; the files are committed.

    .venv/bin/python imports/tests/corpus/make_corpus.py

Deterministic: the same files every run. Standalone (openpyxl and the standard library only).
The tests' personas live in “Xã Vĩnh Hảo” with villages “Thôn A” and “Thôn B”; “Thôn Xa” belongs
to another commune.
"""

from __future__ import annotations

import datetime
import io
import random
import re
import struct
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

H_HEADERS = ["Mã hộ", "Thôn", "Chủ hộ", "Dân tộc", "Diện tích nhà ở (m²)", "Chất lượng nhà ở"]
M_HEADERS = ["Mã hộ", "Họ và tên", "Giới tính", "Ngày sinh", "Quan hệ với chủ hộ", "Số CCCD"]
A_INDICATORS = [
    "1.1 Việc làm",
    "1.2 Người phụ thuộc",
    "2.1 Dinh dưỡng",
    "2.2 Bảo hiểm y tế",
    "3.1 Trình độ giáo dục người lớn",
    "3.2 Tình trạng đi học của trẻ em",
    "4.1 Chất lượng nhà ở",
    "4.2 Diện tích nhà ở bình quân",
    "5.1 Nguồn nước sinh hoạt",
    "5.2 Nhà tiêu hợp vệ sinh",
    "6.1 Sử dụng dịch vụ viễn thông",
    "6.2 Phương tiện tiếp cận thông tin",
]
A_HEADERS = ["Mã hộ", "Thu nhập bình quân (đồng/người/tháng)", "Điểm B1", *A_INDICATORS]


def good_household(code="T-0001", village="Thôn A", head="Nguyễn Văn Đức"):
    return [code, village, head, "Tày", 40.5, "Kiên cố / bền chắc"]


def good_member(code="T-0001", name="Nguyễn Văn Đức", cid="002080000001"):
    return [code, name, "Nam", "05/09/1980", "Chủ hộ", cid]


def registry(households, members, *, h_headers=H_HEADERS, m_headers=M_HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    ws.append(h_headers)
    for row in households:
        ws.append(row)
    ws = wb.create_sheet("Thành viên")
    ws.append(m_headers)
    for row in members:
        ws.append(row)
    return _save(wb)


def results(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kết quả rà soát"
    ws.append(A_HEADERS)
    for row in rows:
        ws.append(row)
    return _save(wb)


FIXED_TIME = datetime.datetime(2024, 4, 16, 8, 0, 0)


def _save(wb) -> bytes:
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    parts = {n: source.read(n) for n in source.namelist()}
    # openpyxl stamps the save time into the properties; fix it for reproducible files.
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*",
        rb"\g<1>2024-04-16T08:00:00Z",
        parts["docProps/core.xml"],
    )
    return _zip(parts)


def _zip(parts: dict[str, bytes | str]) -> bytes:
    """A zip whose entries carry a fixed time, so the corpus is byte-for-byte reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buffer.getvalue()


def _replace_part(xlsx: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    return _zip({n: (data if n == name else source.read(n)) for n in source.namelist()})


def _sheet_xml(rows_xml: str, dimension: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    ).encode()


def build() -> dict[str, bytes]:
    rng = random.Random(20240416)
    one = registry([good_household()], [good_member()])
    files: dict[str, bytes] = {}

    # Not an .xlsx at all.
    files["01_random_bytes.xlsx"] = bytes(rng.randrange(256) for _ in range(2048))
    files["02_csv_renamed.xlsx"] = "Mã hộ,Thôn,Chủ hộ\nT-0001,Thôn A,Nguyễn Văn Đức\n".encode() * 3
    # An .xls (OLE2 compound file) renamed: the signature, then a sector of zeros.
    files["03_xls_renamed.xlsx"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    files["04_truncated_zip.xlsx"] = one[: len(one) // 2]
    files["05_empty_file.xlsx"] = b""
    empty = openpyxl.Workbook()
    empty.active.title = "Hộ gia đình"
    files["06_empty_workbook.xlsx"] = _save(empty)
    files["07_docx_renamed.xlsx"] = _zip(
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}
    )
    files["08_zip_of_text.xlsx"] = _zip({"notes.txt": "không phải bảng tính"})
    files["09_ods_renamed.xlsx"] = _zip(
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
    )
    files["10_html_renamed.xlsx"] = (
        "<html><body><table><tr><td>Mã hộ</td></tr></table></body></html>".encode()
    )

    # Headers.
    files["11_header_missing.xlsx"] = registry(
        [[r for i, r in enumerate(good_household()) if i != 2]],
        [good_member()],
        h_headers=[h for h in H_HEADERS if h != "Chủ hộ"],
    )
    files["12_header_renamed.xlsx"] = registry(
        [good_household()], [good_member()], h_headers=["Số hiệu", *H_HEADERS[1:]]
    )
    files["13_header_duplicated.xlsx"] = registry(
        [[*good_household(), "Trần Văn Hùng"]], [good_member()], h_headers=[*H_HEADERS, "Chủ hộ"]
    )
    wb = openpyxl.load_workbook(io.BytesIO(one))
    ws = wb["Hộ gia đình"]
    ws.insert_cols(2)
    ws.merge_cells("A1:B1")
    files["14_header_merged.xlsx"] = _save(wb)
    files["15_no_matching_sheet.xlsx"] = _renamed_sheets(
        one, {"Hộ gia đình": "Sheet1"}, extra="Sheet2"
    )

    # Size and shape.
    files["16_million_empty_rows.xlsx"] = _replace_part(
        one,
        "xl/worksheets/sheet1.xml",
        _sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hộ</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Thôn</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>Chủ hộ</t></is></c></row>' + "<row/>" * 1_000_000,
            "A1:C1000001",
        ),
    )
    # Over the size limit the tests set (1 MB): incompressible text in many cells.
    big = openpyxl.Workbook()
    ws = big.active
    ws.title = "Hộ gia đình"
    ws.append(H_HEADERS)
    alphabet = "abcdefghijklmnopqrstuvwxyzăâđêôơư0123456789"
    for n in range(4000):
        ws.append([f"T-{n:05d}", "Thôn A", "".join(rng.choice(alphabet) for _ in range(160))])
    files["17_over_size_limit.xlsx"] = _save(big)
    # A "zip bomb": a few kilobytes that expand to 60 MB (over 40× the tests' 1 MB limit).
    files["18_zip_bomb.xlsx"] = _replace_part(
        one, "xl/worksheets/sheet1.xml", b"<!--" + b" " * 60_000_000 + b"-->"
    )
    files["19_broken_xml.xlsx"] = _replace_part(
        one,
        "xl/worksheets/sheet1.xml",
        _sheet_xml('<row r="1"><c r="A1"><v>1</v></row>', "A1")[:-20],
    )

    # Cell contents.
    wb = openpyxl.load_workbook(io.BytesIO(one))
    ws = wb["Hộ gia đình"]
    ws["C2"] = '=CONCATENATE("Nguyễn ","Văn")'
    ws["E2"] = "=20*2"
    files["20_formulas.xlsx"] = _save(wb)
    files["21_wrong_types.xlsx"] = registry(
        [["T-0001", "Thôn A", "Nguyễn Văn Đức", "Tày", "bốn mươi", "Nhà sàn"]],
        [["T-0001", "Nguyễn Văn Đức", "X", "31/02/1980", "Chủ hộ", "12345"]],
    )
    files["22_duplicated_rows.xlsx"] = registry(
        [good_household(), good_household()], [good_member()]
    )
    files["23_rows_of_another_commune.xlsx"] = registry(
        [good_household(village="Thôn Xa")], [good_member()]
    )
    files["24_unknown_village.xlsx"] = registry(
        [good_household(village="Thôn Không Có")], [good_member()]
    )
    files["25_duplicate_citizen_id.xlsx"] = registry(
        [good_household()],
        [good_member(), good_member(name="Nguyễn Thị Hoa")],
    )
    files["26_member_of_unknown_household.xlsx"] = registry(
        [good_household()], [good_member(), good_member(code="T-9999", cid="002080000002")]
    )
    future = "05/09/2999"  # fixed, so the file is the same every run
    files["27_birth_in_future.xlsx"] = registry(
        [good_household()], [[*good_member()[:3], future, *good_member()[4:]]]
    )
    wb = openpyxl.load_workbook(io.BytesIO(one))
    wb["Hộ gia đình"]["E2"].value = "#N/A"
    wb["Hộ gia đình"]["E2"].data_type = "e"
    files["28_excel_error_value.xlsx"] = _save(wb)
    files["29_new_household_without_members.xlsx"] = registry([good_household("T-0100")], [])

    # Review results (the tests' household T-0001 exists in Thôn A).
    files["30_indicator_not_yes_no.xlsx"] = results(
        [["T-0001", 1_200_000, None, "có", "maybe", *[""] * 10]]
    )
    files["31_income_not_a_number.xlsx"] = results(
        [["T-0001", "một triệu", None, *[""] * 12], ["T-0002", -5, None, *[""] * 12]]
    )
    files["32_results_unknown_household.xlsx"] = results(
        [["KHONG-CO", 1_000_000, None, *[""] * 12]]
    )
    files["33_results_indicator_column_missing.xlsx"] = _drop_column(
        results([["T-0001", 1_000_000, None, *[""] * 12]]), "Kết quả rà soát", 4
    )
    files.update(hostile(one, rng))
    return files


def _padded_sheet(megabytes: int, village: str = "Thôn Không Có") -> bytes:
    """The household sheet with one row, then ``megabytes`` of blank rows each followed by a
    megabyte of spaces: text that packs a thousandfold (a "zip bomb" of plain XML)."""
    head = (
        '<row r="1">'
        + "".join(
            f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
            for i, h in enumerate(H_HEADERS[:3])
        )
        + '</row><row r="2">'
        + "".join(
            f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(["T-0100", village, "Lò Văn Bom"])
        )
        + "</row>"
    )
    pad = "".join(f'<row r="{3 + i}"/>' + " " * (1 << 20) for i in range(megabytes))
    return _sheet_xml(head + pad, f"A1:C{2 + megabytes}")


def _with_parts(xlsx: bytes, parts: dict[str, bytes], types: str = "") -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = {n: source.read(n) for n in source.namelist()}
    if types:
        out["[Content_Types].xml"] = out["[Content_Types].xml"].replace(
            b"</Types>", types.encode() + b"</Types>"
        )
    out.update(parts)
    return _zip(out)


def _lying_sizes(xlsx_part: bytes) -> bytes:
    """A zip whose headers declare 1,000 bytes for a part that unpacks to 50 MB."""
    data = b"<x>" + b" " * 50_000_000 + b"</x>"
    packed = _replace_part(xlsx_part, "xl/worksheets/sheet1.xml", data)
    return packed.replace(struct.pack("<I", len(data)), struct.pack("<I", 1000))


SST = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" '
    'uniqueCount="{n}">{entries}</sst>'
)
SST_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SST_REL = (
    '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)


def _with_shared_strings(xlsx: bytes, sst: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", SST_REL.encode() + b"</Relationships>"
    )
    return _with_parts(
        xlsx, {"xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": sst}, SST_TYPE
    )


def hostile(one: bytes, rng: random.Random) -> dict[str, bytes]:
    """Files made to hurt: bombs, DTDs, macros, links, huge numbers, rows outside the scope."""
    files: dict[str, bytes] = {}
    # Zip bombs. The tests set 20 MB per part and 30 MB in all (the defaults are 200 and 400).
    files["34_zip_bomb_under_limit.xlsx"] = _replace_part(
        one, "xl/worksheets/sheet1.xml", _padded_sheet(15)
    )
    files["35_zip_bomb_over_part_limit.xlsx"] = _replace_part(
        one, "xl/worksheets/sheet1.xml", _padded_sheet(25)
    )
    files["36_zip_bomb_over_total_limit.xlsx"] = _with_parts(
        _replace_part(one, "xl/worksheets/sheet1.xml", _padded_sheet(12)),
        {f"xl/media/padding{i}.xml": b" " * (12 << 20) for i in range(2)},
    )
    files["37_zip_bomb_lying_sizes.xlsx"] = _lying_sizes(one)
    # The shared strings of the issue: a few hundred kilobytes that unpack to 150 MB.
    entries = "<si><t>x</t></si>" * (150_000_000 // 17)
    files["38_shared_strings_bomb.xlsx"] = _with_shared_strings(
        one, SST.format(n=150_000_000 // 17, entries=entries).encode()
    )
    # Under the part limit, over the shared strings' own (40 MB by default, 10 in the tests).
    entries = "<si><t>x</t></si>" * 900_000
    files["39_shared_strings_over_their_limit.xlsx"] = _with_shared_strings(
        one, SST.format(n=900_000, entries=entries).encode()
    )
    files["40_too_many_parts.xlsx"] = _with_parts(one, {f"xl/p/{n}": b"" for n in range(2500)})
    # XML that reaches outside, or expands: an external entity, billion laughs.
    xxe = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    files["41_xxe_external_entity.xlsx"] = _replace_part(
        one, "xl/worksheets/sheet1.xml", xxe.encode()
    )
    laughs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    lol = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol0 "lol">' + laughs + "]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol9;</t></si></sst>"
    )
    files["42_billion_laughs_shared_strings.xlsx"] = _with_shared_strings(one, lol.encode())
    source = zipfile.ZipFile(io.BytesIO(one))
    workbook = (
        b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY lol0 "lol">'
        + laughs.encode()
        + b"]>"
        + source.read("xl/workbook.xml").replace(b"<bookViews>", b"<bookViews>&lol9;", 1)
    )
    files["43_billion_laughs_workbook.xlsx"] = _replace_part(one, "xl/workbook.xml", workbook)
    files["44_comment_of_five_megabytes.xlsx"] = _replace_part(
        one,
        "xl/worksheets/sheet1.xml",
        _sheet_xml("<!--" + "> < " * (5 << 18) + "-->", "A1"),
    )
    files["45_utf16_sheet.xlsx"] = _replace_part(
        one,
        "xl/worksheets/sheet1.xml",
        _sheet_xml("", "A1").decode().replace("UTF-8", "UTF-16").encode("utf-16"),
    )
    # Renamed or linked workbooks.
    files["46_xlsm_renamed.xlsx"] = _with_parts(
        one,
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)},
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    wb = openpyxl.load_workbook(io.BytesIO(one))
    wb["Hộ gia đình"]["C2"] = "=[1]Sheet1!A1"
    linked = _save(wb)
    link = (
        '<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"><sheetNames>'
        '<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    )
    link_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        'Target="file:///C:/mat/ho-ngheo.xlsx" TargetMode="External"/></Relationships>'
    )
    files["47_external_link.xlsx"] = _with_parts(
        linked,
        {
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
        '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>',
    )
    wb = openpyxl.load_workbook(
        io.BytesIO(registry([good_household(), good_household("T-0101")], [good_member()]))
    )
    wb["Hộ gia đình"].merge_cells("B2:B3")  # the second row loses its village
    files["48_merged_cells_in_data.xlsx"] = _save(wb)
    # Numbers no column holds, or no household has.
    files["49_huge_numbers_results.xlsx"] = results(
        [
            ["T-0001", 10**30, None, *[""] * 12],
            ["T-0002", 1_000_000, 40_000, *[""] * 12],
        ]
    )
    files["50_negative_numbers_results.xlsx"] = results([["T-0001", -1_000_000, -5, *[""] * 12]])
    files["51_huge_and_negative_floor_area.xlsx"] = registry(
        [
            ["T-0100", "Thôn A", "Lò Văn Một", "Tày", 1e30, "Kiên cố / bền chắc"],
            ["T-0101", "Thôn A", "Lò Văn Hai", "Tày", -40, "Kiên cố / bền chắc"],
            ["T-0102", "Thôn A", "Lò Văn Ba", "Tày", "1e999999999", "Kiên cố / bền chắc"],
        ],
        [
            good_member("T-0100", "Lò Văn Một", "002080000101"),
            good_member("T-0101", "Lò Văn Hai", "002080000102"),
            good_member("T-0102", "Lò Văn Ba", "002080000103"),
        ],
    )
    wb = openpyxl.load_workbook(io.BytesIO(one))
    wb["Thành viên"]["D2"] = datetime.date(1980, 9, 5)  # a date style for the cell
    dated = _save(wb)
    sheet = zipfile.ZipFile(io.BytesIO(dated)).read("xl/worksheets/sheet2.xml")
    sheet = re.sub(rb'(<c r="D2"[^>]*><v>)[^<]*', rb"\g<1>1E+20", sheet)
    files["52_date_serial_out_of_range.xlsx"] = _replace_part(
        dated, "xl/worksheets/sheet2.xml", sheet
    )
    files["53_number_of_five_thousand_digits.xlsx"] = _replace_part(
        one,
        "xl/worksheets/sheet1.xml",
        _sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hộ</t></is></c></row>'
            f'<row r="2"><c r="A2"><v>{"9" * 5000}</v></c></row>',
            "A1:A2",
        ),
    )
    # Outside the scope of the tests' users (T-0002 lives in Thôn B; OUT-1 in another commune).
    files["54_household_of_another_village.xlsx"] = registry(
        [good_household("T-0002", "Thôn A", "Lục Văn Hùng"), good_household("T-0103", "")],
        [good_member("T-0002", "Lục Văn Hùng", "002080000010")],
    )
    files["55_results_of_other_villages_and_communes.xlsx"] = results(
        [["T-0002", 1_000_000, None, *[""] * 12], ["OUT-1", 1_000_000, None, *[""] * 12]]
    )
    files["56_citizen_id_held_in_scope.xlsx"] = registry(
        [good_household("T-0100", head="Lò Thị Trùng")],
        [good_member("T-0100", "Lò Thị Trùng", "002080000009")],  # held in T-0001, Thôn A
    )
    files["57_citizen_id_held_in_another_village.xlsx"] = registry(
        [good_household("T-0100", head="Lò Thị Trùng")],
        [good_member("T-0100", "Lò Thị Trùng", "002080000010")],  # held in T-0002, Thôn B
    )
    files["58_citizen_id_held_in_another_commune.xlsx"] = registry(
        [good_household("T-0100", head="Lò Thị Trùng")],
        [good_member("T-0100", "Lò Thị Trùng", "002099001234")],  # held in OUT-1, Xã Khác
    )
    files["59_rows_of_another_commune_and_scope.xlsx"] = registry(
        [good_household("OUT-1", "Thôn Xa", "Người Xã Khác"), good_household("T-0002", "Thôn B")],
        [good_member("OUT-1", "Người Xã Khác", "002099001234")],
    )
    return files


def _renamed_sheets(xlsx: bytes, names: dict[str, str], extra: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    for old, new in names.items():
        wb[old].title = new
    wb["Thành viên"].title = extra
    return _save(wb)


def _drop_column(xlsx: bytes, sheet: str, index: int) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    wb[sheet].delete_cols(index)
    return _save(wb)


def main() -> None:
    for old in HERE.glob("*.xlsx"):
        old.unlink()
    for name, data in sorted(build().items()):
        (HERE / name).write_bytes(data)
        print(f"{name:45} {len(data):>9,} bytes")


if __name__ == "__main__":
    main()
