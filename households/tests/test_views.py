"""The pages officers and village boards work in: list, household page, edit, review, cycles."""

import datetime

import pytest
from django.urls import reverse

from households import services
from households.models import Assessment, Household, IndicatorOverride, Member
from households.tests.factories import HouseholdFactory, ReviewCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(commune):
    return ReviewCycleFactory(commune=commune, year=2024)


def make_home(village, head, *, code=None, members=3, ethnicity="Tày", **fields):
    h = services.household_create(
        village=village,
        code=code or head[:3] + str(Household.objects.count()),
        head_name=head,
        ethnicity=ethnicity,
        floor_area_m2=60,
        house_material="durable",
        water_source="piped",
        latrine="hygienic",
        **fields,
    )
    for i in range(members):
        services.member_add(
            household=h,
            full_name=f"{head} {i}" if i else head,
            sex="M",
            relation_to_head="head" if i == 0 else "child",
            date_of_birth=datetime.date(1980 + i * 10, 1, 1),
            has_health_insurance=True,
        )
    return h


def household_form_data(
    village,
    *,
    code="N-1",
    head="Hoàng Văn Nam",
    count=1,
    members=None,
    version="",
    floor="45",
    prefix="members",
):
    members = (
        members
        if members is not None
        else [
            {
                "full_name": head,
                "sex": "M",
                "relation_to_head": "head",
                "date_of_birth": "1980-02-03",
            }
        ]
    )
    data = {
        "village": village.pk,
        "code": code,
        "head_name": head,
        "member_count": count,
        "floor_area_m2": floor,
        "house_material": "durable",
        "water_source": "piped",
        "latrine": "hygienic",
        "version": version,
        f"{prefix}-TOTAL_FORMS": len(members),
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, m in enumerate(members):
        for key, value in m.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def counts():
    return (Household.objects.count(), Member.objects.count(), Assessment.objects.count())


# --- list and search --------------------------------------------------------------------------


def test_search_ignores_case_and_diacritics(client, officer, village_a):
    duc = make_home(village_a, "Nguyễn Văn Đức")
    make_home(village_a, "Ma Thị Hoa")
    client.force_login(officer)
    for query in ("duc", "DUC", "nguyen van", "Nguyễn Văn", "đức"):
        page = client.get(reverse("household_list"), {"q": query}).context["page"]
        assert [h.pk for h in page] == [duc.pk], query


def test_search_finds_a_member_by_citizen_id(client, officer, village_a):
    home = make_home(village_a, "Lò Văn Tiến")
    services.member_add(
        household=home,
        full_name="Lò Thị Mai",
        sex="F",
        relation_to_head="child",
        citizen_id="002301999888",
    )
    client.force_login(officer)
    page = client.get(reverse("household_list"), {"q": "999888"}).context["page"]
    assert [h.pk for h in page] == [home.pk]


def test_a_board_lists_only_its_village(client, board_a, village_a, village_b):
    mine = make_home(village_a, "Nông Văn Một")
    make_home(village_b, "Nông Văn Hai")
    client.force_login(board_a)
    response = client.get(reverse("household_list"))
    assert [h.pk for h in response.context["page"]] == [mine.pk]
    assert "Nông Văn Hai" not in response.content.decode()


def test_the_list_filters_by_class_indicator_dimension_ethnicity_and_village(
    client, officer, village_a, village_b, cycle
):
    poor = make_home(village_a, "Hộ Nghèo", ethnicity="Dao")
    near = make_home(village_b, "Hộ Cận Nghèo")
    fine = make_home(village_a, "Hộ Khá")
    services.assessment_record(
        cycle=cycle, household=poor, income_per_capita=900_000, deprived=["2.2", "4.1", "5.2"]
    )
    services.assessment_record(
        cycle=cycle, household=near, income_per_capita=1_200_000, deprived=["2.2"]
    )
    services.assessment_record(cycle=cycle, household=fine, income_per_capita=5_000_000)
    client.force_login(officer)

    def found(**params):
        page = client.get(reverse("household_list"), params).context["page"]
        return {h.pk for h in page}

    assert found(household_class="poor") == {poor.pk}
    assert found(indicator="2.2") == {poor.pk, near.pk}
    assert found(dimension="4") == {poor.pk}
    assert found(ethnicity="Dao") == {poor.pk}
    assert found(village=village_b.pk) == {near.pk}
    assert found(cycle=cycle.pk, household_class="not_poor") == {fine.pk}
    unreviewed = make_home(village_a, "Hộ Mới")
    assert found(cycle=cycle.pk, household_class="unreviewed") == {unreviewed.pk}


@pytest.mark.parametrize("value", ["", "2.2", "x", None, "a&b"])
def test_the_quick_select_writes_the_markup_of_django_select(value):
    """The filter form's selects skip Django's template per option; the markup must not change."""
    import re

    from django import forms

    from households.forms import QuickSelect

    choices = [
        ("", "—"),
        ("a&b", 'A <b> & "c"'),
        ("2.2", "2.2 Bảo hiểm y tế"),
        ("Nhóm", [("x", "X"), ("y", "Y")]),
    ]
    attrs = {"class": "form-select", "id": "id_f", "required": True}

    def html(widget):
        return re.sub(
            r">\s+<", "><", widget(choices=choices, attrs=attrs).render("f", value).strip()
        )

    quick = html(QuickSelect)
    assert quick == html(forms.Select)
    assert "<b>" not in quick and "A &lt;b&gt; &amp; &quot;c&quot;" in quick
    if value:
        assert quick.count(" selected") == 1


def test_the_ethnicity_filter_offers_the_groups_in_scope_and_accepts_a_typed_one(
    client, officer, board_a, village_a, village_b
):
    make_home(village_a, "Hộ Dao", ethnicity="Dao")
    make_home(village_b, "Hộ Mông", ethnicity="Mông")
    client.force_login(board_a)
    field = client.get(reverse("household_list")).context["form"].fields["ethnicity"]
    assert [value for value, _label in field.choices] == ["", "Dao"]  # not village B's group
    # A group the cached list lacks (added in the last minutes) still filters, and is escaped.
    make_home(village_a, "Hộ Hoa", ethnicity="Hoa <b>")
    response = client.get(reverse("household_list"), {"ethnicity": "Hoa <b>"})
    assert [h.head_name for h in response.context["page"]] == ["Hộ Hoa"]
    assert "Hoa &lt;b&gt;" in response.content.decode()
    assert "Hoa <b>" not in response.content.decode()


def test_over_a_district_the_village_is_chosen_within_a_commune(
    client, officer, viewer, district, commune, village_a, village_b
):
    from areas.tests.factories import CommuneFactory, VillageFactory

    elsewhere = VillageFactory(name="Thôn A", parent=CommuneFactory(name="Xã Bên", parent=district))
    for village in (village_a, village_b, elsewhere):
        make_home(village, f"Hộ {village.pk}")
    client.force_login(viewer)
    html = client.get(reverse("household_list")).content.decode()
    # a commune select, and no village before a commune is chosen
    assert f'<option value="{elsewhere.parent_id}">Xã Bên</option>' in html
    assert f'value="{elsewhere.pk}"' not in html and f'value="{village_a.pk}"' not in html
    assert reverse("household_village_options") in html  # the commune select's hx-get
    # without JavaScript: the submitted commune filters and offers its villages
    response = client.get(reverse("household_list"), {"commune": commune.pk})
    html = response.content.decode()
    assert {h.commune_id for h in response.context["page"]} == {commune.pk}
    assert len(response.context["page"]) == 2
    assert f'<option value="{village_a.pk}">Thôn A</option>' in html
    assert f'value="{elsewhere.pk}"' not in html
    # a link with a village alone ("?village=…") selects its commune too
    response = client.get(reverse("household_list"), {"village": elsewhere.pk})
    html = response.content.decode()
    assert [h.village_id for h in response.context["page"]] == [elsewhere.pk]
    assert f'<option value="{elsewhere.pk}" selected>' in html
    assert f'<option value="{elsewhere.parent_id}" selected>' in html
    # the commune changed, the old village kept in the query: the commune's households
    response = client.get(
        reverse("household_list"), {"commune": commune.pk, "village": elsewhere.pk}
    )
    assert {h.commune_id for h in response.context["page"]} == {commune.pk}
    client.force_login(officer)  # one commune: a plain village list, no commune field
    response = client.get(reverse("household_list"))
    html = response.content.decode()
    assert "commune" not in response.context["form"].fields
    assert f'<option value="{village_a.pk}">Thôn A</option>' in html
    assert reverse("household_village_options") not in html


def test_the_village_options_are_those_of_the_commune_the_user_may_see(
    client, viewer, board_a, other_officer, commune, village_a, village_b
):
    for village in (village_a, village_b):
        make_home(village, f"Hộ {village.pk}")
    url = reverse("household_village_options")
    client.force_login(viewer)
    html = client.get(url, {"commune": commune.pk}).content.decode()
    assert f'<option value="{village_a.pk}">Thôn A</option>' in html
    assert f'<option value="{village_b.pk}">' in html
    assert "chọn xã trước" in client.get(url, {"commune": ""}).content.decode()
    assert client.get(url, {"commune": "x"}).status_code == 404
    client.force_login(board_a)  # its commune is visible, its neighbour's village is not
    html = client.get(url, {"commune": commune.pk}).content.decode()
    assert f'value="{village_a.pk}"' in html and f'value="{village_b.pk}"' not in html
    assert '<option value="">— tất cả —</option>' in html  # the field's own empty label
    client.force_login(other_officer)  # another commune's officer: not found
    assert client.get(url, {"commune": commune.pk}).status_code == 404


def test_communes_of_one_name_stay_apart_in_the_commune_filter(client, administrator, district):
    from areas.tests.factories import CommuneFactory, DistrictFactory, VillageFactory

    other_district = DistrictFactory(name="Huyện Kia", code="035", parent=district.parent)
    here = VillageFactory(name="Thôn 1", parent=CommuneFactory(name="Xã Tân Lập", parent=district))
    there = VillageFactory(
        name="Thôn 1", parent=CommuneFactory(name="Xã Tân Lập", parent=other_district)
    )
    for village in (here, there):
        make_home(village, f"Hộ {village.pk}")
    client.force_login(administrator)
    html = client.get(reverse("household_list")).content.decode()
    assert f'<option value="{here.parent_id}">Xã Tân Lập (Huyện Bắc Quang)</option>' in html
    assert f'<option value="{there.parent_id}">Xã Tân Lập (Huyện Kia)</option>' in html


def test_the_commune_choices_are_kept_per_scope_for_a_few_minutes(
    client, administrator, district, village_a, other_village
):
    from accounts.tests.factories import UserFactory
    from areas.tests.factories import CommuneFactory

    CommuneFactory(name="Xã Bình An", parent=district)
    viewer = UserFactory(username="district_list", membership=(district, "viewer"))
    client.force_login(administrator)
    html = client.get(reverse("household_list")).content.decode()
    assert "Xã Khác" in html and "Xã Bình An" in html  # every commune
    CommuneFactory(name="Xã Mới Lập", parent=district)
    html = client.get(reverse("household_list")).content.decode()
    assert "Xã Mới Lập" not in html  # kept: shown once the cache expires
    client.force_login(viewer)  # another scope: its own choices, the new commune among them
    html = client.get(reverse("household_list")).content.decode()
    assert "Xã Mới Lập" in html and "Xã Khác" not in html


def test_the_list_paginates_sorts_and_counts(client, officer, village_a):
    for i in range(30):
        HouseholdFactory(village=village_a, code=f"P{i:03d}", head_name=f"Chủ hộ {29 - i:02d}")
    client.force_login(officer)
    response = client.get(reverse("household_list"), {"sort": "head_name"})
    page = response.context["page"]
    assert page.paginator.count == 30 and len(page) == 25
    assert page[0].head_name == "Chủ hộ 00"
    assert "30 hộ" in response.content.decode()
    assert len(client.get(reverse("household_list"), {"page": 2}).context["page"]) == 5


def test_the_list_sorted_by_head_is_in_vietnamese_order(client, officer, village_a):
    for head in ["Ưng Văn E", "Đỗ Thị C", "Uông Văn D", "Dương Văn B", "Âu Thị A", "An Văn A"]:
        make_home(village_a, head, members=0)
    client.force_login(officer)

    def shown():
        page = client.get(reverse("household_list"), {"sort": "head_name"}).context["page"]
        return [h.head_name for h in page]

    assert shown() == ["An Văn A", "Âu Thị A", "Dương Văn B", "Đỗ Thị C", "Uông Văn D", "Ưng Văn E"]
    home = Household.objects.get(head_name="Ưng Văn E")
    services.household_update(household=home, head_name="Anh Văn E")  # the service keeps it
    assert shown() == ["An Văn A", "Anh Văn E", "Âu Thị A", "Dương Văn B", "Đỗ Thị C", "Uông Văn D"]


def test_villages_and_communes_are_offered_in_vietnamese_order(
    client, officer, viewer, district, commune, village_a
):
    from areas.tests.factories import CommuneFactory, VillageFactory

    names = ["Thôn 10", "Đồng Tâm", "Thôn 2", "Dốc Đỏ"]
    villages = [VillageFactory(name=name, parent=commune) for name in names]
    for village in villages:
        make_home(village, f"Hộ {village.pk}", members=0)
    client.force_login(officer)
    html = client.get(reverse("household_list")).content.decode()
    found = [html.index(f'<option value="{v.pk}">{v.name}</option>') for v in villages]
    assert [names[i] for i in sorted(range(4), key=found.__getitem__)] == [
        "Dốc Đỏ",
        "Đồng Tâm",
        "Thôn 2",
        "Thôn 10",
    ]
    form = client.get(reverse("household_create")).context["form"]
    offered = [label for _value, label in form.fields["village"].choices]
    assert offered == ["Dốc Đỏ", "Đồng Tâm", "Thôn 2", "Thôn 10", village_a.name]  # "Thôn A"
    # over a district: communes in that order too
    for name in ["Xã Đông", "Xã Dương"]:
        make_home(
            VillageFactory(name="Thôn 1", parent=CommuneFactory(name=name, parent=district)), name
        )
    client.force_login(viewer)
    html = client.get(reverse("household_list")).content.decode()
    communes = [html.index(f">{n}</option>") for n in ["Xã Dương", "Xã Đông", commune.name]]
    assert communes == sorted(communes)


def test_the_list_query_count_does_not_grow_with_households(
    client, officer, village_a, cycle, django_assert_max_num_queries
):
    for _ in range(3):
        services.assessment_record(
            cycle=cycle,
            household=make_home(village_a, "Lý Văn A"),
            income_per_capita=900_000,
            deprived=["2.2"],
        )
    client.force_login(officer)
    client.get(reverse("household_list"))  # warm the session
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("household_list"), {"q": "ly", "indicator": "2.2"})
    for _ in range(20):
        services.assessment_record(
            cycle=cycle,
            household=make_home(village_a, "Lý Văn B"),
            income_per_capita=900_000,
            deprived=["2.2"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("household_list"), {"q": "ly", "indicator": "2.2"})


# --- household page ---------------------------------------------------------------------------


def test_the_household_page_groups_deprivations_and_shows_history(
    client, officer, village_a, cycle
):
    home = make_home(village_a, "Triệu Văn Sơn")
    services.assessment_record(
        cycle=cycle,
        household=home,
        income_per_capita=800_000,
        deprived=["2.2", "4.1", "6.1"],
        user=officer,
    )
    client.force_login(officer)
    html = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert "2. Y tế" in html and "4. Nhà ở" in html and "6. Tiếp cận thông tin" in html
    assert "Hộ nghèo" in html and "Lịch sử thay đổi" in html
    assert "officer" in html  # who recorded the result


def test_the_household_page_runs_a_bounded_number_of_queries(
    client, officer, village_a, cycle, django_assert_max_num_queries
):
    home = make_home(village_a, "Hà Văn Long", members=6)
    services.assessment_record(
        cycle=cycle, household=home, income_per_capita=800_000, deprived=["2.2", "4.1", "6.1"]
    )
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("household_detail", args=[home.pk])).status_code == 200


