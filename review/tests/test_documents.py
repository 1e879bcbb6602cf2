"""The review's documents, built from the records of a small commune whose figures are counted
by hand below, rendered to PDF (read back) and XLSX (opened), and refused to a board outside its
village.

The commune: village A (a1–a4, Tày but a4 Kinh) and village B (b1–b4, Dao), two members each.

| household | 2023 (finalised) | 2024 | moves |
|---|---|---|---|
| a1 | poor | poor | |
| a2 | poor | near-poor | out of poverty |
| a3 | near-poor | not poor | out of near-poverty |
| a4 | not poor | average living standard | |
| b1 | near-poor | poor | near-poor → poor: on no "out" list |
| b2 | poor | kept last year's result (exemption) → poor | |
| b3 | not poor | not poor | |
| b4 | (joined 2024, new) | near-poor | |

2024: 8 households, 16 members; poor 3 (a1, b1, b2), near-poor 2 (a2, b4), average 1 (a4);
out of poverty 1 (a2), out of near-poverty 1 (a3).
"""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from audit.models import AccessLog
from households.models import Household, ReviewCycle, ReviewExemption
from households.tests.report_data import cycle_of, households, record
from reports.registry import SPECS
from reports.render import render
from reports.services import document_settings_save
from reports.tests.text import document_text

pytestmark = pytest.mark.django_db

AVERAGE = (1_800_000, ())


def url(slug, **params):
    return reverse("report", args=[slug]) + "?" + urlencode(params)


@pytest.fixture
def review(commune, village_a, village_b):
    a = households(village_a, 4)
    b = households(village_b, 3, ethnicity="Dao")
    for i, h in enumerate(a):
        h.head_name = f"Chủ hộ Thôn A {i + 1}"
        h.code = f"A{i + 1}"
    a[3].ethnicity = "Kinh"
    for i, h in enumerate(b):
        h.head_name = f"Chủ hộ Thôn B {i + 1}"
        h.code = f"B{i + 1}"
    for h in a + b:
        h.save()
    earlier = cycle_of(commune, 2023)
    record(earlier, {a[0]: "poor", a[1]: "poor", a[2]: "near", a[3]: "out"})
    record(earlier, {b[0]: "near", b[1]: "poor", b[2]: "out"})
    ReviewCycle.objects.filter(pk=earlier.pk).update(status=ReviewCycle.Status.FINALISED)
    (b4,) = households(village_b, 1, ethnicity="Dao")
    b4.code, b4.head_name = "B4", "Chủ hộ Thôn B 4"
    b4.joined_registry_on = datetime.date(2024, 3, 1)
    b4.joined_how = Household.Joined.NEW
    b4.save()
    b.append(b4)
    cycle = cycle_of(commune, 2024)
    record(cycle, {a[0]: "poor", a[1]: "near", a[2]: "out", a[3]: AVERAGE})
    record(cycle, {b[0]: "poor", b[2]: "out", b4: "near"})
    ReviewExemption.objects.create(
        cycle=cycle, household=b[1], reason=ReviewExemption.Reason.KEPT_PREVIOUS
    )
    return {"cycle": cycle, "earlier": earlier, "a": a, "b": b, "commune": commune}


def build(slug, area, year=2024, **options):
    return SPECS[slug].build(area, year, **options)


def rows_of(report, key):
    return report.table(key).rows


# --- 1. the list of households to review ----------------------------------------------------


def test_the_list_to_review_is_the_registry_by_village_with_last_years_class(review):
    report = build("review_households", review["commune"])
    rows = rows_of(report, "households")
    assert [r["code"] for r in rows] == ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]
    previous = {r["code"]: r["previous"] for r in rows}
    assert previous == {
        "A1": "Hộ nghèo",
        "A2": "Hộ nghèo",
        "A3": "Hộ cận nghèo",
        "A4": "Hộ không nghèo",
        "B1": "Hộ cận nghèo",
        "B2": "Hộ nghèo",
        "B3": "Hộ không nghèo",
        "B4": "Chưa có kết quả",
    }
    notes = {r["code"]: r["note"] for r in rows}
    assert notes["B4"] == "Hộ mới thành lập"
    assert notes["B2"] == "Không rà soát lại — giữ kết quả năm trước"
    assert [r["number"] for r in rows] == [1, 2, 3, 4, 1, 2, 3, 4]  # numbered per village
    summary = {
        r["unit"]: (r["households"], r["poor"], r["near_poor"]) for r in rows_of(report, "summary")
    }
    assert summary == {"Thôn A": (4, 2, 1), "Thôn B": (4, 1, 1), "Tổng cộng": (8, 3, 2)}


