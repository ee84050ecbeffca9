"""Reference data of the protection context on the administrators' site: the services directory
and the risk-assessment questions. Victims' records never appear here."""

from __future__ import annotations

from django.contrib import admin

from alianza.protection.models import RiskQuestion, ServiceProvider


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin[ServiceProvider]):
    list_display = ["name", "kind", "institution", "country", "department", "beds", "occupied_beds", "is_active"]
    list_filter = ["kind", "country", "department", "is_active"]
    search_fields = ["name", "city", "institution__name"]


@admin.register(RiskQuestion)
class RiskQuestionAdmin(admin.ModelAdmin[RiskQuestion]):
    list_display = ["code", "domain", "label_es", "label_en", "label_pt", "sort_order", "is_active"]
    list_filter = ["domain", "is_active"]
    ordering = ["domain", "sort_order"]
