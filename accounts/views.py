"""Login pages of the project's own: the lockout page, two-factor enrolment, recovery codes and
the second step of login (docs/decisions.md, "Logins and headers")."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.util import random_hex

from areas.scoping import SELF

from . import services
from .access import public, requires
from .forms import TokenForm
from .middleware import UNENROLLED, UNVERIFIED, has_confirmed_device, two_factor_allows


@public  # django-axes' answer to a locked-out login (settings.AXES_LOCKOUT_CALLABLE)
def lockout(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out login with: the login page and one message, the
    same whether or not the username exists."""
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # Safe: the SVG is drawn by qrcode from the otpauth URI, nothing else goes into it.
    return mark_safe(image.to_string(encoding="unicode"))


def _verified(request, device) -> None:
    otp_login(request, device)
    # A new session key once the second factor is given, as after the password.
    request.session.cycle_key()


PENDING_KEY = "two_factor_pending_key"


@requires(SELF)
@never_cache
@two_factor_allows(UNENROLLED)
def two_factor_setup(request):
    """Enrolment: the authenticator app scans the QR code (or takes the otpauth link) and its
    first code confirms it; the recovery codes are then shown, once."""
    user = request.user
    key = request.session.get(PENDING_KEY)
    if key is None:
        key = request.session[PENDING_KEY] = random_hex(20)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        device = services.totp_device_enrol(user=user, key=key, token=token)
        if device is not None:
            del request.session[PENDING_KEY]
            _verified(request, device)
            codes = services.recovery_codes_create(user=user)
            messages.success(request, _("Đã bật xác thực hai bước."))
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("token", _("Mã không đúng. Hãy nhập mã đang hiện trong ứng dụng."))
    device = services.totp_device_unsaved(user=user, key=key)
    context = {
        "form": form,
        "enrolled": has_confirmed_device(user),
        "required": user.must_use_two_factor,
        "otpauth_uri": device.config_url,
        "qr_svg": _qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "codes_left": StaticToken.objects.filter(device__user=user).count(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@requires(SELF)
@never_cache
@require_POST
def recovery_codes_renew(request):
    if not has_confirmed_device(request.user):
        return redirect("two_factor_setup")
    codes = services.recovery_codes_create(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


@requires(SELF)
@require_POST
def two_factor_disable(request):
    if request.user.must_use_two_factor:
        messages.error(request, _("Tài khoản này bắt buộc dùng xác thực hai bước."))
    else:
        services.two_factor_disable(user=request.user)
        messages.success(request, _("Đã tắt xác thực hai bước."))
    return redirect("two_factor_setup")


@requires(SELF)
@never_cache
@two_factor_allows(UNVERIFIED)
def two_factor_verify(request):
    """The second step of login: a code from the app, or one of the recovery codes."""
    user = request.user
    if user.is_verified() or not has_confirmed_device(user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("Đã dùng một mã dự phòng; còn %(n)s mã. Hãy tạo bộ mã mới khi sắp hết.")
                    % {"n": left},
                )
            return redirect(_next_url(request))
        form.add_error("token", _("Mã không đúng hoặc đã được dùng."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
