"""What a report is about: the period's people narrowed by service, region, local authority,
age band, legal status, language, gender and ethnicity. One ``Filters`` turns into one ``Q``
on the young person (``child_q``), with a prefix for the model it is applied from, so every
indicator filters the same way."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

#: Age bands (age on the last day of the period): the guidance's groups and Nyth's upper limit.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-4": (0, 4),
    "5-10": (5, 10),
    "11-15": (11, 15),
    "16-17": (16, 17),
    "18-25": (18, 25),
}
AGE_BAND_LABELS = {
    "0-4": _("0 to 4"),
    "5-10": _("5 to 10"),
    "11-15": _("11 to 15"),
    "16-17": _("16 and 17"),
    "18-25": _("18 to 25"),
}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_for_age(on: datetime.date, low: int, high: int) -> tuple[datetime.date, datetime.date]:
    """Dates of birth of people aged ``low`` to ``high`` on ``on``: (earliest, latest), inclusive."""
    latest = _years_before(on, low)
    earliest = _years_before(on, high + 1) + datetime.timedelta(days=1)
    return earliest, latest


@dataclass(frozen=True)
class Filters:
    service_id: int | None = None
    region_id: int | None = None
    local_authority_id: int | None = None
    age_band: str = ""
    legal_status: str = ""
    language: str = ""
    gender: str = ""
    ethnicity: str = ""
    #: A practitioner's own figures: only the young people on this user's current caseload
    #: (the user's id; the condition is built in ``reporting.queries``, the one door).
    caseload_of: int | None = None

    def child_q(self, on: datetime.date, prefix: str = "") -> Q:
        """These filters as a condition on the young person, reached through ``prefix``
        (e.g. ``"child__"``), with ages taken on ``on``."""
        q = Q()
        if self.service_id:
            q &= Q(**{f"{prefix}service_id": self.service_id})
        if self.region_id:
            q &= Q(**{f"{prefix}service__region_id": self.region_id})
        if self.local_authority_id:
            q &= Q(**{f"{prefix}responsible_local_authority_id": self.local_authority_id})
        if self.age_band:
            low, high = AGE_BANDS[self.age_band]
            earliest, latest = born_for_age(on, low, high)
            q &= Q(**{f"{prefix}date_of_birth__gte": earliest, f"{prefix}date_of_birth__lte": latest})
        for field, value in (
            ("legal_status", self.legal_status),
            ("preferred_language", self.language),
            ("gender", self.gender),
            ("ethnicity", self.ethnicity),
        ):
            if value:
                q &= Q(**{f"{prefix}{field}": value})
        if self.caseload_of:
            from reporting.queries._common import caseload_children

            q &= Q(**{f"{prefix}pk__in": caseload_children(self.caseload_of)})
        return q


def age_band_expression(on: datetime.date, field: str) -> Case:
    """The age band of the date of birth ``field`` on ``on``, computed in the database."""
    whens = []
    for code, (low, high) in AGE_BANDS.items():
        earliest, latest = born_for_age(on, low, high)
        whens.append(When(**{f"{field}__gte": earliest, f"{field}__lte": latest}, then=Value(code)))
    return Case(*whens, default=Value("other"), output_field=CharField())


#: The breakdowns a report may be cut by: the field on the young person each is.
DIMENSIONS: dict[str, str] = {
    "service": "service_id",
    "region": "service__region_id",
    "local_authority": "responsible_local_authority_id",
    "legal_status": "legal_status",
    "language": "preferred_language",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "age_band": "date_of_birth",  # through age_band_expression
}
