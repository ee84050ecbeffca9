"""Case registry pages: list and search, detail, and the forms that create and change cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alianza.accounts import authz
from alianza.cases import exports, selectors, services
from alianza.cases.forms import (
    CaseFilterForm,
    CaseForm,
    ParticipantForm,
    ParticipationForm,
    RouteEventForm,
    apply_problems,
)
from alianza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from alianza.people import services as people_services

PAGE_SIZE = 25


def maps_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound and PermissionDenied from services and selectors become the 404 and 403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and 0 < len(value) < 7 else 1


def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = selectors.CaseFilter(**form.cleaned_data) if form.is_valid() else selectors.CaseFilter()
    page = selectors.case_page(
        acting_user=request.user, filters=filters, number=_page_number(request.GET.get("page")), page_size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    template = "cases/_case_rows.html" if getattr(request, "htmx", False) else "cases/case_list.html"
    return render(
        request, template,
        {
            "form": form, "page": page, "query": query.urlencode(), "sort_query": sort_query.urlencode(),
            "sort": filters.sort, "can_export": authz.has_perm(request.user, authz.Perm.CASE_EXPORT),
            "count_limit": number_format(selectors.COUNT_LIMIT, force_grouping=True),
        },
    )


def case_create(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(acting_user=request.user, data=form.to_input())
        except ValidationFailed as exc:
            apply_problems(form, exc)
        else:
            messages.success(request, _("Case %(reference)s was registered.") % {"reference": case.reference})
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@maps_errors
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    detail = selectors.case_get(acting_user=request.user, case_id=case_id)
    from alianza.prosecution.models import ProceedingStage

    return render(
        request, "cases/case_detail.html",
        {"detail": detail, "case": detail.case, "stages": ProceedingStage.choices},
    )


def _conflict(request: HttpRequest, form: Any, exc: Conflict) -> None:
    form.add_error(None, exc.message)
    messages.error(request, exc.message)


@maps_errors
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    detail = selectors.case_get(acting_user=request.user, case_id=case_id, with_history=False, shows_identities=False)
    if not detail.editable:
        raise PermissionDenied(_("Your role or institution does not allow you to change this case."))
    case = detail.case
    form = CaseForm(request.POST or None, initial=CaseForm.initial_from(case))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                acting_user=request.user, case_id=case.pk,
                expected_version=form.cleaned_data["version"] or 0, data=form.to_input(),
            )
        except Conflict as exc:
            _conflict(request, form, exc)
            status = 409
        except ValidationFailed as exc:
            apply_problems(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case}, status=status)


@maps_errors
def participant_add(request: HttpRequest, case_id: int) -> HttpResponse:
    detail = selectors.case_get(acting_user=request.user, case_id=case_id, with_history=False, shows_identities=False)
    if not detail.editable:
        raise PermissionDenied(_("Your role or institution does not allow you to change this case."))
    form = ParticipantForm(request.POST or None, initial={"version": detail.case.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        existing = form.cleaned_data["existing_person"]
        try:
            people_services.participant_add(
                acting_user=request.user, case_id=case_id, data=form.participation_input(),
                person=None if existing else form.person_input(), person_id=existing,
                expected_version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            _conflict(request, form, exc)
            status = 409
        except (ValidationFailed, NotFound) as exc:
            if isinstance(exc, ValidationFailed):
                apply_problems(form, exc)
            else:
                form.add_error("existing_person", exc.message)
        else:
            messages.success(request, _("The person was added to the case."))
            return redirect("cases:case_detail", case_id=case_id)
    return render(request, "cases/participant_form.html", {"form": form, "case": detail.case}, status=status)


@maps_errors
def route_event_add(request: HttpRequest, case_id: int) -> HttpResponse:
    detail = selectors.case_get(acting_user=request.user, case_id=case_id, with_history=False, shows_identities=False)
    if not detail.editable:
        raise PermissionDenied(_("Your role or institution does not allow you to change this case."))
    form = RouteEventForm(request.POST or None, initial={"version": detail.case.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.route_event_create(
                acting_user=request.user, case_id=case_id, data=form.to_input(),
                expected_version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            _conflict(request, form, exc)
            status = 409
        except ValidationFailed as exc:
            apply_problems(form, exc)
        else:
            messages.success(request, _("The route event was added."))
            return redirect("cases:case_detail", case_id=case_id)
    return render(request, "cases/route_event_form.html", {"form": form, "case": detail.case}, status=status)


@require_POST
@maps_errors
def route_event_delete(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    try:
        services.route_event_delete(
            acting_user=request.user, event_id=event_id, expected_version=int(request.POST.get("version") or 0)
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The route event was removed."))
    return redirect("cases:case_detail", case_id=case_id)


@require_POST
@maps_errors
def participant_remove(request: HttpRequest, case_id: int, participation_id: int) -> HttpResponse:
    try:
        people_services.participation_delete(
            acting_user=request.user, participation_id=participation_id,
            expected_version=int(request.POST.get("version") or 0),
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The person was removed from the case."))
    return redirect("cases:case_detail", case_id=case_id)


def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered case list as CSV, XLSX or HTCDS JSON, with only what the user may see."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.EXPORTERS:
        raise Http404(_("Unknown export format."))
    form = CaseFilterForm(request.GET or None)
    filters = selectors.CaseFilter(**form.cleaned_data) if form.is_valid() else selectors.CaseFilter()
    try:
        content = exports.EXPORTERS[fmt](acting_user=request.user, filters=filters)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    extension = {"csv": "csv", "xlsx": "xlsx", "htcds": "json"}[fmt]
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="alianza-cases.{extension}"'
    return response


@require_POST
@maps_errors
def proceeding_record(request: HttpRequest, case_id: int, participation_id: int) -> HttpResponse:
    """Record the stage the proceeding against a suspect has reached, and when."""
    from alianza.prosecution.services import proceeding_record_stage

    when = None
    if request.POST.get("on"):
        try:
            when = dt.date.fromisoformat(request.POST["on"])
        except ValueError:
            messages.error(request, _("Write the date as YYYY-MM-DD."))
            return redirect("cases:case_detail", case_id=case_id)
    try:
        proceeding_record_stage(
            acting_user=request.user, participation_id=participation_id, stage=request.POST.get("stage", ""), on=when
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proceeding's stage was recorded."))
    return redirect("cases:case_detail", case_id=case_id)


@maps_errors
def participant_edit(request: HttpRequest, case_id: int, participation_id: int) -> HttpResponse:
    detail = selectors.case_get(acting_user=request.user, case_id=case_id, with_history=False, shows_identities=False)
    if not detail.editable:
        raise PermissionDenied(_("Your role or institution does not allow you to change this case."))
    view = next((p for p in detail.participants if p.participation.pk == participation_id), None)
    if view is None:
        raise NotFound(_("There is no such participation."))
    form = ParticipationForm(request.POST or None, initial=ParticipationForm.initial_for(view.participation, detail.case.version))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            people_services.participation_update(
                acting_user=request.user, participation_id=participation_id, data=form.participation_input(),
                expected_version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            _conflict(request, form, exc)
            status = 409
        except ValidationFailed as exc:
            apply_problems(form, exc)
        else:
            messages.success(request, _("The person's role in the case was saved."))
            return redirect("cases:case_detail", case_id=case_id)
    return render(
        request, "cases/participation_form.html", {"form": form, "case": detail.case, "participant": view}, status=status
    )
