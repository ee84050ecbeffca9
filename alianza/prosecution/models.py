"""Proceedings against each suspect, so that statistics can count investigations and verdicts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alianza.people.models import Participation


class ProceedingStage(models.TextChoices):
    INVESTIGATED = "investigated", _("Investigated")
    CHARGED = "charged", _("Charged")
    PROSECUTED = "prosecuted", _("Prosecuted")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")


# The date field that records when a proceeding reached each stage.
STAGE_DATE_FIELD = {
    ProceedingStage.INVESTIGATED: "investigated_on",
    ProceedingStage.CHARGED: "charged_on",
    ProceedingStage.PROSECUTED: "prosecuted_on",
    ProceedingStage.CONVICTED: "verdict_on",
    ProceedingStage.ACQUITTED: "verdict_on",
}


class Proceeding(models.Model):
    """The criminal proceeding against one suspect in one case."""

    participation = models.OneToOneField(Participation, on_delete=models.CASCADE, related_name="proceeding")
    stage = models.CharField(_("stage"), max_length=16, choices=ProceedingStage.choices, default=ProceedingStage.INVESTIGATED)
    investigated_on = models.DateField(_("investigation opened"), null=True, blank=True)
    charged_on = models.DateField(_("charged"), null=True, blank=True)
    prosecuted_on = models.DateField(_("trial opened"), null=True, blank=True)
    verdict_on = models.DateField(_("verdict"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.stage}"
