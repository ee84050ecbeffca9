"""Bilateral agreements with partner countries, and the partner nodes we exchange packages with.

An agreement is reference data, free of case content: it says which categories of case data may
go to a partner, for what purposes, under which handling code and for how long the partner may
keep them. Both nodes record the same agreement under the same `reference`, which packages carry.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alianza.accounts.authz import Category

iso_alpha3 = RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 3166-1 alpha-3 country code, e.g. PER."))


class AgreementType(models.TextChoices):
    BILATERAL_AGREEMENT = "bilateral_agreement", _("Bilateral agreement")
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    PROTOCOL = "protocol", _("Protocol")


class CrimeType(models.TextChoices):
    """Trafficking in persons and migrant smuggling are different crimes and stay apart."""

    TRAFFICKING = "trafficking", _("Trafficking in persons")
    SMUGGLING = "smuggling", _("Migrant smuggling")


class Scope(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    SMUGGLING = "smuggling", _("Migrant smuggling")
    BOTH = "both", _("Trafficking and smuggling")


class HandlingCode(models.TextChoices):
    """Europol handling codes."""

    H0 = "H0", _("H0: use only to prevent and combat crime")
    H1 = "H1", _("H1: not in judicial proceedings without permission")
    H2 = "H2", _("H2: no onward transfer without permission")
    H3 = "H3", _("H3: other restrictions")


# Received data under these codes never goes to a third country (H3's restrictions are written
# for a person to read, so the software treats them as strictly as H2).
NO_ONWARD_TRANSFER = frozenset({HandlingCode.H2, HandlingCode.H3})


class Purpose(models.TextChoices):
    PREVENT_AND_COMBAT = "prevent_and_combat", _("Preventing and combating crime")
    INVESTIGATION = "investigation", _("Criminal investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    VICTIM_PROTECTION = "victim_protection", _("Victim identification and protection")
    REPATRIATION = "repatriation", _("Repatriation and transnational referral")
    STATISTICS = "statistics", _("Statistics and research")


class LegalBasis(models.TextChoices):
    """Grounds, other than the victim's consent, on which victim identity may be shared."""

    JUDICIAL_ORDER = "judicial_order", _("Order of a judicial authority")
    CHILD_PROTECTION = "child_protection", _("Protection of a child's best interests")
    VITAL_INTEREST = "vital_interest", _("Protection of the victim's life or safety")
    TREATY = "treaty", _("Express provision of the agreement")


CATEGORY_LABELS = {
    Category.STATISTICS: _("Statistics"),
    Category.CASE_SUMMARY: _("Case summary"),
    Category.ROUTE: _("Route"),
    Category.SUSPECT_IDENTITY: _("Suspect identity"),
    Category.VICTIM_IDENTITY: _("Victim identity"),
}


class Agreement(models.Model):
    reference = models.CharField(
        _("reference"),
        max_length=60,
        unique=True,
        help_text=_("The identifier both countries use for this agreement, e.g. BOL-PER-2006."),
    )
    partner_country = models.CharField(_("partner country"), max_length=3, validators=[iso_alpha3])
    title = models.CharField(_("title"), max_length=300)
    type = models.CharField(_("type"), max_length=30, choices=AgreementType.choices)
    signed_on = models.DateField(_("signed on"))
    in_force_from = models.DateField(_("in force from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    categories = models.JSONField(_("data categories"), default=list)
    victim_legal_bases = models.JSONField(
        _("legal bases for victim identity"),
        default=list,
        blank=True,
        help_text=_("Without one of these, victim identity goes only with the victim's recorded consent."),
    )
    purposes = models.JSONField(_("purposes"), default=list)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices)
    retention_days = models.PositiveIntegerField(
        _("retention period (days)"), validators=[MinValueValidator(1)]
    )
    focal_points = models.TextField(_("focal points"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["partner_country", "-in_force_from"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def is_in_force(self, on: date) -> bool:
        return self.in_force_from <= on and (self.expires_on is None or on <= self.expires_on)

    def covers(self, crime_type: str) -> bool:
        return self.scope == Scope.BOTH or self.scope == crime_type

    @property
    def category_set(self) -> frozenset[Category]:
        return frozenset(Category(c) for c in self.categories)


class PartnerNode(models.Model):
    """Another country's Alianza node (or a compatible system) that we exchange packages with."""

    node_id = models.CharField(_("node id"), max_length=80, unique=True)
    country = models.CharField(_("country"), max_length=3, validators=[iso_alpha3])
    name = models.CharField(_("name"), max_length=200)
    inbox_url = models.URLField(_("inbox URL"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner node")
        verbose_name_plural = _("partner nodes")
        ordering = ["country", "node_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.node_id})"


class KeyUse(models.TextChoices):
    SIGNING = "sig", _("Signing")
    ENCRYPTION = "enc", _("Encryption")


class PartnerKey(models.Model):
    """A partner node's public key. Several may be valid at once while the partner rotates."""

    node = models.ForeignKey(PartnerNode, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(_("key id"), max_length=100)
    use = models.CharField(_("use"), max_length=3, choices=KeyUse.choices)
    public_jwk = models.JSONField(_("public key (JWK)"))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")
        ordering = ["node", "use", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["node", "kid"], name="partner_key_unique_kid")]

    def __str__(self) -> str:
        return f"{self.node.node_id} {self.use} {self.kid}"
