from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_fact_triggers(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from alianza.stats import facts

    facts.ensure(connections[using])


class StatsConfig(AppConfig):
    name = "alianza.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        post_migrate.connect(_ensure_fact_triggers, sender=self, dispatch_uid="stats-fact-triggers")
