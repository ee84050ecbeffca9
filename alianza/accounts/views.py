"""Sign-in, second factor, profile and API tokens."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from alianza.accounts import authz, selectors, services
from alianza.accounts.forms import TokenCreateForm, TotpForm
from alianza.audit.services import audit_record_now
from alianza.core.errors import ApplicationError

_ENROLMENT = "alianza_mfa_enrolment_device"


class AlianzaLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.session.pop("alianza_timed_out", False)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        login(self.request, user)
        audit_record_now(actor=user, action="auth.login", obj=user)
        response: HttpResponse
        if user.mfa_required:
            target = "accounts:mfa_verify" if selectors.totp_device_confirmed(user=user) else "accounts:mfa_setup"
            response = redirect(target)
        else:
            response = HttpResponseRedirect(self.get_success_url())
        # A user's saved language wins over the browser's, from the first page after sign-in.
        if user.preferred_language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return render(
        request,
        "accounts/locked_out.html",
        status=429,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record_now(actor=request.user, action="auth.logout", obj=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.totp_device_confirmed(user=user) is not None and not authz.mfa_satisfied(user):
        return redirect("accounts:mfa_verify")
    device = None
    device_id = request.session.get(_ENROLMENT)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.totp_device_start(user=user)  # type: ignore[arg-type]
        request.session[_ENROLMENT] = device.pk
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):  # type: ignore[arg-type]
            request.session.pop(_ENROLMENT, None)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is now active."))
            return redirect("core:home")
        form.add_error("token", _("That code is not valid. Check your device's clock and try again."))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "secret": secret, "qr_svg": _qr_svg(device.config_url)},
    )


def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = selectors.totp_device_confirmed(user=user)
    if device is None:
        return redirect("accounts:mfa_setup")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            audit_record_now(actor=user, action="auth.mfa_verified", obj=user)
            return redirect(request.GET.get("next") or "core:home")
        form.add_error("token", _("That code is not valid. Check your device's clock and try again."))
    return render(request, "accounts/mfa_verify.html", {"form": form})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": selectors.api_token_list(acting_user=request.user),
            "form": TokenCreateForm(),
            "new_secret": request.session.pop("alianza_new_token", None),
        },
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            issued = services.api_token_create(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            # Shown once on the next page, then gone; only its digest is stored.
            request.session["alianza_new_token"] = issued.secret
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("accounts:profile")


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(acting_user=request.user, token_id=token_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")
