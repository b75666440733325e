"""``manage.py load_selfassess_framework FILE.json``: load a service's own self-assessment
framework (the shape of ``selfassess.framework_data.STARTING``) and make it the one new rounds
use. Earlier rounds keep the framework they were made with."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import Action, Route
from audit.services import record
from selfassess import loader
from selfassess.models import Domain, Framework, Level, Statement


class Command(BaseCommand):
    help = "Load a NEST/NYTH self-assessment framework from a JSON file and make it current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["path"], encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['path']}: {exc}") from exc
        data.setdefault("is_nyth_reading", False)
        try:
            framework = loader.load(
                data, framework_model=Framework, domain_model=Domain, statement_model=Statement, level_model=Level
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        record(
            actor=None, action=Action.CREATE, obj=framework, detail={"framework": framework.code}, route=Route.SYSTEM
        )
        self.stdout.write(f"Loaded {framework.code} {framework.version}: now the current framework.")
