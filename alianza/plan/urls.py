from django.urls import path

from alianza.plan import views

app_name = "plan"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path(
        "indicators/<int:indicator_id>/measurements/",
        views.measurement_record,
        name="measurement_record",
    ),
]
