"""`alianza demo`: set up the embedded database with reference data and demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alianza.accounts.demo import DEMO_PASSWORD, demo_accounts_seed
from alianza.accounts.roles import MFA_REQUIRED_ROLES
from alianza.agreements.demo import demo_agreements_seed
from alianza.cases.demo import DEMO_CASES, demo_cases_seed
from alianza.linkage.demo import demo_linkage_seed
from alianza.protection.demo import demo_protection_seed
from alianza.stats.demo import demo_stats_seed


class Command(BaseCommand):
    help = "Migrate, load reference data and create demo users (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=263, help="Random seed for generated data.")
        parser.add_argument(
            "--cases", type=int, default=DEMO_CASES, help="How many demo cases to generate (default: the public trend, 2018-2025)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SETTINGS_MODULE.endswith("production"):
            raise CommandError("The demo must not run with production settings.")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        users = demo_accounts_seed()
        demo_cases_seed(seed=options["seed"], n_cases=options["cases"])
        demo_protection_seed()
        demo_agreements_seed()
        demo_stats_seed()
        # Last: linkage reads every agency's persons, and fills the review queue and the clusters.
        demo_linkage_seed()
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in at http://127.0.0.1:8000 with:"))
        self.stdout.write(f"  password for every demo user: {DEMO_PASSWORD}")
        for user in users:
            mfa = "  (sets up two-factor authentication at first sign-in)" if user.role in MFA_REQUIRED_ROLES else ""
            self.stdout.write(f"  {user.username:<14} {user.role:<16} {user.institution}{mfa}")