def test_a_viewer_sees_no_edit_controls(client, viewer, village_a, cycle):
    home = make_home(village_a, "Sầm Văn Ba")
    client.force_login(viewer)
    html = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert "Sầm Văn Ba" in html
    assert 'data-testid="edit-controls"' not in html
    assert reverse("household_edit", args=[home.pk]) not in html


# --- edit forms ------------------------------------------------------------------------------


def test_an_officer_creates_a_household_with_its_members(client, officer, village_a):
    client.force_login(officer)
    data = household_form_data(
        village_a,
        count=2,
        members=[
            {
                "full_name": "Hoàng Văn Nam",
                "sex": "M",
                "relation_to_head": "head",
                "date_of_birth": "1980-02-03",
                "citizen_id": "002080123456",
            },
            {
                "full_name": "Hoàng Thị Lan",
                "sex": "F",
                "relation_to_head": "spouse",
                "date_of_birth": "1984-05-06",
            },
        ],
    )
    response = client.post(reverse("household_create"), data)
    assert response.status_code == 302
    home = Household.objects.get(code="N-1")
    assert home.members.count() == 2 and home.village == village_a
    assert client.get(reverse("household_list"), {"q": "hoang thi lan"}).context["page"][0] == home


def test_a_second_identical_submit_creates_nothing_twice(client, officer, village_a):
    client.force_login(officer)
    data = household_form_data(village_a)
    client.post(reverse("household_create"), data)
    again = client.post(reverse("household_create"), data)
    assert again.status_code == 200 and "Mã hộ này đã có trong xã" in again.content.decode()
    assert Household.objects.filter(code="N-1").count() == 1 and Member.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"members-0-date_of_birth": "2999-01-01"}, "members-0-date_of_birth", "tương lai"),
        ({"floor_area_m2": "0"}, "floor_area_m2", "lớn hơn 0"),
        ({"floor_area_m2": "-4"}, "floor_area_m2", "lớn hơn 0"),
        ({"members-0-citizen_id": "12345"}, "members-0-citizen_id", "12 chữ số"),
    ],
)
def test_bad_household_input_is_refused_next_to_the_field(
    client, officer, village_a, change, field, message
):
    client.force_login(officer)
    before = counts()
    response = client.post(
        reverse("household_create"), {**household_form_data(village_a), **change}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-error-for="{field}"' in html and message in html
    assert counts() == before


def test_a_citizen_id_of_someone_in_another_household_is_refused(
    client, officer, village_a, village_b
):
    other = make_home(village_b, "Chu Văn Khác")
    services.member_add(
        household=other,
        full_name="Chu Văn Con",
        sex="M",
        relation_to_head="child",
        citizen_id="002301000777",
    )
    client.force_login(officer)
    before = counts()
    data = household_form_data(village_a)
    data["members-0-citizen_id"] = "002301000777"
    html = client.post(reverse("household_create"), data).content.decode()
    assert "đã được dùng" in html and counts() == before


def test_a_board_cannot_create_a_household_in_another_village(client, board_a, village_b):
    client.force_login(board_a)
    response = client.post(reverse("household_create"), household_form_data(village_b))
    assert response.status_code == 200 and not Household.objects.exists()
    assert 'data-error-for="village"' in response.content.decode()


def test_a_second_editor_gets_a_conflict_not_an_overwrite(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=1)
    client.force_login(officer)
    member = home.members.get()

    def edit(head):
        data = household_form_data(village_a, code=home.code, head=head, version=home.version)
        data.update(
            {"members-INITIAL_FORMS": 1, "members-0-id": member.pk, "members-0-household": home.pk}
        )
        data["members-0-full_name"] = member.full_name
        return client.post(reverse("household_edit", args=[home.pk]), data)

    assert edit("Vi Văn Hải Một").status_code == 302
    second = edit("Vi Văn Hải Hai")  # opened at the same version as the first
    html = second.content.decode()
    assert second.status_code == 200 and 'data-testid="conflict"' in html
    assert "Vi Văn Hải Một" in html  # shows what the other person saved
    home.refresh_from_db()
    assert home.head_name == "Vi Văn Hải Một"


# --- review entry ----------------------------------------------------------------------------


def review_data(version=0, income="900000", b1="", ticks=(), reasons=None):
    data = {"income_per_capita": income, "b1_score": b1, "version": version}
    for code in ticks:
        data[f"ind_{code.replace('.', '_')}"] = "on"
    for code, reason in (reasons or {}).items():
        data[f"reason_{code.replace('.', '_')}"] = reason
    return data


def test_a_board_records_a_result_and_the_class_is_computed(client, board_a, village_a, cycle):
    home = make_home(village_a, "Lục Văn Tâm")
    client.force_login(board_a)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    response = client.post(url, review_data(ticks=["1.1", "3.1", "6.2"]))
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert (a.household_class, a.deprived_codes, a.recorded_by) == ("poor", "1.1,3.1,6.2", board_a)


def test_the_preview_uses_the_rule(client, officer, village_a, cycle):
    home = make_home(village_a, "Lục Văn Tâm")
    client.force_login(officer)
    url = reverse("review_preview", args=[home.pk, cycle.pk])
    html = client.post(url, review_data(ticks=["1.1", "3.1"])).content.decode()
    assert "Hộ cận nghèo" in html
    html = client.post(url, review_data(ticks=["1.1", "3.1", "6.2"])).content.decode()
    assert "Hộ nghèo" in html and "B2 = 30" in html
    assert "Cần nhập" in client.post(url, review_data(income="")).content.decode()
    assert not Assessment.objects.exists()


def test_an_income_as_text_is_refused_next_to_the_field(client, officer, village_a, cycle):
    home = make_home(village_a, "Lục Văn Tâm")
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    html = client.post(url, review_data(income="một triệu")).content.decode()
    assert 'data-error-for="income_per_capita"' in html and not Assessment.objects.exists()


def test_answering_against_derived_data_needs_a_reason(client, officer, village_a, cycle):
    home = make_home(village_a, "Đinh Văn Hòa")
    services.member_add(
        household=home,
        full_name="Đinh Thị Bé",
        sex="F",
        relation_to_head="child",
        date_of_birth=datetime.date(2015, 1, 1),
        has_health_insurance=False,
    )
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    page = client.get(url).content.decode()
    assert "theo dữ liệu" in page  # 2.2 is derived from the members' health insurance
    refused = client.post(url, review_data(ticks=[]))
    assert 'data-error-for="reason_2_2"' in refused.content.decode()
    assert not Assessment.objects.exists()
    client.post(url, review_data(ticks=[], reasons={"2.2": "Đã có thẻ BHYT, chưa cập nhật"}))
    override = IndicatorOverride.objects.get()
    assert (override.indicator.code, override.derived_deprived, override.recorded_deprived) == (
        "2.2",
        True,
        False,
    )
    assert override.reason == "Đã có thẻ BHYT, chưa cập nhật"


def test_two_officers_saving_the_same_result_get_a_conflict(client, officer, village_a, cycle):
    home = make_home(village_a, "Lương Văn Cao")
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    assert client.post(url, review_data(version=0, ticks=["6.1"])).status_code == 302
    second = client.post(url, review_data(version=0, ticks=["6.1", "6.2", "3.1"]))
    assert 'data-testid="conflict"' in second.content.decode()
    assert Assessment.objects.get().deprived_codes == "6.1"


def test_a_double_submit_of_a_result_saves_once(client, officer, village_a, cycle):
    home = make_home(village_a, "Lương Văn Cao")
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    data = review_data(version=0, ticks=["6.1"])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Assessment.objects.get().version == 1
    assert Assessment.history.count() == 1


def test_a_finalised_cycle_is_read_only_with_a_message(client, officer, village_a, cycle):
    home = make_home(village_a, "Lương Văn Cao")
    services.assessment_record(cycle=cycle, household=home, income_per_capita=5_000_000)
    services.review_cycle_finalise(cycle=cycle, user=officer)
    client.force_login(officer)
    url = reverse("review_entry", args=[home.pk, cycle.pk])
    response = client.post(url, review_data(ticks=["2.2"]), follow=True)
    assert "đã chốt" in response.content.decode()
    kept = Assessment.objects.get()
    assert kept.income_per_capita == 5_000_000 and kept.deprived_codes == ""


def test_the_interface_switches_to_english(client, officer):
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("household_list")).content.decode()
    assert 'lang="en"' in html