def test_the_list_to_review_renders_as_a_document(review):
    report = build("review_households", review["commune"])
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF")
    text = document_text(pdf)
    for line in ("DANH SÁCH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Chủ hộ Thôn B 4", "Thôn A"):
        assert line in text
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet_text = "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet_text  # the Word-like heading
    assert "Nơi nhận:" in sheet_text and "Chủ hộ Thôn A 1" in sheet_text


# --- 2. Phiếu B -------------------------------------------------------------------------------


def test_a_pre_filled_form_carries_last_years_answers(review, village_a):
    report = build("review_form", village_a, household="A1")
    (row,) = rows_of(report, "households")
    assert row["code"] == "A1" and row["previous_year"] == 2023
    assert row["income"] == 1_000_000 and row["b2"] == 30
    assert row["deprived"] == "2.2, 4.1, 5.2" and row["previous"] == "Hộ nghèo"
    (form,) = report.body_context["forms"]
    deprived = {i["code"]: i["previous"] for i in form["indicators"]}
    assert len(deprived) == 12 and sum(deprived.values()) == 3 and deprived["4.1"] is True
    assert len([m for m in form["members"] if m.get("relation")]) == 2
    text = document_text(render(report, "pdf"))
    assert "PHIẾU B" in text and "Chủ hộ Thôn A 1" in text and "Thiếu hụt" in text
    # members by relation, sex and year of birth: never by name or citizen ID
    member = review["a"][0].members.first()
    assert member.full_name not in text and member.citizen_id not in text


def test_a_village_gets_one_pdf_with_a_form_per_household(review, village_b):
    report = build("review_form", village_b)
    assert [r["code"] for r in rows_of(report, "households")] == ["B1", "B2", "B3", "B4"]
    b4 = rows_of(report, "households")[3]
    assert b4["previous"] == "" and b4["income"] is None  # nothing to pre-fill
    pdf = render(report, "pdf")
    text = document_text(pdf)
    assert all(f"Chủ hộ Thôn B {i}" in text for i in range(1, 5))
    assert "Chủ hộ Thôn A 1" not in text


def test_the_blank_form_lists_the_twelve_indicators_and_names_no_one(review):
    report = build("review_form_blank", review["commune"])
    assert len(rows_of(report, "indicators")) == 12
    assert not SPECS["review_form_blank"].personal
    text = document_text(render(report, "pdf"))
    assert "PHIẾU B" in text and "Bảo hiểm y tế" in text and "Chủ hộ" in text
    assert "Thôn A 1" not in text


# --- 6. the decision --------------------------------------------------------------------------


def test_the_decision_lists_poor_near_poor_and_those_out_of_them(review):
    cycle = review["cycle"]
    ReviewCycle.objects.filter(pk=cycle.pk).update(
        status=ReviewCycle.Status.FINALISED,
        stage=ReviewCycle.Stage.DECIDED,
        decision_number="27/QĐ-UBND",
        decision_date=datetime.date(2024, 12, 20),
        decision_signer="Lê Thị Ngọc",
    )
    report = build("review_decision", review["commune"])

    def codes(key):
        return [r["code"] for r in rows_of(report, key)]

    assert codes("poor") == ["A1", "B1", "B2"]
    assert codes("near_poor") == ["A2", "B4"]
    assert codes("out_of_poverty") == ["A2"]
    assert codes("out_of_near_poverty") == ["A3"]
    assert rows_of(report, "out_of_poverty")[0]["now"] == "Hộ cận nghèo"
    pdf = render(report, "pdf")
    text = document_text(pdf)
    for line in (
        "QUYẾT ĐỊNH",
        "Số: 27/QĐ-UBND",
        "ngày 20 tháng 12 năm 2024",
        "Lê Thị Ngọc",
        "Điều 1.",
        "Công nhận 3 hộ nghèo, 2 hộ cận nghèo, 1 hộ thoát nghèo và 1 hộ thoát cận nghèo",
        "PHỤ LỤC IV",
        "Kèm theo Quyết định số 27/QĐ-UBND ngày 20 tháng 12 năm 2024",
    ):
        assert line in " ".join(text.split()), line
    assert "Dự thảo" not in text


