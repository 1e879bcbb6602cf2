"""Logins (issue 11, item 4): throttling and lockout (django-axes), two-factor login (django-otp)
with recovery codes, idle session expiry and sessions ended by a password change."""

import datetime
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Membership, User
from accounts.tests.factories import UserFactory, totp_device

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"  # UserFactory's


def post_login(client, username, password, ip="10.0.0.1", next_url=""):
    return client.post(
        "/login/", {"username": username, "password": password, "next": next_url}, REMOTE_ADDR=ip
    )


def lockout_message(response) -> str:
    found = re.search(r'data-testid="lockout">(.*?)</div>', response.content.decode(), re.S)
    assert found, response.content.decode()[:500]
    return found.group(1)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


# --- throttling and lockout ------------------------------------------------------------------


def test_twenty_wrong_passwords_lock_the_user_and_the_right_one_is_refused_in_the_cooloff(
    client, officer, limits
):
    statuses = [post_login(client, "officer", f"wrong-{i}").status_code for i in range(20)]
    assert statuses[:4] == [200] * 4  # the login form again, with its error
    assert set(statuses[4:]) == {429}  # the fifth failure locks
    refused = post_login(client, "officer", PASSWORD)
    assert refused.status_code == 429
    assert not logged_in(client)
    assert "Đăng nhập tạm thời bị khóa" in lockout_message(refused)
    assert b'name="password"' in refused.content  # the login page, not a bare error page


def test_the_lockout_message_is_the_same_whether_or_not_the_user_exists(client, officer, limits):
    for i in range(6):
        existing = post_login(client, "officer", f"wrong-{i}", ip="10.0.0.1")
        missing = post_login(client, "nobody-by-this-name", f"wrong-{i}", ip="10.0.0.2")
    assert existing.status_code == missing.status_code == 429
    assert lockout_message(existing) == lockout_message(missing)
    assert "officer" not in lockout_message(existing)


def test_the_wrong_password_message_is_the_same_whether_or_not_the_user_exists(client, officer):
    existing = post_login(client, "officer", "wrong", ip="10.0.0.1")
    missing = post_login(client, "nobody-by-this-name", "wrong", ip="10.0.0.2")
    # the form's error summary (templates/_partials/form_errors.html) holds the message
    error = re.compile(r'data-testid="error-summary">(.*?)</div>', re.S)
    shown = error.search(existing.content.decode()).group(1)
    assert shown == error.search(missing.content.decode()).group(1)
    assert "<li>" in shown


def test_the_right_password_works_again_after_the_cooloff(client, officer, limits):
    for i in range(6):
        post_login(client, "officer", f"wrong-{i}")
    assert post_login(client, "officer", PASSWORD).status_code == 429
    # Sixteen minutes later (the stored attempt times moved back rather than the clock forward).
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= datetime.timedelta(minutes=16)
        attempt.save()
    response = post_login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_from_many_addresses_still_lock_the_username(client, officer, limits):
    for i in range(5):
        post_login(client, "officer", "wrong", ip=f"10.0.1.{i}")
    assert post_login(client, "officer", PASSWORD, ip="10.0.2.1").status_code == 429


