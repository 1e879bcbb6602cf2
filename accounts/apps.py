from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản")
    default = True

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_seen_at_login

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="accounts.mark_seen_at_login")


class OTPAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the project's site as ``admin.site``: the site also asks
    administrators for their second factor (accounts/admin_site.py)."""

    default = False
    default_site = "accounts.admin_site.TwoFactorAdminSite"
