from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_access_triggers(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from alianza.cases import access

    access.ensure(connections[using])


class CasesConfig(AppConfig):
    name = "alianza.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        post_migrate.connect(_ensure_access_triggers, sender=self, dispatch_uid="cases-access-triggers")
