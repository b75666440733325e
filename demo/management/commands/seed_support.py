"""Synthetic demo support work (idempotent). Run after seed_demo, seed_referrals and seed_assessments.

Fills in the day-to-day work of the demo service so every page has something to show: the nest
of trusted adults, the catalogue of support options with offers, choices and plans, safety plans
with out-of-hours contacts, episodes and transitions, and staff records. Each context seeds its
own data (``<app>.demo.seed``); this command only finds the demo service and its people and calls
them in dependency order. Every seeder adds only what is missing, so running it again changes
nothing. Synthetic people only.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Organisation, Role, User
from contacts import demo as contacts_demo
from episodes import demo as episodes_demo
from events import demo as events_demo
from jobs.email import not_sent
from myspace import demo as myspace_demo
from outcomes import demo as outcomes_demo
from people import demo_nest
from people.models import Child
from plans import demo as plans_demo
from safety import demo as safety_demo
from workforce import demo as workforce_demo

SERVICE_CODE = "NYTH-SE"

#: In the order they depend on each other: the nest first (safety plans name trusted adults).
SEEDERS = (
    ("trusted adults", demo_nest.seed),
    ("support options and plans", plans_demo.seed),
    ("safety plans", safety_demo.seed),
    ("episodes and transitions", episodes_demo.seed),
    ("staff records", workforce_demo.seed),
    ("contacts", contacts_demo.seed),
    ("outcome measures", outcomes_demo.seed),  # after episodes and plans: points hang off both
    ("a young person in their own space", myspace_demo.seed),
    ("significant events", events_demo.seed),  # after episodes: recording starts before support
)


class Command(BaseCommand):
    help = (
        "Add synthetic support work (nest, plans, safety plans, episodes, staff records, contacts) to the demo service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed gives the same data).")

    def handle(self, *args: Any, **kwargs: Any) -> None:
        # Synthetic referrers and managers: queue them no email (see jobs.email.not_sent).
        with not_sent("synthetic demo data"):
            self._seed(*args, **kwargs)

    def _seed(self, *args: Any, **options: Any) -> None:
        service = Organisation.objects.filter(code=SERVICE_CODE).first()
        manager = User.objects.filter(username="manager", organisation=service).first()
        if service is None or manager is None:
            raise CommandError("Run seed_demo first.")
        practitioners = list(
            User.objects.filter(organisation=service, role=Role.PRACTITIONER, is_active=True).order_by("username")
        )
        # Every current record of the service, in record order so the same seed picks the same children.
        children = list(Child.objects.filter(service=service, merged_into__isnull=True).order_by("pk"))
        for label, seed in SEEDERS:
            with transaction.atomic():
                seed(
                    service=service,
                    manager=manager,
                    practitioners=practitioners,
                    children=children,
                    rng=random.Random(f"{options['seed']}-{label}"),  # noqa: S311 - synthetic demo data
                )
            self.stdout.write(f"  {label}: ready")
        self.stdout.write(f"Demo support work ready for {len(children)} young people in {service}.")
