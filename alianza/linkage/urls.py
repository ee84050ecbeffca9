from django.urls import path

from alianza.linkage import views

app_name = "linkage"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pair_id>/", views.pair_detail, name="pair_detail"),
    path("review/<int:pair_id>/decide/", views.pair_decide, name="pair_decide"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_update, name="alert_update"),
]
