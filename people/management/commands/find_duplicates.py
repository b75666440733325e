"""List candidate duplicate pairs among current records, for data-quality work (for example
after a migration). Uses the same matcher as intake (people.identity); merges nothing.

    manage.py find_duplicates [--min-score S] [--format csv|json] [--limit N] [--service CODE]

Each pair appears once (lower record id first), with its score and reasons, written to stdout as
it is found (pairs come in record-id order, not by score; sort the output if you need to). The
output holds record ids, not names: open the records in Nyth to compare them, and merge there.

Efficient on large registers: one pass reads the identifying details of every current record,
records are grouped by the same blocking keys ``find_candidates`` uses (date of birth, swapped
date, NHS number, phonetic name keys with parts of the date of birth), and only records sharing
a group are compared – never all pairs.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter, defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from audit.models import Action, Route
from audit.services import record
from people.identity import UNRELATED_CAP, Details, Frequencies, block_keys, compare, dates_related, identity_keys
from people.models import Child

#: A group bigger than this is almost certainly placeholder data (a default date of birth given to
#: thousands of imported rows); it is skipped with a warning rather than compared pair by pair.
MAX_BLOCK = 5000
FIELDS = (
    "pk",
    "given_name",
    "family_name",
    "preferred_name",
    "former_names",
    "date_of_birth",
    "nhs_number",
    "responsible_local_authority_id",
    "postcode",
)


class Command(BaseCommand):
    help = "List candidate duplicate pairs among current records, with scores and reasons (merges nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--min-score", type=float, default=0.5, help="lowest score to list, 0 to 1 (default 0.5)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
        parser.add_argument("--limit", type=int, default=0, help="stop after this many pairs (default: all)")
        parser.add_argument("--service", default="", help="only records held by the service with this code")
        parser.add_argument(
            "--language", choices=["en", "cy"], default="en", help="language of the reasons (default en)"
        )

    def handle(self, *args, min_score: float, format: str, limit: int, service: str, language: str, **options):  # noqa: A002
        if not 0 <= min_score <= 1:
            raise CommandError("--min-score must be between 0 and 1")
        if limit < 0:
            raise CommandError("--limit must be 0 or more")
        records = Child.objects.current().order_by("pk")
        if service:
            records = records.filter(service__code=service)
        with translation.override(language):
            found = self._write(records, min_score=min_score, output=format, limit=limit)
        record(
            actor=None,
            action=Action.EXPORT,
            route=Route.SYSTEM,
            detail={"command": "find_duplicates", "pairs": found, "min_score": min_score, "service": service},
        )

    def _write(self, records: Any, *, min_score: float, output: str, limit: int) -> int:
        ids: list[int] = []
        details: list[Details] = []
        given_counts: Counter[str] = Counter()
        family_counts: Counter[str] = Counter()
        cluster_counts: Counter[str] = Counter()
        blocks: dict[tuple, list[int]] = defaultdict(list)
        record_keys: list[set[tuple]] = []
        for pk, given, family, preferred, former, dob, nhs, la, postcode in records.values_list(*FIELDS).iterator(
            chunk_size=5000
        ):
            index = len(ids)
            ids.append(pk)
            person = Details(
                given_name=given,
                family_name=family,
                date_of_birth=dob,
                nhs_number=nhs,
                local_authority_id=la,
                postcode=postcode,
                preferred_name=preferred,
                former_names=former,
            )
            details.append(person)
            keys = identity_keys(given_name=given, family_name=family, date_of_birth=None)
            given_counts[keys["given_name_ascii"]] += 1
            family_counts[keys["family_name_ascii"]] += 1
            cluster_counts[keys["name_key_given"]] += 1
            own_keys = set(block_keys(person))
            record_keys.append(own_keys)
            for key in own_keys:
                blocks[key].append(index)
        for key, members in blocks.items():
            if len(members) > MAX_BLOCK:
                sys.stderr.write(
                    f"Skipped a group of {len(members)} records sharing {key[0]} {key[1:]!s}: placeholder data?\n"
                )
        total = len(ids)

        writer = _Writer(self.stdout, output)
        found = 0
        # Pairs whose dates of birth are unrelated score at most UNRELATED_CAP: skip them early.
        need_related_dates = min_score > UNRELATED_CAP
        for i, person in enumerate(details):
            keys = identity_keys(given_name=person.given_name, family_name=person.family_name, date_of_birth=None)
            frequencies = Frequencies(
                total=total,
                given=given_counts[keys["given_name_ascii"]],
                family=family_counts[keys["family_name_ascii"]],
                given_cluster=cluster_counts[keys["name_key_given"]],
            )
            others: set[int] = set()
            for key in record_keys[i]:
                members = blocks[key]
                if len(members) <= MAX_BLOCK:
                    others.update(j for j in members if j > i)
            for j in sorted(others):
                other = details[j]
                if need_related_dates and not dates_related(person.date_of_birth, other.date_of_birth):
                    continue
                score, _evidence, reasons = compare(person, other, frequencies)
                if score < min_score:
                    continue
                writer.pair(ids[i], ids[j], score, reasons)
                found += 1
                if limit and found >= limit:
                    writer.close()
                    return found
        writer.close()
        return found


class _Writer:
    """Writes pairs as they are found: CSV rows, or one JSON array written piece by piece."""

    def __init__(self, stdout: Any, output: str) -> None:
        self.stdout = stdout
        self.output = output
        self.count = 0
        if output == "csv":
            self._csv(["child_id", "other_id", "score", "reason_codes", "reasons"])
        else:
            self.stdout.write("[", ending="\n")

    def _csv(self, row: list[Any]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(row)
        self.stdout.write(buffer.getvalue(), ending="")

    def pair(self, child_id: int, other_id: int, score: float, reasons: list) -> None:
        if self.output == "csv":
            self._csv(
                [
                    child_id,
                    other_id,
                    f"{score:.3f}",
                    ";".join(r.code for r in reasons),
                    "; ".join(r.text for r in reasons),
                ]
            )
        else:
            item = {
                "child_id": child_id,
                "other_id": other_id,
                "score": round(score, 3),
                "reasons": [{"code": r.code, "text": r.text} for r in reasons],
            }
            prefix = ",\n" if self.count else ""
            self.stdout.write(f"{prefix}  {json.dumps(item, ensure_ascii=False)}", ending="")
        self.count += 1

    def close(self) -> None:
        if self.output == "json":
            self.stdout.write("\n]" if self.count else "]", ending="\n")
