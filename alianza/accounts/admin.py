"""The administrators' site: users, institutions and reference data. Never case content."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts.models import ApiToken, Institution, User


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    list_display = ["name", "short_name", "type", "country", "is_active"]
    list_filter = ["type", "country", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class AlianzaUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "institution", "role", "is_active"]
    list_filter = ["role", "institution", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Alianza", {"fields": ("institution", "role", "preferred_language")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Alianza", {"fields": ("institution", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    list_filter = ["revoked_at"]


# Authenticator secrets are nobody's business but their owner's, and roles replace groups.
for model in (TOTPDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# Models that may appear on the administrators' site ("app_label.model"). Case content never does;
# apps with reference data (taxonomies, places) add their models here. A test fails if anything
# else is registered.
ADMIN_ALLOWED_MODELS = {
    "accounts.institution",
    "accounts.user",
    "accounts.apitoken",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "cases.referenceterm",
    "cases.bordercrossing",
    "protection.serviceprovider",
    "protection.riskquestion",
}
