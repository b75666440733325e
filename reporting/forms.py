"""The reporting pages' filters: one GET form (it works without JavaScript), whose choices are
limited to what the reader may see (``reporting.access``). Its result is a period, ``Filters``
and a breakdown – never anything about a person."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationType
from core.forms import GovukDateField, NythForm
from people.models import Ethnicity, Gender, LegalStatus, PreferredLanguage
from reporting import periods
from reporting.access import Area, Audience, custom_ranges_allowed
from reporting.filters import AGE_BAND_LABELS, DIMENSIONS, Filters
from reporting.labels import dimension_name
from reporting.periods import Period

CUSTOM = "custom"
#: How many quarters back the period list goes, and how many quarters a trend shows.
QUARTERS_OFFERED = 8
YEARS_OFFERED = 3
TREND_QUARTERS = 4
#: The filters a commissioner is not given (see ``ReportForm.__init__``).
COMMISSIONER_WITHOUT = ("service", "local_authority", "age_band", "legal_status", "language", "gender", "ethnicity")


def fixed_periods(today: datetime.date, *, complete_only: bool) -> list[Period]:
    """Quarters (newest first) then years. Commissioners get complete periods only: a period
    still running grows from one day to the next, and two views of it could be differenced."""
    current_q = periods.quarter_of(today)
    quarters = periods.previous_quarters(today, QUARTERS_OFFERED)[::-1]
    if not complete_only:
        quarters = [current_q, *quarters[:-1]]
    this_year = periods.year(int(current_q.code[:4]))
    years = [periods.year(this_year.start.year - i) for i in range(YEARS_OFFERED)]
    if complete_only:
        years = [y for y in years if y.end < today]
    return [*quarters, *years]


def _fixed_label(period: Period) -> str:
    from reporting.pages import period_label

    if "Q" in period.code:
        return str(_("Quarter %(number)s, %(dates)s")) % {"number": period.code[-1], "dates": period_label(period)}
    return str(_("Year %(dates)s")) % {"dates": period_label(period)}


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *((str(k), v) for k, v in choices)]


class ReportForm(NythForm):
    period = forms.ChoiceField(label=_("Period"))
    start = GovukDateField(label=_("Start of the range"), required=False, help_text=_("For example, 1 4 2026"))
    end = GovukDateField(label=_("End of the range"), required=False, help_text=_("For example, 30 6 2026"))
    area = forms.ChoiceField(label=_("Area"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    local_authority = forms.ChoiceField(label=_("Local authority responsible"), required=False)
    age_band = forms.ChoiceField(label=_("Age band"), required=False)
    legal_status = forms.ChoiceField(label=_("Legal status"), required=False)
    language = forms.ChoiceField(label=_("Language of support"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnic group"), required=False)
    by = forms.ChoiceField(label=_("Break down by"), required=False)

    def __init__(self, *args: Any, audience: Audience, area: Area, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audience, self.area_covered, self.today = audience, area, today
        offered = fixed_periods(today, complete_only=not custom_ranges_allowed(audience))
        self.offered = {p.code: p for p in offered}
        choices: list[tuple[str, Any]] = [(p.code, _fixed_label(p)) for p in offered]
        if custom_ranges_allowed(audience):
            choices.append((CUSTOM, _("A range of dates (below)")))
        else:
            del self.fields["start"], self.fields["end"]
        self.fields["period"].choices = choices
        self.fields["period"].initial = offered[1].code if custom_ranges_allowed(audience) else offered[0].code
        if audience is Audience.COMMISSIONER:
            self.fields["area"].choices = [
                *((f"region-{o.pk}", o.name) for o in area.regions),
                *((f"la-{o.pk}", o.name) for o in area.authorities),
            ]
            self.fields["area"].required = True
            self.fields["area"].initial = self.fields["area"].choices[0][0]
            # No narrowing filters for commissioners: a filtered total is a cell of the same
            # breakdown unfiltered, so filtering by "girls" would show the count that secondary
            # suppression hid there, and the boys' [c] would be the difference. They choose an
            # area and one breakdown; the release of that breakdown is suppressed as a whole.
            for name in COMMISSIONER_WITHOUT:
                del self.fields[name]
        else:
            # The service's own people: their service is fixed (user.organisation).
            del self.fields["area"], self.fields["service"]
            authorities = Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY, is_active=True)
            self.fields["local_authority"].choices = _blank(
                ((o.pk, o.name) for o in authorities), _("All local authorities")
            )
        for name, choices, everyone in (
            ("age_band", list(AGE_BAND_LABELS.items()), _("All ages")),
            ("legal_status", LegalStatus.choices, _("Any legal status")),
            ("language", PreferredLanguage.choices, _("Any language")),
            ("gender", Gender.choices, _("Any gender")),
            ("ethnicity", Ethnicity.choices, _("Any ethnic group")),
        ):
            if name in self.fields:
                self.fields[name].choices = _blank(choices, everyone)
        by = [d for d in DIMENSIONS if not (d == "service" and audience is not Audience.COMMISSIONER)]
        self.fields["by"].choices = _blank(((d, dimension_name(d)) for d in by), _("No breakdown"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day of the range"))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day of the range"))
            if start and end and end < start:
                self.add_error("end", _("The end of the range must be on or after its start"))
        return data

    def chosen_period(self) -> Period:
        code = self.cleaned_data["period"]
        if code == CUSTOM:
            return periods.custom(self.cleaned_data["start"], self.cleaned_data["end"])
        return self.offered[code]

    def filters(self, *, service_id: int | None, caseload_of: int | None) -> Filters:
        data = self.cleaned_data
        region_id = local_authority_id = None
        area = data.get("area") or ""
        if area.startswith("region-"):
            region_id = int(area.removeprefix("region-"))
        elif area.startswith("la-"):
            local_authority_id = int(area.removeprefix("la-"))
        if data.get("local_authority"):
            local_authority_id = int(data["local_authority"])
        if data.get("service"):
            service_id = int(data["service"])
        return Filters(
            service_id=service_id,
            region_id=region_id,
            local_authority_id=local_authority_id,
            age_band=data.get("age_band") or "",
            legal_status=data.get("legal_status") or "",
            language=data.get("language") or "",
            gender=data.get("gender") or "",
            ethnicity=data.get("ethnicity") or "",
            caseload_of=caseload_of,
        )

    def chosen(self) -> dict[str, str]:
        """What was chosen, for the audit event (codes and ids of areas: never a person)."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None) and k not in ("start", "end")}
