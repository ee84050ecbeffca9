from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from alianza.api.v1 import api

admin.site.site_header = "Alianza"
admin.site.site_title = "Alianza"

urlpatterns = [
    path("", include("alianza.core.urls")),
    path("accounts/", include("alianza.accounts.urls")),
    path("audit/", include("alianza.audit.urls")),
    path("protection/", include("alianza.protection.urls")),
    path("stats/", include("alianza.stats.urls")),
    path("plan/", include("alianza.plan.urls")),
    path("agreements/", include("alianza.agreements.urls")),
    path("exchange/", include("alianza.exchange.urls")),
    path("cases/", include("alianza.cases.urls")),
    path("people/", include("alianza.people.urls")),
    path("linkage/", include("alianza.linkage.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]

handler403 = "alianza.core.errors_views.permission_denied"
handler404 = "alianza.core.errors_views.page_not_found"
handler500 = "alianza.core.errors_views.server_error"
