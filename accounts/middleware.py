"""Login hardening that runs on every request: two-factor enforcement, idle session expiry and
the Permissions-Policy header (docs/decisions.md, "Logins and headers")."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# What a view marked with ``two_factor_allows`` is open to (accounts/views.py marks its own).
UNVERIFIED = "unverified"  # a session that has the password but not yet the second factor
UNENROLLED = "unenrolled"  # a user who must enrol in two-factor login and has not yet


def two_factor_allows(state: str):
    def mark(view):
        view.two_factor_allows = state
        return view

    return mark


def has_confirmed_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _redirect(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class TwoFactorMiddleware:
    """A user with an authenticator app gives its code after the password before any page opens;
    a user who must use two-factor login and has not enrolled sees only the enrolment page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        allows = getattr(view_func, "two_factor_allows", None)
        if allows == UNVERIFIED:
            return None
        if has_confirmed_device(user):
            return _redirect("two_factor_verify", request)
        if user.must_use_two_factor and allows != UNENROLLED:
            return _redirect("two_factor_setup", request)
        return None


class SessionIdleMiddleware:
    """Sliding expiry: the session lives SESSION_COOKIE_AGE seconds after the last request that
    touched it. The session is touched at most once a minute, so a page that polls (imports) or
    a burst of htmx requests does not write the session row every time."""

    TOUCH_EVERY = 60  # seconds
    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_COOKIE_AGE:
                # The store should have dropped it already; a backend that keeps stale sessions
                # (signed cookies, a cache without expiry) is caught here.
                logout(request)
            elif last_seen is None or now - last_seen >= self.TOUCH_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


def mark_seen_at_login(sender, request, user, **kwargs) -> None:
    """Connected to ``user_logged_in``: the login's own session save records the first touch."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionIdleMiddleware.KEY] = int(time.time())


def client_address(request) -> str | None:
    """The client's address for django-axes' per-address count. Behind the proxy, the right-most
    X-Forwarded-For entry: entries to its left come from the client and can be forged."""
    if settings.LOGIN_ADDRESS_FROM_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header from settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
