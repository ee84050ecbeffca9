from django.urls import path

from alianza.people import views

app_name = "people"

urlpatterns = [
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/edit/", views.person_edit, name="person_edit"),
]
