from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["area"]


@admin.register(User)
class PovertyPlanUserAdmin(UserAdmin):
    inlines = [MembershipInline]
