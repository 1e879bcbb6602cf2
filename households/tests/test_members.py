"""Members on the household form: rows added in one save, the count taken from the rows, a
removal's reason kept in history, and members split off into a new household."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from households import services
from households.history import household_history
from households.models import Household, Member
from households.tests.test_views import household_form_data, make_home

pytestmark = pytest.mark.django_db

SIX = [
    {"full_name": name, "sex": sex, "relation_to_head": relation, "date_of_birth": born}
    for name, sex, relation, born in [
        ("Hoàng Văn Nam", "M", "head", "1970-01-02"),
        ("Lò Thị Mai", "F", "spouse", "1972-05-06"),
        ("Hoàng Văn An", "M", "child", "1995-03-04"),
        ("Hoàng Thị Bình", "F", "child", "1998-07-08"),
        ("Hoàng Văn Cường", "M", "child", "2005-09-10"),
        ("Hoàng Văn Dũng", "M", "parent", "1945-11-12"),
    ]
]


def edit_data(home, *, removed=None, split_code="", split_on=""):
    """The edit form of ``home`` as the page posts it, ``removed`` = {member: (reason, note)}."""
    members = list(home.members.order_by("id"))
    data = household_form_data(
        home.village, code=home.code, head=home.head_name, version=home.version, members=[]
    )
    data.update(
        {
            "members-TOTAL_FORMS": len(members),
            "members-INITIAL_FORMS": len(members),
            "split-code": split_code,
            "split-on": split_on,
        }
    )
    for i, m in enumerate(members):
        data.update(
            {
                f"members-{i}-id": m.pk,
                f"members-{i}-household": home.pk,
                f"members-{i}-full_name": m.full_name,
                f"members-{i}-sex": m.sex,
                f"members-{i}-relation_to_head": m.relation_to_head,
                f"members-{i}-date_of_birth": m.date_of_birth.isoformat(),
                f"members-{i}-has_health_insurance": "on" if m.has_health_insurance else "",
            }
        )
        if m in (removed or {}):
            reason, note = removed[m]
            data.update(
                {
                    f"members-{i}-DELETE": "on",
                    f"members-{i}-removal_reason": reason,
                    f"members-{i}-removal_note": note,
                }
            )
    return data


def deletion_reasons(home_pk):
    return set(
        Member.history.filter(household_id=home_pk, history_type="-").values_list(
            "full_name", "history_change_reason"
        )
    )


# --- one save, the count from the rows ---------------------------------------------------------


def test_a_board_creates_a_six_member_household_in_one_save(client, board_a, village_a):
    client.force_login(board_a)
    data = household_form_data(village_a, members=SIX)
    data.pop("member_count")  # not typed any more
    response = client.post(reverse("household_create"), data)
    assert response.status_code == 302
    home = Household.objects.get(code="N-1")
    assert home.village == village_a
    assert list(home.members.values_list("full_name", flat=True)) == [m["full_name"] for m in SIX]


def test_the_form_has_no_typed_member_count_and_shows_the_rows_count(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=3)
    client.force_login(officer)
    html = client.get(reverse("household_edit", args=[home.pk])).content.decode()
    assert 'name="member_count"' not in html
    assert "data-member-count>3<" in html
    assert "data-member-template" in html and "js/members.js" in html


def test_a_household_without_any_member_row_is_refused(client, officer, village_a):
    client.force_login(officer)
    response = client.post(reverse("household_create"), household_form_data(village_a, members=[]))
    assert response.status_code == 200
    assert "ít nhất một thành viên" in response.content.decode()
    assert not Household.objects.exists()


def test_the_review_snapshot_counts_the_members_from_the_rows(
    client, officer, village_a, poverty_standards, commune
):
    from households.tests.factories import ReviewCycleFactory

    client.force_login(officer)
    client.post(reverse("household_create"), household_form_data(village_a, members=SIX))
    home = Household.objects.get(code="N-1")
    cycle = ReviewCycleFactory(commune=commune, year=2024)
    result = services.assessment_record(cycle=cycle, household=home, income_per_capita=900_000)
    assert result.member_count == 6


# --- removal with a reason ----------------------------------------------------------------------


def test_removing_a_member_keeps_the_reason_in_history(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=3)
    client.force_login(officer)
    gone, moved = list(home.members.order_by("id"))[1:]
    data = edit_data(home, removed={gone: ("died", ""), moved: ("other", "Đi nghĩa vụ quân sự")})
    assert client.post(reverse("household_edit", args=[home.pk]), data).status_code == 302
    assert list(home.members.values_list("full_name", flat=True)) == ["Vi Văn Hải"]
    assert deletion_reasons(home.pk) == {
        ("Vi Văn Hải 1", "Mất"),
        ("Vi Văn Hải 2", "Khác: Đi nghĩa vụ quân sự"),
    }
    html = client.get(reverse("household_detail", args=[home.pk])).content.decode()
    assert "Lý do: Mất" in html and "Khác: Đi nghĩa vụ quân sự" in html


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("", "", "Hãy chọn lý do bỏ thành viên này khỏi hộ."),
        ("other", "", "Lý do “Khác”: hãy ghi rõ lý do."),
    ],
)
def test_a_removal_without_a_reason_is_refused(client, officer, village_a, reason, note, message):
    home = make_home(village_a, "Vi Văn Hải", members=2)
    client.force_login(officer)
    member = home.members.order_by("id").last()
    data = edit_data(home, removed={member: (reason, note)})
    response = client.post(reverse("household_edit", args=[home.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "chưa ghi lý do" in html
    assert home.members.count() == 2


def test_the_last_member_cannot_be_removed(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=1)
    client.force_login(officer)
    data = edit_data(home, removed={home.members.get(): ("moved", "")})
    response = client.post(reverse("household_edit", args=[home.pk]), data)
    assert "ít nhất một thành viên" in response.content.decode()
    assert home.members.count() == 1


def test_the_page_asks_for_confirmation_before_a_removal(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=2)
    client.force_login(officer)
    html = client.get(reverse("household_edit", args=[home.pk])).content.decode()
    assert "data-remove-question=" in html and "{names}" in html
    assert "Kết hôn chuyển đi" in html and "Tách hộ" in html


# --- split into a new household ----------------------------------------------------------------


def test_split_members_form_a_new_household_with_its_entry_date(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=4)
    client.force_login(officer)
    rows = list(home.members.order_by("id"))
    day = timezone.localdate() - datetime.timedelta(days=3)
    data = edit_data(
        home,
        removed={rows[2]: ("split", ""), rows[3]: ("split", ""), rows[1]: ("married", "")},
        split_code="VH-T1",
        split_on=day.isoformat(),
    )
    response = client.post(reverse("household_edit", args=[home.pk]), data, follow=True)
    assert "Đã tạo hộ VH-T1 (tách hộ) với 2 thành viên." in response.content.decode()
    new = Household.objects.get(code="VH-T1")
    assert (new.village, new.commune, new.joined_registry_on, new.joined_how) == (
        village_a,
        home.commune,
        day,
        Household.Joined.SPLIT,
    )
    assert new.head_name == "Vi Văn Hải 2"
    assert list(new.members.values_list("full_name", "relation_to_head")) == [
        ("Vi Văn Hải 2", "head"),
        ("Vi Văn Hải 3", "child"),
    ]
    assert home.members.count() == 1
    assert deletion_reasons(home.pk) == {
        ("Vi Văn Hải 1", "Kết hôn chuyển đi"),
        ("Vi Văn Hải 2", "Tách hộ: sang hộ VH-T1"),
        ("Vi Văn Hải 3", "Tách hộ: sang hộ VH-T1"),
    }
    arrived = [e for e in household_history(new) if e.kind == "Tạo mới" and e.reason]
    assert {e.reason for e in arrived} == {f"Tách từ hộ {home.code}"}
    assert Household.objects.in_registry_at(day).filter(pk=new.pk).exists()
    assert not Household.objects.in_registry_at(day - datetime.timedelta(days=1)).filter(pk=new.pk)


def test_a_double_post_of_a_split_writes_once(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=3)
    client.force_login(officer)
    last = home.members.order_by("id").last()
    data = edit_data(home, removed={last: ("split", "")}, split_code="VH-T2")
    url = reverse("household_edit", args=[home.pk])
    assert client.post(url, data).status_code == 302
    client.post(url, data)
    assert Household.objects.filter(code="VH-T2").count() == 1
    assert Member.objects.filter(household__code="VH-T2").count() == 1
    assert home.members.count() == 2
    assert Household.objects.count() == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Có thành viên tách hộ: hãy nhập mã của hộ mới."),
        ("TAKEN", "Mã hộ TAKEN đã có trong xã."),
    ],
)
def test_a_split_without_a_new_code_or_with_a_used_one_is_refused(
    client, officer, village_a, village_b, code, message
):
    make_home(village_b, "Chu Văn Khác", code="TAKEN", members=1)
    home = make_home(village_a, "Vi Văn Hải", members=2)
    client.force_login(officer)
    last = home.members.order_by("id").last()
    data = edit_data(home, removed={last: ("split", "")}, split_code=code)
    response = client.post(reverse("household_edit", args=[home.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'data-error-for="split-code"' in html
    assert home.members.count() == 2 and Household.objects.count() == 2
    assert not Member.history.filter(history_type="-").exists()


def test_a_split_date_in_the_future_is_refused(officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=2)
    member = home.members.order_by("id").last()
    later = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.members_save(
            household=home,
            changed=[],
            removals=[services.MemberRemoval(member, services.Removal.SPLIT)],
            split=services.Split("NEW", later),
        )
    assert exc.value.message_dict == {"split_on": ["Ngày tách hộ không được sau hôm nay."]}
    assert home.members.count() == 2 and not Household.objects.filter(code="NEW").exists()


def test_the_service_keeps_a_members_citizen_id_through_a_split(village_a):
    home = make_home(village_a, "Vi Văn Hải", members=2)
    member = home.members.order_by("id").last()
    Member.objects.filter(pk=member.pk).update(citizen_id="012345678901")
    member.refresh_from_db()
    new = services.members_save(
        household=home,
        changed=[],
        removals=[services.MemberRemoval(member, services.Removal.SPLIT)],
        split=services.Split("NEW-1"),
    )
    assert new.joined_registry_on == timezone.localdate()
    assert new.members.get().citizen_id == "012345678901"
    assert "012345678901" in new.search_text


# --- scoping -----------------------------------------------------------------------------------


def test_a_board_edits_only_its_own_villages_households(client, board_a, village_b):
    home = make_home(village_b, "Chu Văn Khác", members=2)
    client.force_login(board_a)
    url = reverse("household_edit", args=[home.pk])
    assert client.get(url).status_code == 404
    last = home.members.order_by("id").last()
    data = edit_data(home, removed={last: ("split", "")}, split_code="X-1")
    assert client.post(url, data).status_code == 404
    assert home.members.count() == 2 and not Household.objects.filter(code="X-1").exists()


def test_a_board_creates_only_in_its_own_village(client, board_a, village_b):
    client.force_login(board_a)
    response = client.post(reverse("household_create"), household_form_data(village_b))
    assert response.status_code == 200 and not Household.objects.exists()


def test_the_edit_page_query_count_is_pinned(
    client, officer, village_a, django_assert_max_num_queries
):
    home = make_home(village_a, "Vi Văn Hải", members=6)
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("household_edit", args=[home.pk])).status_code == 200


def test_a_double_post_of_an_edit_adding_a_member_adds_it_once(client, officer, village_a):
    home = make_home(village_a, "Vi Văn Hải", members=1)
    client.force_login(officer)
    data = edit_data(home)
    data.update(
        {
            "members-TOTAL_FORMS": 2,
            "members-1-full_name": "Vi Thị Mới",
            "members-1-sex": "F",
            "members-1-relation_to_head": "child",
            "members-1-date_of_birth": "2020-01-01",
        }
    )
    url = reverse("household_edit", args=[home.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert list(home.members.values_list("full_name", flat=True)) == ["Vi Văn Hải", "Vi Thị Mới"]
