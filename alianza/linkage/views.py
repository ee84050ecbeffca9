"""Linkage pages: the review queue, one candidate pair side by side, and missing-person alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alianza.cases.views import maps_errors
from alianza.core.errors import Conflict
from alianza.linkage import selectors, services
from alianza.linkage.models import LinkageRun, PairStatus

PAGE_SIZE = 25
# The statuses the queue page can list (retired pairs are kept only for the record).
LISTED_STATUSES = (PairStatus.PENDING, PairStatus.AUTOMATIC, PairStatus.CONFIRMED, PairStatus.REJECTED)


def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PairStatus.PENDING)
    if status not in LISTED_STATUSES:
        status = PairStatus.PENDING
    pairs = selectors.pair_queue(acting_user=request.user, status=status)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.pair_status_counts(acting_user=request.user)
    return render(request, "linkage/review_queue.html", {
        "page": page,
        "rows": selectors.pair_rows(acting_user=request.user, pairs=page.object_list),
        "status": status,
        "tabs": [(s, PairStatus(s).label, counts[s]) for s in LISTED_STATUSES],
        "latest_run": LinkageRun.objects.filter(finished_at__isnull=False).first(),
    })  # fmt: skip


@maps_errors
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    detail = selectors.pair_get(acting_user=request.user, pair_id=pair_id)
    sides = [(detail.left, _("Record A")), (detail.right, _("Record B"))]
    return render(request, "linkage/pair_detail.html", {"detail": detail, "pair": detail.pair, "sides": sides})


_DECISIONS = {"confirm": services.pair_confirm, "reject": services.pair_reject, "undo": services.pair_undo}


@require_POST
@maps_errors
def pair_decide(request: HttpRequest, pair_id: int) -> HttpResponse:
    choice = request.POST.get("decision", "")
    decide = _DECISIONS.get(choice)
    version = request.POST.get("version", "")
    if decide is None or not (version.isascii() and version.isdigit()):
        messages.error(request, _("Choose to confirm, reject or undo, from the pair's page."))
        return redirect("linkage:pair_detail", pair_id=pair_id)
    try:
        pair = decide(acting_user=request.user, pair_id=pair_id, expected_version=int(version))
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("linkage:pair_detail", pair_id=pair_id)
    if choice == "undo":
        messages.success(request, _("The decision was undone."))
        return redirect("linkage:pair_detail", pair_id=pair_id)
    if choice == "confirm":
        messages.success(request, _("Confirmed: the two records are now one person."))
    else:
        messages.success(request, _("Rejected: the two records stay separate persons."))
    following = selectors.pair_next(acting_user=request.user, after=pair)
    if following is not None:
        messages.info(request, _("This is the next pair awaiting review."))
        return redirect("linkage:pair_detail", pair_id=following.pk)
    return redirect(reverse("linkage:review_queue"))


def alert_list(request: HttpRequest) -> HttpResponse:
    handled = request.GET.get("handled") == "1"
    alerts = selectors.match_alert_list(acting_user=request.user, handled=handled)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "linkage/alert_list.html", {
        "page": page, "handled": handled,
        "alerts": selectors.match_alert_views(acting_user=request.user, alerts=list(page.object_list)),
    })  # fmt: skip


@require_POST
@maps_errors
def alert_update(request: HttpRequest, alert_id: int) -> HttpResponse:
    handled = request.POST.get("handled") == "1"
    services.match_alert_update(acting_user=request.user, alert_id=alert_id, handled=handled)
    messages.success(request, _("The alert was marked as handled.") if handled else _("The alert was opened again."))
    return redirect("linkage:alert_list")
