"""NEST/NYTH self-assessment maturity (issue 15): the latest completed self-assessment of each
service in the report, as the mean level per domain and a count of its statements by level.

No young person is counted here: a self-assessment is about a service. Only the service and
region filters apply; the young person's filters (authority, age band, legal status, language,
gender, ethnicity) do not, and the definition says so. Domains are keyed by their ``code``, so
the figures follow a service that loads its own framework (selfassess, ADR 027); their names
and the levels' names are data, read with the report's other names (``reporting.labels``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import Counts, Figures, Indicator, Stat, group


def _service_q(filters: Filters) -> Q:
    q = Q()
    if filters.service_id:
        q &= Q(service_id=filters.service_id)
    if filters.region_id:
        q &= Q(service__region_id=filters.region_id)
    return q


def latest_rounds(period: Period, filters: Filters) -> QuerySet[Any]:
    """Each service's latest round completed on or before the period's last day (one subquery)."""
    from selfassess.models import Round, RoundStatus

    completed = Round.objects.filter(status=RoundStatus.COMPLETED, assessed_on__lte=period.end)
    latest = completed.filter(service=OuterRef("service")).order_by("-assessed_on", "-pk").values("pk")[:1]
    return completed.filter(_service_q(filters)).filter(pk=Subquery(latest)).values("pk")


def _ratings(period: Period, filters: Filters) -> QuerySet[Any]:
    from selfassess.models import Rating

    return Rating.objects.filter(round__in=latest_rounds(period, filters), level__isnull=False)


def statements_by_level(period: Period, filters: Filters, by: str = "level") -> Counts:
    """The latest rounds' statements counted by level value ("1", "2", …) or by domain code."""
    if by == "domain":
        return group(_ratings(period, filters), "statement__domain__code")
    return group(_ratings(period, filters), "level__value")


def maturity_figures(period: Period, filters: Filters) -> Figures:
    """``services``: how many services' rounds are included; ``mean_<domain code>``: the mean level
    of the domain's statements over them (as a ``Stat`` over the ratings averaged), and
    ``mean_all`` over every statement – one aggregate query each for the domains and the whole."""
    ratings = _ratings(period, filters)
    figures: Figures = {}
    overall = ratings.aggregate(
        mean=Avg("level__value"), n=Count("pk"), services=Count("round__service", distinct=True)
    )
    figures["services"] = int(overall["services"] or 0)
    figures["mean_all"] = Stat(float(overall["mean"]) if overall["mean"] is not None else None, int(overall["n"]))
    rows = ratings.values("statement__domain__code").annotate(mean=Avg("level__value"), n=Count("pk")).order_by()
    for row in rows:
        figures[f"mean_{row['statement__domain__code']}"] = Stat(float(row["mean"]), int(row["n"]))
    return figures


#: Fixed labels; the domains' (``mean_<code>``) and levels' ("1", "2", …) names are the
#: framework's data, read by ``reporting.labels.row_names`` with the page's other names in one
#: query per kind (``CODED_ROWS``), never one query per label shown.
LABELS: dict[str, Promise] = {
    "services": _("Services with a completed self-assessment"),
    "mean_all": _("Mean level, all statements"),
}


INDICATORS: list[Indicator] = [
    Indicator(
        "nest_maturity",
        _("NEST/NYTH self-assessment maturity"),
        _(
            "The latest completed self-assessment of each service: the mean level of each domain's statements, and the statements counted by level."
        ),
        _("The statements rated in those self-assessments (a mean is over them)."),
        _(
            "Each service's latest self-assessment completed on or before the last day of the period. Only the service and region filters apply: a self-assessment is about the service, not about young people."
        ),
        statements_by_level,
        dimensions=("level", "domain"),
        figures=maturity_figures,
        labels=LABELS,
        named_figures={"mean_": ("domain", _("Mean level: %(domain)s"))},
        about_people=False,
    ),
]
