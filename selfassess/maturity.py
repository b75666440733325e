"""Maturity over time: per domain, the mean level of its statements in each completed round of a
service – a fixed number of queries whatever the number of rounds or statements (one for the
rounds, one aggregate for the means, one for the domains' names).

Domains are matched across rounds by ``code``, so a service that loads a new version of its
framework keeps one line per domain that it kept."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Max

from accounts.models import Organisation
from selfassess.models import Domain, Level, Rating, Round, RoundStatus


@dataclass(frozen=True)
class RoundPoint:
    round_id: int
    assessed_on: datetime.date


@dataclass
class DomainSeries:
    code: str
    name: str
    #: The domain's mean level per round (None: the domain was not in that round's framework).
    means: list[float | None] = field(default_factory=list)


@dataclass
class Maturity:
    rounds: list[RoundPoint]
    domains: list[DomainSeries]
    top_level: int


def domain_means(round_ids: list[int]) -> dict[tuple[int, str], float]:
    """(round id, domain code) → mean level value, in one aggregate query."""
    rows = (
        Rating.objects.filter(round_id__in=round_ids, level__isnull=False)
        .values("round_id", "statement__domain__code")
        .annotate(mean=Avg("level__value"))
        .order_by()
    )
    return {(row["round_id"], row["statement__domain__code"]): float(row["mean"]) for row in rows}


def maturity_over_time(service: Organisation) -> Maturity:
    rounds = list(
        Round.objects.filter(service=service, status=RoundStatus.COMPLETED)
        .order_by("assessed_on", "pk")
        .values_list("pk", "assessed_on", "framework_id")
    )
    points = [RoundPoint(pk, on) for pk, on, _ in rounds]
    frameworks = {framework for _, _, framework in rounds}
    means = domain_means([p.round_id for p in points])
    # The latest framework's names and order first; domains only in older frameworks after them.
    domains: dict[str, DomainSeries] = {}
    for domain in Domain.objects.filter(framework_id__in=frameworks).order_by("-framework__loaded_at", "order"):
        domains.setdefault(domain.code, DomainSeries(domain.code, domain.name))
    for series in domains.values():
        series.means = [means.get((p.round_id, series.code)) for p in points]
    top = Level.objects.filter(framework_id__in=frameworks).aggregate(top=Max("value"))["top"] or 4
    return Maturity(points, list(domains.values()), int(top))
