"""Names of the categories a report shows, in the reader's language.

Any indicator is rendered generically (its ``dimensions`` and ``labels``), so the label of a
category is found the same way for all of them: the indicator's own ``labels``; organisations
(service, region, local authority), directory entries (warm handovers) and the self-assessment
framework's domains and levels by their names in the reader's language (``row_names``: one query
per kind of name for the whole page, however many categories it shows);
age bands; then the choices of the model field the dimension is (``FIELDS``, or the young
person's field for a people dimension). A code with no label is shown as it is, so a new
indicator's category is never hidden – only not yet named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from reporting.filters import AGE_BAND_LABELS, DIMENSIONS
from reporting.queries._common import Indicator

#: Dimensions whose categories are organisations' ids.
ORGANISATION_DIMENSIONS = frozenset({"service", "region", "local_authority"})
#: Dimensions whose categories are ids of reference rows (not personal data) named in the
#: reader's language: (app, model) of the row.
NAMED_ROWS: dict[str, tuple[str, str]] = {
    **{d: ("accounts", "Organisation") for d in ORGANISATION_DIMENSIONS},
    "directory_service": ("referrals", "DirectoryService"),
}

#: Dimensions whose categories are *codes* of reference rows named in the reader's language:
#: (app, model, the field the code is). A self-assessment's domains and levels are keyed by code
#: so that figures follow a framework a service loads itself (selfassess, ADR 027); when several
#: framework versions share a code, the current framework's name wins, then the newest loaded.
CODED_ROWS: dict[str, tuple[str, str, str]] = {
    "domain": ("selfassess", "Domain", "code"),
    "level": ("selfassess", "Level", "value"),
}

#: Where the choices of an indicator's own category are: (app, model, field). Keyed by the
#: dimension, or by (indicator code, dimension) where a name means different things.
FIELDS: dict[str | tuple[str, str], tuple[str, str, str]] = {
    "route": ("referrals", "Referral", "route"),
    "referrer_type": ("referrals", "Referral", "referrer_type"),
    "outcome": ("referrals", "Decision", "outcome"),
    "consultation_with": ("contacts", "Contact", "consultation_with"),
    "kind": ("events", "SignificantEvent", "kind"),
    ("placement_stability", "type"): ("people", "Placement", "type"),
}

#: The names of the breakdowns themselves (the "break down by" choice and table headings).
DIMENSION_NAMES: dict[str, Promise] = {
    "service": gettext_lazy("Service"),
    "region": gettext_lazy("Region"),
    "local_authority": gettext_lazy("Local authority"),
    "legal_status": gettext_lazy("Legal status"),
    "language": gettext_lazy("Language of support"),
    "gender": gettext_lazy("Gender"),
    "ethnicity": gettext_lazy("Ethnic group"),
    "age_band": gettext_lazy("Age band"),
    "route": gettext_lazy("Route of referral"),
    "referrer_type": gettext_lazy("Who referred"),
    "outcome": gettext_lazy("Decision"),
    "consultation_with": gettext_lazy("Consultation with"),
    "kind": gettext_lazy("Kind"),
    "directory_service": gettext_lazy("Handed on to"),
}


def dimension_name(dimension: str) -> str:
    name = DIMENSION_NAMES.get(dimension)
    return str(name) if name is not None else dimension.replace("_", " ").capitalize()


def _choices(app: str, model: str, field: str) -> dict[str, str]:
    choices = apps.get_model(app, model)._meta.get_field(field).choices or []
    return {str(k): str(v) for k, v in choices}


def field_choices(indicator_code: str, dimension: str) -> dict[str, str]:
    where = FIELDS.get((indicator_code, dimension)) or FIELDS.get(dimension)
    if where is None and dimension in DIMENSIONS and dimension not in ORGANISATION_DIMENSIONS:
        where = ("people", "Child", DIMENSIONS[dimension])
    return _choices(*where) if where else {}


#: Names of reference rows (organisations, directory entries), keyed by ("app.Model", id).
Names = dict[tuple[str, str], str]


def row_names(breakdowns: Iterable[tuple[str, Iterable[str]]]) -> Names:
    """The names, in the reader's language, of every reference row a report's categories are
    (``NAMED_ROWS`` by id, ``CODED_ROWS`` by code): one query per kind of row for the whole page,
    whatever its size."""
    wanted: dict[tuple[str, str], set[int]] = {}
    coded: dict[str, set[str]] = {}
    for dimension, keys in breakdowns:
        row = NAMED_ROWS.get(dimension)
        if row is not None:
            wanted.setdefault(row, set()).update(int(k) for k in keys if str(k).isdigit())
        elif dimension in CODED_ROWS:
            coded.setdefault(dimension, set()).update(str(k) for k in keys if str(k))
    names: Names = {}
    for (app, model), ids in wanted.items():
        if ids:
            for found in _reference_rows(app, model).filter(pk__in=ids):
                names[(f"{app}.{model}", str(found.pk))] = str(found.name)
    for dimension, codes in coded.items():
        if codes:
            names.update(_coded_names(dimension, codes))
    return names


def _coded_names(dimension: str, codes: set[str]) -> Names:
    """One query: the rows of those codes, the current framework's first, then the newest loaded
    (the first seen for a code wins)."""
    app, model, code_field = CODED_ROWS[dimension]
    if code_field == "value":
        codes = {c for c in codes if c.isdigit()}
    rows = (
        apps.get_model(app, model)
        .objects.filter(**{f"{code_field}__in": codes})
        .order_by(code_field, "-framework__is_current", "-framework__loaded_at", "-pk")
    )
    names: Names = {}
    for found in rows:
        key = (f"{app}.{model}", str(getattr(found, code_field)))
        if key not in names:
            names[key] = str(found)  # a domain's name; a level's "2. Developing"
    return names


def _reference_rows(app: str, model: str) -> QuerySet[Any]:
    """The reference rows a category may name (neither is personal data)."""
    from referrals.models import DirectoryService

    rows: dict[tuple[str, str], QuerySet[Any]] = {
        ("accounts", "Organisation"): Organisation.objects.all(),
        ("referrals", "DirectoryService"): DirectoryService.objects.all(),
    }
    return rows[(app, model)]


def category_label(
    indicator_code: str,
    dimension: str,
    key: str,
    *,
    own: Mapping[str, object],
    names: Mapping[tuple[str, str], str],
) -> str:
    """The name of one category (see the module)."""
    if key == "":
        return _("Not recorded")
    if key in own:
        return str(own[key])
    if dimension in NAMED_ROWS:
        app, model = NAMED_ROWS[dimension]
        unknown = _("Unknown organisation") if dimension in ORGANISATION_DIMENSIONS else key
        return names.get((f"{app}.{model}", key), unknown)
    if dimension in CODED_ROWS:
        app, model, _field = CODED_ROWS[dimension]
        return names.get((f"{app}.{model}", key), key)
    if dimension == "age_band":
        return str(AGE_BAND_LABELS.get(key, _("Outside these ages")))
    return field_choices(indicator_code, dimension).get(key, key)


def figure_breakdowns(indicator: Indicator, keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The categories an indicator's headline figures name (``Indicator.named_figures``), as the
    (dimension, codes) pairs ``row_names`` takes, so they are named in the page's one query too."""
    pairs = []
    for prefix, (dimension, _message) in indicator.named_figures.items():
        codes = [k.removeprefix(prefix) for k in keys if k.startswith(prefix) and k not in indicator.labels]
        if codes:
            pairs.append((dimension, codes))
    return pairs


def figure_label(indicator: Indicator, key: str, names: Mapping[tuple[str, str], str]) -> str:
    """The name of a headline figure: the indicator's own label, or a figure named from
    reference data (``Indicator.named_figures``, names from ``row_names``), or its code made
    readable."""
    if key in indicator.labels:
        return str(indicator.labels[key])
    for prefix, (dimension, message) in indicator.named_figures.items():
        if key.startswith(prefix):
            code = key.removeprefix(prefix)
            return str(message) % {dimension: category_label(indicator.code, dimension, code, own={}, names=names)}
    return key.replace("_", " ").capitalize()
