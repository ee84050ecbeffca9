from django.urls import path

from alianza.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("send/<int:case_id>/", views.package_new, name="package_new"),
    path("sent/<int:pk>/", views.outbound_detail, name="outbound_detail"),
    path("sent/<int:pk>/download/", views.outbound_download, name="outbound_download"),
    path("sent/<int:pk>/retry/", views.outbound_retry, name="outbound_retry"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/upload/", views.inbound_upload, name="inbound_upload"),
    path("inbox/<int:pk>/", views.inbound_detail, name="inbound_detail"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
]
