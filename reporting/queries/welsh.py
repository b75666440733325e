"""The Welsh language: the Active Offer made (to referrals and to young people supported) and the
language used (the young person's preferred language, and the language each contact was held in).

The Active Offer (More than just words) is offering a service in Welsh without being asked. A
referral records whether it was made at referral (``Referral.active_offer_made``); a young
person's record holds their answer and its date (``Child.active_offer``, ``active_offer_date``).
A young person's offer counts as made in a period when it was made by the period's last day
(an answer recorded without a date counts: the field was filled in before dates were asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import (
    PEOPLE_DIMENSIONS,
    Counts,
    Figures,
    Indicator,
    Share,
    by_dimension,
    by_dimensions,
    dimension_field,
    episodes_in,
    group,
    on_dates,
)
from reporting.queries.activity import _referral_by, _referral_fields, _referral_q

#: The young person's dimensions with their language first (the indicator's own category).
LANGUAGE_FIRST = ("language", *(d for d in PEOPLE_DIMENSIONS if d != "language"))

#: Young people's Active Offer answers that mean it was made; the "chose Welsh" ones among them.
MADE = ("welsh", "english", "both", "no_answer")
CHOSE_WELSH = ("welsh", "both")
#: Contacts held in Welsh, wholly or partly.
IN_WELSH = ("cy", "bilingual")


# --- The Active Offer at referral ------------------------------------------------------------


def _referrals(period: Period, filters: Filters) -> QuerySet[Any]:
    from referrals.models import Referral

    rows = Referral.objects.filter(on_dates(period, "received_at")).filter(_referral_q(filters, period.end))
    made = Case(When(active_offer_made=True, then=Value("made")), default=Value("not_made"), output_field=CharField())
    return rows.annotate(_offer=made)


def offer_at_referral(period: Period, filters: Filters, by: str = "offer") -> Counts:
    """Referrals received in the period, by whether the Active Offer was made (``made`` /
    ``not_made``) or a dimension."""
    rows = _referrals(period, filters)
    if by == "offer":
        return group(rows, "_offer")
    return _referral_by(rows, by, period, "")


def offer_at_referral_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``offer_at_referral`` by each of ``dims``, from one query (ADR 028)."""
    fields = _referral_fields([d for d in dims if d != "offer"], "", ("route",))
    if "offer" in dims:
        fields["offer"] = "_offer"
    return by_dimensions(_referrals(period, filters), fields, period, age_from="date_of_birth")


def _referral_figures(period: Period, filters: Filters) -> Figures:
    got = _referrals(period, filters).aggregate(n=Count("pk"), made=Count("pk", filter=Q(active_offer_made=True)))
    return {"received": int(got["n"]), "offer_made": Share(int(got["made"]), int(got["n"]))}


# --- The Active Offer to young people supported ----------------------------------------------


def _offer_by_end(period: Period) -> Case:
    """The young person's answer as it stood at the period's end: ``not_made`` if the offer was
    made only after it."""
    made = Q(child__active_offer__in=MADE) & (
        Q(child__active_offer_date__isnull=True) | Q(child__active_offer_date__lte=period.end)
    )
    return Case(When(made, then=F("child__active_offer")), default=Value("not_made"), output_field=CharField())


def offer_to_young_people(period: Period, filters: Filters, by: str = "offer") -> Counts:
    """Young people supported in the period, by their Active Offer answer at its end (each once)
    or a dimension."""
    rows = episodes_in(period, filters)
    if by == "offer":
        return group(rows.annotate(_offer=_offer_by_end(period)), "_offer", distinct="child_id")
    return by_dimension(rows, by, period, "child__", distinct="child_id")


def offer_to_young_people_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``offer_to_young_people`` by each of ``dims``, from one query (each young person once)."""
    rows = episodes_in(period, filters).annotate(_offer=_offer_by_end(period))
    fields = {d: "_offer" if d == "offer" else dimension_field(d, "child__") for d in dims}
    return by_dimensions(rows, fields, period, age_from="child__date_of_birth", distinct="child_id")


def _young_people_figures(period: Period, filters: Filters) -> Figures:
    rows = episodes_in(period, filters).annotate(_offer=_offer_by_end(period))
    got = rows.aggregate(
        n=Count("child_id", distinct=True),
        made=Count("child_id", distinct=True, filter=Q(_offer__in=MADE)),
        welsh=Count("child_id", distinct=True, filter=Q(_offer__in=CHOSE_WELSH)),
    )
    n, made, welsh = int(got["n"]), int(got["made"]), int(got["welsh"])
    return {"supported": n, "offer_made": Share(made, n), "chose_welsh": Share(welsh, made)}


# --- Language used -----------------------------------------------------------------------------


def young_people_by_language(period: Period, filters: Filters, by: str = "language") -> Counts:
    """Young people supported in the period by their preferred language (each once), or another
    dimension."""
    return by_dimension(episodes_in(period, filters), by, period, "child__", distinct="child_id")


def young_people_by_language_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``young_people_by_language`` by each of ``dims``, from one query (each young person once)."""
    fields = {d: dimension_field(d, "child__") for d in dims}
    return by_dimensions(
        episodes_in(period, filters), fields, period, age_from="child__date_of_birth", distinct="child_id"
    )


