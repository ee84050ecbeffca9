"""Packages sent to and received from partner nodes, records imported from them, and requests.

An outbound package keeps only its ciphertext (for retries and file export) and what was sent
in outline: categories and the sections held back, never the content itself. An inbound package
keeps its decrypted document until a reviewer imports or dismisses it, and until retention ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alianza.agreements.models import Agreement, CrimeType, HandlingCode, PartnerNode, Purpose


class SourceGrading(models.TextChoices):
    A = "A", _("A: no doubt about the source's authenticity, trustworthiness and competence")
    B = "B", _("B: the source has proved reliable in most instances")
    C = "C", _("C: the source has proved unreliable in most instances")
    X = "X", _("X: the reliability of the source cannot be assessed")


class InformationGrading(models.TextChoices):
    ONE = "1", _("1: known to be true without reservation")
    TWO = "2", _("2: known personally to the source but not to the official passing it on")
    THREE = "3", _("3: not known personally to the source but corroborated")
    FOUR = "4", _("4: cannot be judged")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued for delivery")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected by the partner")
    FAILED = "failed", _("Delivery failed")
    EXPORTED = "exported", _("Exported as a file")


class OutboundPackage(models.Model):
    package_id = models.CharField(_("package id"), max_length=36, unique=True)
    partner = models.ForeignKey(PartnerNode, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="+")
    case_reference = models.CharField(_("case"), max_length=40, blank=True)
    crime_type = models.CharField(_("crime type"), max_length=16, choices=CrimeType.choices)
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices)
    source_grading = models.CharField(_("source grading"), max_length=1, choices=SourceGrading.choices)
    information_grading = models.CharField(_("information grading"), max_length=1, choices=InformationGrading.choices)
    categories = models.JSONField(_("data categories"), default=list)
    withheld = models.JSONField(_("held back"), default=list)  # section, record id, reason
    legal_basis = models.CharField(_("legal basis"), max_length=40, blank=True)
    in_reply_to = models.ForeignKey(
        "AssistanceRequest", verbose_name=_("answers request"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="answers",
    )
    token = models.TextField(_("sealed package"))  # JWE, readable only by the partner
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=40, blank=True)
    rejection_message = models.CharField(_("partner's message"), max_length=500, blank=True)
    receipt = models.TextField(_("signed receipt"), blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What the partner's reviewer decided, from the partner's second signed receipt.
    partner_outcome = models.CharField(_("partner's decision"), max_length=12, blank=True)
    partner_outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_receipt = models.TextField(_("signed receipt of the decision"), blank=True)

    class Meta:
        verbose_name = _("outbound package")
        verbose_name_plural = _("outbound packages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.package_id


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    IMPORTED = "imported", _("Imported")
    DISMISSED = "dismissed", _("Dismissed")
    PURGED = "purged", _("Deleted at the end of retention")


class InboundPackage(models.Model):
    # Unique for ever, even after the content is purged: this is the replay guard.
    package_id = models.CharField(_("package id"), max_length=36, unique=True)
    partner = models.ForeignKey(PartnerNode, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="+")
    crime_type = models.CharField(_("crime type"), max_length=16, choices=CrimeType.choices)
    purpose = models.CharField(_("purpose"), max_length=40)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices)
    source_grading = models.CharField(_("source grading"), max_length=1, choices=SourceGrading.choices)
    information_grading = models.CharField(_("information grading"), max_length=1, choices=InformationGrading.choices)
    categories = models.JSONField(_("data categories"), default=list)
    in_reply_to = models.CharField(max_length=80, blank=True)
    document = models.JSONField(_("content"), null=True)  # the verified package; None once purged
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    expires_at = models.DateTimeField()
    retain_until = models.DateTimeField(_("keep until"))
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound package")
        verbose_name_plural = _("inbound packages")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.package_id


class RecordKind(models.TextChoices):
    STATISTICS = "statistics", _("Statistics")
    CASE = "case", _("Case summary")
    ROUTE = "route", _("Route step")
    SUSPECT = "suspect", _("Suspect")
    VICTIM = "victim", _("Victim")


class ReceivedRecord(models.Model):
    """A record imported from a partner, with its provenance, which limits where it may go next."""

    inbound = models.ForeignKey(InboundPackage, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=RecordKind.choices)
    record_id = models.CharField(_("partner's record id"), max_length=100, blank=True)
    data = models.JSONField(_("data"), null=True)  # None once anonymised
    # Provenance, copied so that it survives the package's own purge.
    partner_country = models.CharField(_("from country"), max_length=3)
    agreement_reference = models.CharField(_("agreement"), max_length=60)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices)
    package_id = models.CharField(_("package id"), max_length=36)
    # The local record it was linked to by the reviewer (a person or a case), if any.
    linked_to = models.CharField(_("linked to"), max_length=100, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    retain_until = models.DateTimeField(_("keep until"))
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received record")
        verbose_name_plural = _("received records")
        ordering = ["inbound", "kind", "record_id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} ({self.partner_country} {self.handling_code})"


class RequestType(models.TextChoices):
    INFORMATION = "information", _("Request for information")
    MUTUAL_LEGAL_ASSISTANCE = "mla", _("Mutual legal assistance")
    REPATRIATION = "repatriation", _("Repatriation of a victim")
    REFERRAL = "referral", _("Transnational referral of a victim")


class RequestDirection(models.TextChoices):
    OUTGOING = "outgoing", _("We ask the partner")
    INCOMING = "incoming", _("The partner asks us")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class AssistanceRequest(models.Model):
    """A structured request for assistance; a package answers it (metadata `in_reply_to`)."""

    reference = models.CharField(_("reference"), max_length=80, unique=True)
    direction = models.CharField(_("direction"), max_length=10, choices=RequestDirection.choices)
    partner = models.ForeignKey(PartnerNode, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("type"), max_length=16, choices=RequestType.choices)
    case_reference = models.CharField(_("case"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request for assistance")
        verbose_name_plural = _("requests for assistance")
        ordering = ["status", "deadline"]

    def __str__(self) -> str:
        return self.reference
