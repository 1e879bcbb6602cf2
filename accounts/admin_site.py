"""The admin site: Django's, refusing a session that has not given the second factor when the
user must use one (the middleware redirects such sessions first; this holds even without it)."""

from django.contrib import admin


class TwoFactorAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return verified or not user.must_use_two_factor
