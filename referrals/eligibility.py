"""Eligibility per the National Practice Guidance: which criteria a referral meets, and why.

Eligibility informs the decision; it never rejects. A referral that does not meet the criteria
is still answered – with a consultation or a warm handover to a better-placed service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

CARE_EXPERIENCED = {"looked_after", "adopted", "special_guardianship", "care_leaver"}


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    met: bool | None  # None: not known yet
    why: str


@dataclass(frozen=True)
class Eligibility:
    criteria: tuple[Criterion, ...]
    route: str  # "eligible", "flexible" (edge of care), "not_met", "incomplete"
    flags: tuple[str, ...]

    @property
    def summary(self) -> str:
        return {
            "eligible": str(_("Meets the criteria for therapeutic support")),
            "flexible": str(_("Edge of care: the guidance allows a flexible route")),
            "not_met": str(_("Does not meet every criterion: consider a consultation or a warm handover")),
            "incomplete": str(_("Not enough information yet to say")),
        }[self.route]


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def assess(
    *,
    legal_status: str,
    complex_needs: bool | None,
    responsible_local_authority_known: bool,
    date_of_birth: date,
    today: date,
) -> Eligibility:
    criteria: list[Criterion] = []
    if legal_status in CARE_EXPERIENCED:
        criteria.append(
            Criterion(
                "care_experienced",
                str(_("Care-experienced")),
                True,
                str(_("Looked after, adopted, under special guardianship or a care leaver.")),
            )
        )
    elif legal_status == "edge_of_care":
        criteria.append(
            Criterion(
                "care_experienced",
                str(_("Care-experienced")),
                None,
                str(_("On the edge of care: families on the edge of care may be worked with flexibly.")),
            )
        )
    else:
        criteria.append(
            Criterion(
                "care_experienced",
                str(_("Care-experienced")),
                False,
                str(_("The legal status given is not one of the care-experienced groups.")),
            )
        )

    if complex_needs is None:
        criteria.append(
            Criterion("complex_needs", str(_("Complex mental health and wellbeing needs")), None, str(_("Not stated.")))
        )
    else:
        criteria.append(
            Criterion(
                "complex_needs",
                str(_("Complex mental health and wellbeing needs")),
                complex_needs,
                str(_("Including needs arising from adversity and trauma. No diagnosis is needed."))
                if complex_needs
                else str(_("The referrer did not describe complex needs.")),
            )
        )
    criteria.append(
        Criterion(
            "welsh_local_authority",
            str(_("Under the care of a Welsh local authority")),
            True if responsible_local_authority_known else None,
            str(_("A Welsh local authority is responsible."))
            if responsible_local_authority_known
            else str(_("The responsible local authority is not known yet.")),
        )
    )
    age = age_on(date_of_birth, today)
    flags: list[str] = []
    if age > 25:
        flags.append(
            str(
                _(
                    "Aged %(age)s: the guidance sets no upper age limit but expects support to 25 where "
                    "needs demand. Record why support is needed now."
                )
                % {"age": age}
            )
        )
    known = [c.met for c in criteria]
    if all(m is True for m in known):
        route = "eligible"
    elif legal_status == "edge_of_care" and all(c.met is not False for c in criteria):
        route = "flexible"
    elif any(m is False for m in known):
        route = "not_met"
    else:
        route = "incomplete"
    return Eligibility(criteria=tuple(criteria), route=route, flags=tuple(flags))