def test_the_decision_wording_is_the_communes_own(review, officer):
    document_settings_save(
        area=review["commune"],
        report="review_decision",
        body="CHỦ TỊCH ỦY BAN NHÂN DÂN {XA}\nQUYẾT ĐỊNH:\nĐiều 1. Công nhận {ho_ngheo} hộ nghèo.",
        user=officer,
    )
    report = build("review_decision", review["commune"])
    text = " ".join(document_text(render(report, "pdf")).split())
    assert "Điều 1. Công nhận 3 hộ nghèo." in text
    assert "Dự thảo" in text  # not decided yet
    assert "Điều 2." not in text


# --- 7. the summary ---------------------------------------------------------------------------


def test_the_summary_counts_by_village_and_by_ethnic_group(review):
    report = build("review_summary", review["commune"])
    by_unit = {r["label"]: r for r in rows_of(report, "by_unit")}
    a, b, total = by_unit["Thôn A"], by_unit["Thôn B"], by_unit["Tổng cộng"]
    assert (a["households"], a["members"]) == (4, 8)
    assert (a["poor_households"], a["near_households"], a["average_households"]) == (1, 1, 1)
    assert (b["poor_households"], b["near_households"], b["average_households"]) == (2, 1, 0)
    assert (total["households"], total["members"], total["poor_members"]) == (8, 16, 6)
    assert str(total["poor_rate"]) == "37.50" and str(total["average_rate"]) == "12.50"
    by_ethnicity = rows_of(report, "by_ethnicity")
    assert [r["label"] for r in by_ethnicity] == ["Dao", "Kinh", "Tày", "Tổng cộng"]
    tay = by_ethnicity[2]
    assert (tay["households"], tay["poor_households"], str(tay["poor_rate"])) == (3, 1, "33.33")
    assert by_ethnicity[1]["average_households"] == 1
    text = " ".join(document_text(render(report, "pdf")).split())
    assert "37,50 %" in text and "33,33 %" in text and "Hộ có mức sống trung bình" in text
    load_workbook(io.BytesIO(render(report, "xlsx")))


# --- scoping ----------------------------------------------------------------------------------


PERSONAL = ("review_households", "review_form", "review_decision")


def test_the_lists_are_personal_reports_and_the_summary_is_not():
    assert all(SPECS[slug].personal for slug in PERSONAL)
    assert not SPECS["review_summary"].personal


def test_a_board_gets_its_own_village_and_is_refused_another(
    client, review, board_a, village_a, village_b
):
    client.force_login(board_a)
    for slug in PERSONAL:
        own = client.get(url(slug, area=village_a.pk, year=2024, format="pdf"))
        assert own.status_code == 200, slug
        text = document_text(own.content)
        assert "Chủ hộ Thôn A 1" in text and "Thôn B" not in text.replace("Thôn B 4", ""), slug
        for area, status in ((village_b, 400), (review["commune"], 403)):
            refused = client.get(url(slug, area=area.pk, year=2024, format="pdf"))
            assert refused.status_code == status, (slug, area.name)
            assert b"Th\xc3\xb4n B" not in refused.content or b"%PDF" not in refused.content
    assert AccessLog.objects.filter(action=AccessLog.Action.REPORT_DOWNLOAD).count() == 3


# --- 3–5. minutes, posting, complaints --------------------------------------------------------


