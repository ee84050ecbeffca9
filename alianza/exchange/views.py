"""Liaisons' pages: send a case to a partner (with a preview), the outbox, the inbox and review,
requests for assistance. Each view parses, calls one service or selector, and renders."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alianza.agreements.models import CATEGORY_LABELS
from alianza.audit.services import audit_record_now
from alianza.core.errors import ApplicationError, NotFound
from alianza.exchange import selectors, services
from alianza.exchange.case_snapshot import case_snapshot
from alianza.exchange.forms import RequestForm, SendForm, UploadForm
from alianza.exchange.models import InboundStatus, OutboundStatus

WITHHELD_REASONS = {
    "category_not_allowed": _("the agreement does not allow this category"),
    "no_consent": _("no recorded consent for this partner and no legal basis chosen"),
    "onward_transfer_forbidden": _("received from another country under a handling code that forbids onward transfer"),
}


def _content_digest(document: dict[str, Any]) -> str:
    meta = {k: v for k, v in document["metadata"].items() if k not in ("package_id", "created_at", "expires_at")}
    canonical = json.dumps({"metadata": meta, "content": document["content"]}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def package_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Choose a partner for a case, preview exactly what will leave, then send or export it."""
    try:
        snapshot = case_snapshot(acting_user=request.user, case_id=case_id)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exchange:outbox")
    form = SendForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "case_reference": snapshot.reference, "case_id": case_id}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prepared = services.package_prepare(
                acting_user=request.user, snapshot=snapshot, partner=data["partner"], purpose=data["purpose"],
                source_grading=data["source_grading"], information_grading=data["information_grading"],
                handling_code=data["handling_code"], legal_basis=data["legal_basis"], in_reply_to=data["in_reply_to"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return render(request, "exchange/package_new.html", context)
        digest = _content_digest(prepared.document)
        action = request.POST.get("action", "preview")
        if action in ("send", "export"):
            if data["preview_digest"] != digest:
                messages.warning(request, _("The case changed since the preview. Check the new preview before sending."))
            else:
                try:
                    package = services.package_send(acting_user=request.user, prepared=prepared, deliver=action == "send")
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    if action == "send":
                        messages.success(request, _("Package sent to %(node)s.") % {"node": prepared.partner.node_id})
                    return redirect("exchange:outbound_detail", pk=package.pk)
        form.data = {**form.data.dict(), "preview_digest": digest}  # type: ignore[attr-defined]
        context.update({
            "preview": json.dumps(prepared.document, indent=2, ensure_ascii=False),
            "prepared": prepared,
            "withheld": [
                {"section": w.section, "record_id": w.record_id, "reason": WITHHELD_REASONS.get(w.reason, w.reason)}
                for w in prepared.withheld
            ],
            "category_labels": [CATEGORY_LABELS[c] for c in sorted(prepared.agreement.category_set)],
        })
    return render(request, "exchange/package_new.html", context)


def outbox(request: HttpRequest) -> HttpResponse:
    packages = selectors.outbox_list(acting_user=request.user)[:200]
    return render(request, "exchange/outbox.html", {"packages": packages})


def outbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        package = selectors.outbound_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    withheld = [{**w, "reason": WITHHELD_REASONS.get(w["reason"], w["reason"])} for w in package.withheld]
    return render(request, "exchange/outbound_detail.html", {
        "package": package, "withheld": withheld, "OutboundStatus": OutboundStatus,
    })


def outbound_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed package as a file, for out-of-band transfer. Only the partner can open it."""
    try:
        package = selectors.outbound_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(package.token, content_type="application/jose")
    response["Content-Disposition"] = f'attachment; filename="{package.package_id}.jwe"'
    return response


@require_POST
def outbound_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        package = selectors.outbound_get(acting_user=request.user, pk=pk)
        services.package_retry(acting_user=request.user, package=package)
        services.package_deliver(package=package)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exchange:outbound_detail", pk=pk)


def inbox(request: HttpRequest) -> HttpResponse:
    packages = selectors.inbox_list(acting_user=request.user)[:200]
    return render(request, "exchange/inbox.html", {"packages": packages, "upload_form": UploadForm()})


@require_POST
def inbound_upload(request: HttpRequest) -> HttpResponse:
    """Receive a package that came as a file; the same checks as over HTTPS."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a package file."))
        return redirect("exchange:inbox")
    token = form.cleaned_data["package"].read().decode("ascii", errors="replace")
    try:
        result = services.package_receive(token=token)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exchange:inbox")
    if result.inbound is None:
        messages.error(request, _("The package was refused: %(message)s") % {"message": result.body["error"]["message"]})
        return redirect("exchange:inbox")
    return redirect("exchange:inbound_detail", pk=result.inbound.pk)


def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Review a received package: link its persons to local ones, then import all or dismiss."""
    try:
        inbound = selectors.inbound_get(acting_user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    records = services.package_records(inbound.document) if inbound.document else []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                services.inbound_dismiss(acting_user=request.user, inbound=inbound)
                messages.success(request, _("Package dismissed; its content was deleted."))
            else:
                links = {
                    record_id: request.POST.get(f"link-{record_id}", "").strip()
                    for _kind, record_id, _data in records
                    if request.POST.get(f"link-{record_id}", "").strip()
                }
                imported = services.inbound_import(acting_user=request.user, inbound=inbound, links=links)
                messages.success(request, _("%(count)d records imported.") % {"count": len(imported)})
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("exchange:inbound_detail", pk=pk)
    if any(kind == "victim" for kind, _id, _data in records):
        audit_record_now(actor=request.user, action="victim_identity.view", obj=inbound)
    return render(request, "exchange/inbound_detail.html", {
        "inbound": inbound, "records": records, "pending": inbound.status == InboundStatus.PENDING,
        "imported": selectors.received_records(acting_user=request.user, inbound=inbound),
        "suggestions": selectors.inbound_link_suggestions(acting_user=request.user, inbound=inbound)
        if inbound.status == InboundStatus.PENDING else {},
    })


def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Request %(reference)s recorded.") % {"reference": created.reference})
            return redirect("exchange:request_list")
    return render(request, "exchange/request_list.html", {
        "requests": selectors.request_list(acting_user=request.user), "form": form,
    })


@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    assistance_request = selectors.request_list(acting_user=request.user).filter(pk=pk).first()
    if assistance_request is None:
        raise Http404
    services.request_close(acting_user=request.user, request=assistance_request)
    return redirect("exchange:request_list")



