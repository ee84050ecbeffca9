"""Enumerations for persons and their roles in cases; values are HTCDS 2.0 picklist values."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    INTERSEX = "X", _("Intersex")
    UNKNOWN = "", _("Unknown")


class Gender(models.TextChoices):
    # HTCDS prs_Gender
    FEMININE = "Feminine", _("Feminine")
    MASCULINE = "Masculine", _("Masculine")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender feminine")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender masculine")
    NON_CONFORMING = "NonConforming", _("Non-conforming")
    NOT_SPECIFIED = "NonSpecifiedUnknown", _("Not specified or unknown")


class Education(models.TextChoices):
    # HTCDS prs_HighestLevelOfEducation (ISCED levels)
    NONE = "", _("Unknown")
    EARLY_CHILDHOOD = "EarlyChildhoodEducation", _("Early childhood education")
    PRIMARY = "PrimaryEducation", _("Primary education")
    LOWER_SECONDARY = "LowerSecondaryEducation", _("Lower secondary education")
    UPPER_SECONDARY = "UpperSecondaryEducation", _("Upper secondary education")
    POST_SECONDARY = "PostSecondaryNonTertiaryEducation", _("Post-secondary non-tertiary education")
    SHORT_CYCLE_TERTIARY = "ShortCycleTertiaryEducation", _("Short-cycle tertiary education")
    BACHELORS = "BachelorsOrEquivalentLevel", _("Bachelor's or equivalent")
    MASTERS = "MastersOrEquivalentLevel", _("Master's or equivalent")
    DOCTORAL = "DoctoralOrEquivalentLevel", _("Doctoral or equivalent")


class DocumentType(models.TextChoices):
    # The same values as alianza.normalize.documents.DocumentType.
    CI = "CI", _("Identity card (CI)")
    DNI = "DNI", _("National identity document (DNI)")
    CPF = "CPF", _("Brazilian CPF")
    PASSPORT = "PASSPORT", _("Passport")
    OTHER = "OTHER", _("Other document")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Address")
    SOCIAL = "social", _("Social media account")


class ParticipationRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    SUSPECT = "suspect", _("Suspect")
    WITNESS = "witness", _("Witness")
    COMPLAINANT = "complainant", _("Complainant")
    MISSING_PERSON = "missing_person", _("Missing person")


class TraffickingStatus(models.TextChoices):
    # HTCDS vic_TraffickingStatus
    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class StatusDecidedBy(models.TextChoices):
    # HTCDS vic_TraffickingStatusDecisionMakingOrg
    POLICE = "Police", _("Police")
    NGO = "NGO", _("Non-governmental organisation")
    COURT_OR_PROSECUTION = "CourtOrProsecution", _("Court or prosecution")
    NON_POLICE_GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Non-police government body")
    OTHER = "Other", _("Other")


class RelationshipToTrafficker(models.TextChoices):
    # HTCDS vic_RelationshipToTrafficker (HTCDS spells the last value "Unaquainted")
    FAMILIAL = "Familial", _("Family member")
    ACQUAINTED = "Acquainted", _("Acquaintance")
    UNACQUAINTED = "Unaquainted", _("Stranger")


class SexualExploitationType(models.TextChoices):
    # HTCDS vic_TypeOfSexExploitation
    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE_INTERACTIVE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE_SEXUAL_SERVICES = "PrivateSexualServices", _("Private sexual services")


class WebsiteOrApp(models.TextChoices):
    # HTCDS vic_RecruitmentWebsitesAndApps / vic_ExploitationWebsitesAndApps
    FACEBOOK = "Facebook", "Facebook"
    INSTAGRAM = "Instagram", "Instagram"
    WHATSAPP = "WhatsApp", "WhatsApp"
    TELEGRAM = "Telegram", "Telegram"
    FACEBOOK_MESSENGER = "FacebookMessenger", "Facebook Messenger"
    VIBER = "Viber", "Viber"
    SNAPCHAT = "SnapChat", "SnapChat"
    LINE = "Line", "Line"
    FOUR_SALE = "4Sale", "4Sale"
    WECHAT = "WeChat", "WeChat"
    QQ = "QQ", "QQ"
    QZONE = "QZone", "QZone"
    TIKTOK = "TikTok", "TikTok"
    TWITTER = "Twitter", "Twitter"
    OTHER = "Other", _("Other")


class RoleInProcess(models.TextChoices):
    # HTCDS per_RoleInProcess
    TRAVELLING_PARTNER = "TravellingPartner", _("Travelling partner")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker or travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harboured the person")
    SOLD = "SoldIndividual", _("Sold the person")
    BOUGHT = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLED = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    OTHER = "Other", _("Other")
