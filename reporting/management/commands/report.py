"""``manage.py report --period 2026Q3 [--region CODE|--local-authority CODE|--service CODE]
--format xlsx|csv|pdf --language en|cy --out FILE``: the same suppressed report, and the same
bytes, as the exports page makes (``reporting.exports``); ``--made-at`` fixes the moment printed
on it (default now). ``--quarterly-returns`` is the morning job instead: on the first working day
after a quarter, each service's return (``reporting.tasks.prepare_quarterly_returns``), and
expired files deleted."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reporting import exports, periods, tasks
from reporting.filters import Filters


class Command(BaseCommand):
    help = "Write a suppressed report as XLSX, CSV or PDF, or prepare the quarterly returns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="2026Q3 or 2026 (a quarter or a reporting year)")
        area = parser.add_mutually_exclusive_group()
        area.add_argument("--region", help="the Regional Partnership Board's code")
        area.add_argument("--local-authority", help="the local authority's code (ONS GSS)")
        area.add_argument("--service", help="the service's code")
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="xlsx")
        parser.add_argument("--language", choices=["en", "cy"], default="en")
        parser.add_argument("--out", help="the file to write")
        parser.add_argument("--made-at", help="ISO date and time printed as 'made at' (default: now)")
        parser.add_argument("--quarterly-returns", action="store_true", help="the morning job (see above)")
        parser.add_argument("--today", help="with --quarterly-returns: the day to act as (ISO date)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["quarterly_returns"]:
            today = datetime.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
            made = tasks.prepare_quarterly_returns(today)
            purged = tasks.purge_expired()
            self.stdout.write(f"quarterly returns queued: {len(made)}; expired files deleted: {purged}")
            return
        if not options["period"] or not options["out"]:
            raise CommandError("--period and --out are required")
        try:
            period = periods.parse(options["period"])
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        if not period.fixed:
            raise CommandError("exports are for a quarter or a reporting year")
        made_at = timezone.now()
        if options["made_at"]:
            made_at = datetime.datetime.fromisoformat(options["made_at"])
            if timezone.is_naive(made_at):
                made_at = timezone.make_aware(made_at)
        report = tasks.build_report(period, self._filters(options))
        content = exports.render(report, options["format"], language=options["language"], made_at=made_at)
        Path(options["out"]).write_bytes(content)
        self.stdout.write(f"{options['out']}: {len(content)} bytes")

    def _filters(self, options: dict[str, Any]) -> Filters:
        from accounts.models import Organisation, OrganisationType

        for option, kind, field in (
            ("region", OrganisationType.REGIONAL_PARTNERSHIP_BOARD, "region_id"),
            ("local_authority", OrganisationType.LOCAL_AUTHORITY, "local_authority_id"),
            ("service", OrganisationType.SERVICE, "service_id"),
        ):
            code = options[option]
            if code:
                organisation = Organisation.objects.filter(code=code, type=kind).first()
                if organisation is None:
                    raise CommandError(f"no {option.replace('_', ' ')} with the code {code!r}")
                return Filters(**{field: organisation.pk})  # type: ignore[arg-type]  # an id field
        return Filters()
