"""Load a licensed instrument's item wording (English and Welsh) from a licence holder's file.

    manage.py load_instrument_wording swemwbs wording.json

See docs/outcomes.md for the file format. Nyth never ships this wording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outcomes.models import Instrument
from outcomes.wording import WordingError, load_wording


class Command(BaseCommand):
    help = "Load the English and Welsh item wording of a licensed instrument (SWEMWBS, WEMWBS) from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the instrument's code, e.g. swemwbs")
        parser.add_argument("file", type=Path, help='JSON: {"en": [...], "cy": [...]}')

    def handle(self, *args: Any, code: str, file: Path, **options: Any) -> None:
        try:
            instrument = Instrument.objects.get(code=code)
        except Instrument.DoesNotExist:
            raise CommandError(f"No instrument with code {code!r}.") from None
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} is not valid JSON: {exc.msg} (line {exc.lineno}).") from None
        try:
            rows = load_wording(instrument=instrument, data=data)
        except WordingError as exc:
            raise CommandError(f"Wording not loaded: {exc}") from None
        self.stdout.write(f"Loaded the wording of {len(rows)} items of {code} in English and Welsh.")
