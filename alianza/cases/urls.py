from django.urls import path

from alianza.cases import import_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("export/", views.case_export, name="case_export"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/columns/", import_views.import_map, name="import_map"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("<int:case_id>/participants/new/", views.participant_add, name="participant_add"),
    path("<int:case_id>/participants/<int:participation_id>/edit/", views.participant_edit, name="participant_edit"),
    path("<int:case_id>/participants/<int:participation_id>/remove/", views.participant_remove, name="participant_remove"),
    path("<int:case_id>/participants/<int:participation_id>/proceeding/", views.proceeding_record, name="proceeding_record"),
    path("<int:case_id>/route/new/", views.route_event_add, name="route_event_add"),
    path("<int:case_id>/route/<int:event_id>/remove/", views.route_event_delete, name="route_event_delete"),
]
