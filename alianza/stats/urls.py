from django.urls import path

from alianza.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public_dashboard, name="public_dashboard"),
    path("glotip/", views.glotip_download, name="glotip_download"),
    path("microdata/", views.microdata_download, name="microdata_download"),
    path("report/", views.report_download, name="report_download"),
    path("privacy/", views.privacy_release, name="privacy_release"),
    path("population/", views.population, name="population"),
]