@pytest.fixture
def stages(review, village_a, village_b):
    from review.models import Complaint, MeetingResult, Posting, VillageMeeting

    cycle = review["cycle"]
    a, b = review["a"], review["b"]
    meeting_a = VillageMeeting.objects.create(
        cycle=cycle,
        village=village_a,
        held_on=datetime.date(2024, 11, 20),
        chair="Lý Văn Chủ",
        place="Nhà văn hóa Thôn A",
        representatives_present=30,
        representatives_total=40,
    )
    for h in a:
        MeetingResult.objects.create(
            meeting=meeting_a,
            household=h,
            agreed=h is not a[2],
            note="đề nghị phúc tra" if h is a[2] else "",
        )
    meeting_b = VillageMeeting.objects.create(
        cycle=cycle,
        village=village_b,
        held_on=datetime.date(2024, 11, 21),
        chair="Triệu Văn Trì",
        representatives_present=10,
        representatives_total=25,
    )
    MeetingResult.objects.create(meeting=meeting_b, household=b[0], agreed=True)
    Posting.objects.create(
        cycle=cycle,
        starts_on=datetime.date(2024, 11, 25),
        ends_on=datetime.date(2024, 11, 27),
        place="Nhà văn hóa thôn và trụ sở UBND xã",
    )
    Complaint.objects.create(
        cycle=cycle,
        household=b[0],
        complainant="Người khiếu nại Thôn B",
        content="Hộ mới mua xe máy",
        received_on=datetime.date(2024, 11, 26),
        resolved_on=datetime.date(2024, 11, 29),
        resolution="Phúc tra: giữ kết quả",
    )
    Complaint.objects.create(
        cycle=cycle,
        household=a[1],
        complainant="Người khiếu nại Thôn A",
        content="Hộ có lao động đi làm xa",
        received_on=datetime.date(2024, 11, 27),
    )
    return review


def test_the_minutes_show_attendance_and_each_households_result(stages):
    report = build("review_minutes", stages["commune"])
    meetings = {r["village"]: r for r in rows_of(report, "meetings")}
    a, b = meetings["Thôn A"], meetings["Thôn B"]
    assert (a["present"], a["total"], str(a["rate"]), a["quorate"]) == (30, 40, "75.00", "Có")
    assert (a["agreed"], a["not_agreed"]) == (3, 1)
    assert (str(b["rate"]), b["quorate"]) == ("40.00", "Không")
    results = {r["code"]: (r["class"], r["agreed"]) for r in rows_of(report, "results")}
    assert results["A3"] == ("Hộ không nghèo", "Không nhất trí")
    assert results["A1"] == ("Hộ nghèo", "Nhất trí")
    text = " ".join(document_text(render(report, "pdf")).split())
    for line in (
        "BIÊN BẢN",
        "THÔN A",
        "có mặt 30/40 đại diện hộ (75,00 %)",
        "3/4 hộ được nhất trí",
        "không đủ điều kiện thông qua",
        "Lý Văn Chủ",
        "đề nghị phúc tra",
    ):
        assert line in text, line


def test_the_minutes_of_a_village_of_more_than_a_thousand_households_build(stages, village_b):
    """The results' households are read in one join, not asked for one by one: SQLite refuses a
    condition of over 1,000 terms, and a large village has that many households."""
    from review.models import MeetingResult, VillageMeeting

    meeting = VillageMeeting.objects.get(village=village_b)
    many = Household.objects.bulk_create(
        Household(commune=village_b.parent, village=village_b, code=f"B-{i}", head_name="Hộ")
        for i in range(1100)
    )
    MeetingResult.objects.bulk_create(MeetingResult(meeting=meeting, household=h) for h in many)
    report = build("review_minutes", stages["commune"])
    assert sum(1 for r in rows_of(report, "results") if r["_meeting"] == meeting.pk) == 1101


def test_the_posting_list_carries_its_dates_and_the_lists(stages):
    report = build("review_posting", stages["commune"])
    dates = {r["key"]: r["value"] for r in rows_of(report, "posting")}
    assert dates == {
        "from": "25/11/2024",
        "to": "27/11/2024",
        "place": "Nhà văn hóa thôn và trụ sở UBND xã",
    }
    assert [r["code"] for r in rows_of(report, "poor")] == ["A1", "B1", "B2"]
    text = " ".join(document_text(render(report, "pdf")).split())
    assert "25/11/2024" in text and "Danh sách hộ thoát nghèo năm 2024" in text
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert len(book.worksheets) == 5


