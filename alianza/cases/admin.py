"""Reference data on the administrators' site. Cases, persons and participations never appear here."""

from __future__ import annotations

from django.contrib import admin

from alianza.cases.models import BorderCrossing, ReferenceTerm


@admin.register(ReferenceTerm)
class ReferenceTermAdmin(admin.ModelAdmin[ReferenceTerm]):
    list_display = ["code", "vocabulary", "label_es", "label_en", "label_pt", "htcds_value", "is_active"]
    list_filter = ["vocabulary", "is_active"]
    search_fields = ["code", "label_es", "label_en", "label_pt"]
    ordering = ["vocabulary", "sort_order"]


@admin.register(BorderCrossing)
class BorderCrossingAdmin(admin.ModelAdmin[BorderCrossing]):
    list_display = ["code", "label_es", "country", "department", "neighbour_country", "neighbour_place", "is_active"]
    list_filter = ["country", "neighbour_country", "is_active"]
    search_fields = ["code", "label_es", "neighbour_place"]