def _language_figures(period: Period, filters: Filters) -> Figures:
    got = episodes_in(period, filters).aggregate(
        n=Count("child_id", distinct=True),
        welsh=Count("child_id", distinct=True, filter=Q(child__preferred_language="cy")),
    )
    return {"supported": int(got["n"]), "prefer_welsh": Share(int(got["welsh"]), int(got["n"]))}


def _contacts(period: Period, filters: Filters) -> QuerySet[Any]:
    from contacts.models import Attendance, Contact

    return Contact.objects.filter(on_dates(period, "starts_at"), attendance=Attendance.ATTENDED).filter(
        filters.child_q(period.end, "child__")
    )


def contacts_by_language(period: Period, filters: Filters, by: str = "contact_language") -> Counts:
    """Contacts that took place in the period (every kind), by the language they were held in
    (``Contact.language``: Welsh, English, both, another with an interpreter) or a dimension of
    the young person."""
    rows = _contacts(period, filters)
    if by == "contact_language":
        return group(rows, "language")
    return by_dimension(rows, by, period, "child__")


def contacts_by_language_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    """``contacts_by_language`` by each of ``dims``, from one query."""
    fields = {d: "language" if d == "contact_language" else dimension_field(d, "child__") for d in dims}
    return by_dimensions(_contacts(period, filters), fields, period, age_from="child__date_of_birth")


def _contact_figures(period: Period, filters: Filters) -> Figures:
    got = _contacts(period, filters).aggregate(n=Count("pk"), welsh=Count("pk", filter=Q(language__in=IN_WELSH)))
    return {"contacts": int(got["n"]), "in_welsh": Share(int(got["welsh"]), int(got["n"]))}


INDICATORS: list[Indicator] = [
    Indicator(
        "active_offer_referrals",
        _("Active Offer at referral"),
        _("Referrals at which the Welsh language Active Offer was made."),
        _("Referrals received in the period."),
        _("Received on a day in the period."),
        offer_at_referral,
        count_many=offer_at_referral_many,
        dimensions=("offer", "route", *PEOPLE_DIMENSIONS),
        figures=_referral_figures,
        labels={
            "made": _("Active Offer made"),
            "not_made": _("Active Offer not made"),
            "received": _("Referrals received"),
            "offer_made": _("Percentage with the Active Offer made"),
        },
    ),
    Indicator(
        "active_offer_young_people",
        _("Active Offer to young people supported"),
        _(
            "Young people supported to whom the Active Offer had been made by the end of the period; and of them, those who chose Welsh or both languages."
        ),
        _("Young people supported in the period (each once); for the choice, those to whom the offer was made."),
        _("Support open at any time in the period; the offer made on or before its last day."),
        offer_to_young_people,
        count_many=offer_to_young_people_many,
        dimensions=("offer", *PEOPLE_DIMENSIONS),
        figures=_young_people_figures,
        labels={
            "not_made": _("Not made yet"),
            "welsh": _("Offer made: chose Welsh"),
            "english": _("Offer made: chose English"),
            "both": _("Offer made: chose both languages"),
            "no_answer": _("Offer made: no answer yet"),
            "supported": _("Young people supported"),
            "offer_made": _("Percentage with the Active Offer made"),
            "chose_welsh": _("Percentage who chose Welsh or both languages, of offers made"),
        },
    ),
    Indicator(
        "language_of_young_people",
        _("Young people's preferred language"),
        _("Young people supported, by the language they prefer."),
        _("Young people supported in the period (each once)."),
        _("Support open at any time in the period; the language as recorded now."),
        young_people_by_language,
        count_many=young_people_by_language_many,
        dimensions=LANGUAGE_FIRST,
        figures=_language_figures,
        labels={
            "cy": _("Welsh"),
            "en": _("English"),
            "other": _("Another language"),
            "supported": _("Young people supported"),
            "prefer_welsh": _("Percentage preferring Welsh"),
        },
    ),
    Indicator(
        "contact_language",
        _("Language of contacts"),
        _(
            "Contacts that took place, by the language they were held in (Welsh, English, both, or another with an interpreter)."
        ),
        _("Contacts that took place in the period."),
        _("Held on a day in the period."),
        contacts_by_language,
        count_many=contacts_by_language_many,
        dimensions=("contact_language", *PEOPLE_DIMENSIONS),
        figures=_contact_figures,
        labels={
            "cy": _("Welsh"),
            "en": _("English"),
            "bilingual": _("Welsh and English"),
            "other": _("Another language (with an interpreter)"),
            "contacts": _("Contacts that took place"),
            "in_welsh": _("Percentage held in Welsh or both languages"),
        },
    ),
]
