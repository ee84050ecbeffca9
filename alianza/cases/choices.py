"""Fixed enumerations of the case registry. Values are HTCDS 2.0 picklist values where one exists.

Enumerations that an administrator must be able to extend or relabel (forms of exploitation,
means of control, recruitment methods, ISIC industries, border crossings) are reference data in
`ReferenceTerm` and `BorderCrossing` instead.
"""

from __future__ import annotations

from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _


@cache
def values_of(choices: type[models.Choices]) -> frozenset[str]:
    """The values of an enumeration, for membership tests (`Choices.values` builds a list per call)."""
    return frozenset(choices.values)


class CrimeType(models.TextChoices):
    # Trafficking (trata, Art. 281 bis) and smuggling (tráfico de personas, Art. 321 bis) are
    # different crimes; a related crime (delito conexo) is neither.
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    SMUGGLING = "smuggling", _("Migrant smuggling")
    RELATED = "related", _("Related crime")


class LegalArticle(models.TextChoices):
    """Articles of the Bolivian Penal Code as amended by Law 263 of 2012."""

    TRAFFICKING_281_BIS = "CP-281bis", _("Penal Code art. 281 bis: trafficking in persons")
    SMUGGLING_321_BIS = "CP-321bis", _("Penal Code art. 321 bis: smuggling of persons")
    PIMPING_321 = "CP-321", _("Penal Code art. 321: pimping")
    COMMERCIAL_SEXUAL_VIOLENCE_322 = "CP-322", _("Penal Code art. 322: commercial sexual violence")
    CSAM_323_BIS = "CP-323bis", _("Penal Code art. 323 bis: child sexual abuse material")
    IDENTITY_DISCLOSURE_281_QUATER = "CP-281quater", _(
        "Penal Code art. 281 quater: disclosure of the identity of victims, witnesses or complainants"
    )
    OTHER = "other", _("Another related offence")


# Which articles each crime type may carry; a database constraint enforces the same pairs.
ARTICLES_BY_CRIME: dict[str, tuple[str, ...]] = {
    CrimeType.TRAFFICKING: (LegalArticle.TRAFFICKING_281_BIS,),
    CrimeType.SMUGGLING: (LegalArticle.SMUGGLING_321_BIS,),
    CrimeType.RELATED: (
        LegalArticle.PIMPING_321,
        LegalArticle.COMMERCIAL_SEXUAL_VIOLENCE_322,
        LegalArticle.CSAM_323_BIS,
        LegalArticle.IDENTITY_DISCLOSURE_281_QUATER,
        LegalArticle.OTHER,
    ),
}


class CaseStatus(models.TextChoices):
    # HTCDS cas_Status
    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed and referred")


CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED})


class Department(models.TextChoices):
    """Bolivian departments by their ISO 3166-2:BO codes."""

    BENI = "BO-B", "Beni"
    COCHABAMBA = "BO-C", "Cochabamba"
    CHUQUISACA = "BO-H", "Chuquisaca"
    LA_PAZ = "BO-L", "La Paz"
    PANDO = "BO-N", "Pando"
    ORURO = "BO-O", "Oruro"
    POTOSI = "BO-P", "Potosí"
    SANTA_CRUZ = "BO-S", "Santa Cruz"
    TARIJA = "BO-T", "Tarija"


class CaseSource(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    HOTLINE = "hotline", _("Hotline")
    RESCUE_OPERATION = "rescue_operation", _("Rescue operation")
    EX_OFFICIO = "ex_officio", _("Investigation opened ex officio")
    REFERRAL_NATIONAL = "referral_national", _("Referral from a national institution")
    REFERRAL_ABROAD = "referral_abroad", _("Referral from abroad")
    MEDIA = "media", _("Media report")
    OTHER = "other", _("Other source")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    # Never visible through national scope: only to the owner and explicit shares.
    RESTRICTED = "restricted", _("Restricted")


class RouteEventType(models.TextChoices):
    # HTCDS hte_Type
    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class TransportMode(models.TextChoices):
    BUS = "bus", _("Bus")
    CAR = "car", _("Car or taxi")
    TRUCK = "truck", _("Truck")
    ON_FOOT = "on_foot", _("On foot")
    AIR = "air", _("Air")
    RIVER = "river", _("River boat")
    RAIL = "rail", _("Train")
    OTHER = "other", _("Other transport")
    UNKNOWN = "unknown", _("Unknown")


class CrossingType(models.TextChoices):
    NOT_A_CROSSING = "", _("Not a border crossing")
    REGULAR = "regular", _("Regular crossing")
    IRREGULAR = "irregular", _("Irregular crossing")
    UNKNOWN = "unknown", _("Crossing, regularity unknown")


class Vocabulary(models.TextChoices):
    """The administrator-editable taxonomies, each mapped to an HTCDS picklist."""

    EXPLOITATION_FORM = "exploitation_form", _("Form of exploitation")  # vic_TypeOfExploitation
    MEANS_OF_CONTROL = "means_of_control", _("Means of control")  # vic_MethodsOfControl
    RECRUITMENT_METHOD = "recruitment_method", _("Recruitment method")  # vic_MethodOfRecruitment
    ISIC_INDUSTRY = "isic_industry", _("Industry (ISIC)")  # vic_ForcedLabourIndustry