def test_failures_with_many_usernames_lock_the_address_at_its_own_higher_limit(
    client, officer, limits
):
    for i in range(19):
        post_login(client, f"guess-{i}", "wrong", ip="10.0.3.1")
    # Colleagues behind the same address still log in after 19 mistakes by others...
    assert post_login(Client(), "officer", PASSWORD, ip="10.0.3.1").status_code == 302
    post_login(client, "guess-19", "wrong", ip="10.0.3.1")
    # ...not after the twentieth; another address is not affected.
    assert post_login(client, "officer", PASSWORD, ip="10.0.3.1").status_code == 429
    assert post_login(Client(), "officer", PASSWORD, ip="10.0.3.2").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, officer, limits, settings):
    settings.LOGIN_ADDRESS_FROM_PROXY = True
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 5
    proxy = "127.0.0.1"
    for i in range(5):  # a forged left-hand entry changes nothing
        client.post(
            "/login/",
            {"username": f"guess-{i}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 198.51.100.7",
        )
    direct = post_login(client, "officer", PASSWORD, ip=proxy)
    assert direct.status_code == 302  # requests without the header (the proxy's own) go on
    other = Client().post(
        "/login/",
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 429


def test_logging_in_to_ones_own_account_does_not_reset_the_count_for_another(
    client, officer, board_a, limits
):
    for _round in range(2):
        for i in range(2):
            post_login(client, "officer", f"wrong-{i}", ip="10.0.4.1")
        assert post_login(Client(), "board_a", PASSWORD, ip="10.0.4.1").status_code == 302
    post_login(client, "officer", "wrong-5", ip="10.0.4.1")  # the fifth failure for officer
    assert post_login(client, "officer", PASSWORD, ip="10.0.4.2").status_code == 429


def test_the_limit_and_cooloff_are_settings(client, officer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.LOGIN_COOLOFF_MINUTES = 3
    post_login(client, "officer", "wrong")
    locked = post_login(client, "officer", "wrong")
    assert locked.status_code == 429
    assert "3 phút" in lockout_message(locked)


def test_the_lockout_message_is_in_english_for_an_english_session(client, officer, limits):
    client.cookies["django_language"] = "en"
    for i in range(5):
        locked = post_login(client, "officer", f"wrong-{i}")
    assert "Too many failed logins" in lockout_message(locked)


# --- two-factor login -------------------------------------------------------------------------


def test_a_user_enrols_an_authenticator_app_and_gets_recovery_codes_once(client, officer):
    client.force_login(officer)
    page = client.get("/account/two-factor/")
    body = page.content.decode()
    assert re.search(r'data-testid="qr"><svg [^>]*><path d="M[^"]+"', body)
    assert "otpauth://totp/povertyplan%3Aofficer?secret=" in body
    device = services.totp_device_unsaved(
        user=officer, key=client.session["two_factor_pending_key"]
    )
    assert not TOTPDevice.objects.exists()  # opening the page stores nothing
    wrong = client.post("/account/two-factor/", {"token": "000000"})
    assert "Mã không đúng" in wrong.content.decode()
    done = client.post("/account/two-factor/", {"token": code_for(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert client.get("/").status_code == 200  # this session gave the code: verified
    again = client.get("/account/two-factor/").content.decode()
    assert codes[0] not in again  # shown once


def test_login_asks_for_the_code_after_the_password(client, officer):
    device = totp_device(officer)
    response = post_login(client, "officer", PASSWORD, next_url="/households/")
    assert response.status_code == 302
    to_code = client.get("/households/")
    assert to_code.status_code == 302
    assert to_code["Location"].startswith("/account/two-factor/verify/?next=")
    assert client.get("/reports/").status_code == 302  # every page waits for the code
    wrong = client.post("/account/two-factor/verify/", {"token": "123456", "next": "/households/"})
    assert "Mã không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's throttle delays the next try otherwise
    device.save()
    right = client.post(
        "/account/two-factor/verify/", {"token": code_for(device), "next": "/households/"}
    )
    assert right["Location"] == "/households/"
    assert client.get("/households/").status_code == 200


def test_a_recovery_code_works_once_only(client, officer):
    totp_device(officer)
    codes = services.recovery_codes_create(user=officer)
    post_login(client, "officer", PASSWORD)
    used = client.post("/account/two-factor/verify/", {"token": codes[0].upper()})
    assert used.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    post_login(client, "officer", PASSWORD)
    again = client.post("/account/two-factor/verify/", {"token": codes[0]})
    assert again.status_code == 200 and "Mã không đúng" in again.content.decode()
    assert client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, officer):
    totp_device(officer, name="verified-in-tests")
    old = services.recovery_codes_create(user=officer)
    client.force_login(officer)
    page = client.post("/account/two-factor/codes/")
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode())
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_an_administrator_without_a_device_is_sent_to_enrolment(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for path in ("/", "/households/", "/admin/", "/account/password/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/two-factor/?next="), path
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert 'data-testid="two-factor-required"' in page.content.decode()
    assert "Tắt xác thực hai bước" not in page.content.decode()
    assert client.post("/logout/").status_code == 302


def test_an_admin_membership_or_the_account_setting_demands_two_factor(client, commune, officer):
    assert not officer.must_use_two_factor
    Membership.objects.create(user=officer, area=commune, role="admin")
    assert User.objects.get(pk=officer.pk).must_use_two_factor
    flagged = UserFactory(requires_two_factor=True)
    client.force_login(flagged)
    assert client.get("/")["Location"].startswith("/account/two-factor/")


def test_a_user_not_required_may_leave_two_factor_off_or_turn_it_off(client, officer):
    client.force_login(officer)
    assert client.get("/").status_code == 200
    totp_device(officer, name="verified-in-tests")
    client.force_login(officer)
    client.post("/account/two-factor/disable/")
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_an_administrator_cannot_turn_two_factor_off(client, administrator):
    client.force_login(administrator)
    client.post("/account/two-factor/disable/")
    assert TOTPDevice.objects.filter(user=administrator).exists()


def test_admin_pages_refuse_an_administrator_session_without_the_code(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    totp_device(admin)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response["Location"].startswith("/account/two-factor/verify/")
    assert client.get("/admin/accounts/user/").status_code == 302


def test_the_admin_site_refuses_an_unverified_administrator_even_without_the_middleware(
    client, db, settings
):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.TwoFactorMiddleware"
    ]
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    totp_device(admin)
    client.force_login(admin)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_administrator_persona_is_verified_and_opens_the_admin(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/accounts/user/").status_code == 200


# --- sessions ---------------------------------------------------------------------------------


def test_the_session_cookie_lasts_the_idle_time(client, officer, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    response = post_login(client, "officer", PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_IDLE_MINUTES * 60


def test_a_request_after_the_idle_time_is_sent_to_login(client, officer):
    client.force_login(officer)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_activity_extends_the_session(client, officer, settings):
    client.force_login(officer)
    session = client.session
    session["last_seen"] = int(time.time()) - 120  # the last touch two minutes ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=2))
    assert client.get("/").status_code == 200
    expires = Session.objects.get().expire_date
    assert expires > timezone.now() + datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)


def test_a_session_idle_too_long_ends_even_if_the_store_keeps_it(client, officer, settings):
    client.force_login(officer)
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    assert client.get("/").status_code == 302
    assert not logged_in(client)


def test_a_password_change_ends_the_users_other_sessions_but_not_this_one(officer):
    here, elsewhere = Client(), Client()
    here.force_login(officer)
    elsewhere.force_login(officer)
    assert elsewhere.get("/").status_code == 200
    response = here.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-456",
            "new_password2": "another-long-pass-456",
        },
    )
    assert response["Location"] == "/account/password/done/"
    assert here.get("/").status_code == 200
    after = elsewhere.get("/")
    assert after.status_code == 302 and after["Location"].startswith("/login/")
