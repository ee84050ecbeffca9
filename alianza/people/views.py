"""The person page: who the person is (if the user may know) and every case they appear in."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alianza.cases.forms import PersonForm, apply_problems
from alianza.cases.views import maps_errors
from alianza.core.errors import Conflict, PermissionDenied, ValidationFailed
from alianza.people import selectors, services


@maps_errors
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    detail = selectors.person_get(acting_user=request.user, person_id=person_id)
    editable = detail.identity_visible and services.person_writable(request.user, detail.person)
    return render(request, "people/person_detail.html", {"detail": detail, "person": detail.person, "editable": editable})


@maps_errors
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    detail = selectors.person_get(acting_user=request.user, person_id=person_id)
    person = detail.person
    if not (detail.identity_visible and services.person_writable(request.user, person)):
        raise PermissionDenied(_("Your role or institution does not allow you to change this person."))
    form = PersonForm(request.POST or None, initial=PersonForm.initial_from(person))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.person_input()
        # The form edits the first document and phone; the others (entered through the API) stay.
        other_documents = tuple(
            services.DocumentInput(number=d.number_as_entered, document_type=d.document_type, issuing_country=d.issuing_country)
            for d in list(person.documents.all())[1:]
        )
        phones = [c for c in person.contacts.all() if c.kind == "phone"]
        other_contacts = tuple(
            services.ContactInput(kind=c.kind, value=c.value)
            for c in person.contacts.all() if not (phones and c.pk == phones[0].pk)
        )
        data = dataclasses.replace(data, documents=data.documents + other_documents, contacts=data.contacts + other_contacts)
        try:
            services.person_update(
                acting_user=request.user, person_id=person.pk, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationFailed as exc:
            apply_problems(form, exc)
        else:
            messages.success(request, _("The person was saved."))
            return redirect("people:person_detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "label": detail.label}, status=status)
