"""The person page: who the person is (if the user may know) and every case they appear in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alianza.cases.views import maps_errors
from alianza.people import selectors


@maps_errors
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    detail = selectors.person_get(acting_user=request.user, person_id=person_id)
    return render(request, "people/person_detail.html", {"detail": detail, "person": detail.person})
