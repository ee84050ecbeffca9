from django.urls import path

from alianza.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_edit, name="agreement_edit"),
    path("nodes/", views.node_list, name="node_list"),
    path("nodes/new/", views.node_create, name="node_create"),
    path("nodes/<int:pk>/", views.node_detail, name="node_detail"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
]
