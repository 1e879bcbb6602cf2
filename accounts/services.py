"""Writes of the accounts app: a user's two-factor devices (django-otp).

A user has at most one authenticator app (a TOTP device) and one set of recovery codes (a static
device whose tokens are deleted as they are used). The app's device is stored only once its first
code is right, and then replaces any earlier app."""

import time

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery"


def totp_device_unsaved(*, user, key: str) -> TOTPDevice:
    """The device being enrolled, not yet stored: its secret waits in the session until the
    first code confirms it, so opening the enrolment page writes nothing."""
    return TOTPDevice(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True)


@transaction.atomic
def totp_device_enrol(*, user, key: str, token: str) -> TOTPDevice | None:
    """Stores the app's device if ``token`` is its current code; the user's earlier app is
    removed. None (and nothing written) for a wrong code."""
    device = totp_device_unsaved(user=user, key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), device.tolerance):
        return None
    device.last_t = totp.t()  # the confirming code cannot be replayed to log in
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    return device


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """A fresh set of single-use recovery codes; the earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