def test_the_dashboard_of_a_district_viewer_shows_progress_per_commune(
    client, viewer, village_a, cycle, django_assert_max_num_queries
):
    services.assessment_record(
        cycle=cycle,
        household=make_home(village_a, "Hộ Một"),
        income_per_capita=900_000,
        deprived=["6.1", "6.2", "3.1"],
    )
    make_home(village_a, "Hộ Hai")
    client.force_login(viewer)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboard"))
    rows = response.context["progress"]
    assert [(r["village"].name, r["households"], r["reviewed"], r["poor"]) for r in rows] == [
        ("Xã Vĩnh Hảo", 2, 1, 1)
    ]


def test_the_review_form_runs_a_bounded_number_of_queries(
    client, officer, village_a, cycle, django_assert_max_num_queries
):
    home = make_home(village_a, "Hộ Ba", members=8)
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("review_entry", args=[home.pk, cycle.pk])).status_code == 200


def test_list_counts_are_in_vietnamese_number_format(client, officer, commune, village_a):
    Household.objects.bulk_create(
        Household(commune=commune, village=village_a, code=f"VH-{i:05d}", head_name=f"Chủ hộ {i}")
        for i in range(1001)
    )
    client.force_login(officer)
    text = client.get("/households/").text
    assert "1.001 hộ" in text and "Trang 1/41" in text