def test_the_complaints_register_shows_open_and_resolved_complaints(stages):
    report = build("review_complaints", stages["commune"])
    rows = rows_of(report, "complaints")
    assert [r["household"] for r in rows] == ["B1 · Chủ hộ Thôn B 1", "A2 · Chủ hộ Thôn A 2"]
    assert (
        rows[0]["resolution"] == "Phúc tra: giữ kết quả" and rows[0]["resolved_on"] == "29/11/2024"
    )
    assert rows[1]["resolution"] == "Đang giải quyết"
    text = " ".join(document_text(render(report, "pdf")).split())
    assert "đã giải quyết: 1; đang giải quyết: 1" in text and "Hộ mới mua xe máy" in text


def test_a_board_sees_its_own_villages_minutes_and_complaints_only(
    client, stages, board_a, village_a, village_b
):
    client.force_login(board_a)
    for slug in ("review_minutes", "review_posting", "review_complaints"):
        own = client.get(url(slug, area=village_a.pk, year=2024, format="pdf"))
        assert own.status_code == 200, slug
        text = document_text(own.content)
        assert "Thôn B" not in text and "Triệu Văn Trì" not in text, slug
        assert client.get(url(slug, area=village_b.pk, year=2024)).status_code == 400
        assert client.get(url(slug, area=stages["commune"].pk, year=2024)).status_code == 403


def test_a_village_too_large_for_the_browser_still_gets_one_households_form(
    client, review, officer, village_b, settings
):
    # 4 forms of village B are estimated at 1,5 + 4 × 35 × 0,012 s: over a 3 s limit
    settings.REPORT_WEB_LIMIT_SECONDS = 3
    client.force_login(officer)
    whole = client.get(url("review_form", area=village_b.pk, year=2024, format="pdf"))
    assert whole.status_code == 413
    assert "python manage.py report review_form" in whole.content.decode()
    one = client.get(url("review_form", area=village_b.pk, year=2024, format="pdf", household="B2"))
    assert one.status_code == 200
    text = document_text(one.content)
    assert "Chủ hộ Thôn B 2" in text and "Chủ hộ Thôn B 1" not in text


def test_the_settings_page_offers_the_default_wording_to_edit(client, review, officer):
    client.force_login(officer)
    commune = review["commune"]
    page = reverse("report_document_settings") + f"?area={commune.pk}&report=review_minutes"
    shown = client.get(page).content.decode()
    assert 'name="body"' in shown and "I. THÀNH PHẦN THAM DỰ" in shown
    plain = reverse("report_document_settings") + f"?area={commune.pk}&report=lists"
    assert 'name="body"' not in client.get(plain).content.decode()
    response = client.post(
        reverse("report_document_settings") + f"?area={commune.pk}&report=review_form_blank",
        {"body": "PHIẾU B CỦA XÃ {Xa}\nPhụ đề riêng", "version": ""},
    )
    assert response.status_code == 302
    report = build("review_form_blank", commune)
    assert report.body_context["wording"]["title"] == "PHIẾU B CỦA XÃ Xã Vĩnh Hảo"
    # the commune's default row never lends its wording to a document
    document_settings_save(area=commune, report="", signer_name="Người Ký", user=officer)
    assert build("review_form", commune).body_context["wording"]["title"].startswith("PHIẾU B -")


@pytest.mark.parametrize(
    "slug",
    [
        "review_households",
        "review_form",
        "review_form_blank",
        "review_minutes",
        "review_posting",
        "review_complaints",
        "review_decision",
        "review_summary",
    ],
)
def test_each_document_builds_in_a_few_queries(stages, slug, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        build(slug, stages["commune"])


@pytest.mark.parametrize("fmt", ["html", "xlsx", "csv", "json"])
def test_every_document_opens_in_every_format_for_the_officer(client, stages, officer, fmt):
    client.force_login(officer)
    for slug in (
        "review_households",
        "review_form",
        "review_form_blank",
        "review_minutes",
        "review_posting",
        "review_complaints",
        "review_decision",
        "review_summary",
    ):
        response = client.get(url(slug, area=stages["commune"].pk, year=2024, format=fmt))
        assert response.status_code == 200, (slug, fmt)
        if fmt == "xlsx":
            load_workbook(io.BytesIO(response.content))
        if fmt == "html":
            assert "Chủ hộ Thôn A 2" in response.content.decode() or slug in (
                "review_form_blank",
                "review_summary",
            ), slug
