"""The plan's history: every saved state of the plan, its goals, actions and reviews, and of the
offers and choices, as "who changed which detail, from what, to what" (django-simple-history).

Reached only from a child the caller already holds through ``visible_to``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from plans.models import Goal, OptionOffer, Plan, PlanAction, PlanReview, SupportOption

if TYPE_CHECKING:
    from people.models import Child

#: Bookkeeping, not content: never shown as a change.
_NOT_SHOWN = {"version", "updated_at", "updated_by", "recorded_by", "recorded_at", "created_at", "child", "plan", "id"}
#: At most this many changes are listed (newest first).
LIMIT = 500


def _subject(model: type[models.Model], entry: Any, options: dict[int, str]) -> str:
    if model is Goal:
        return entry.text
    if model is PlanAction:
        return entry.what
    if model is PlanReview:
        return date_format(entry.held_on, "j F Y")
    if model is OptionOffer:
        return options.get(entry.option_id, "")
    return ""


def _display(field: models.Field, value: Any, lookups: dict[str, dict[Any, str]]) -> str:
    if value is None or value == "":
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if field.is_relation:
        return lookups.get(field.name, {}).get(value, "–")
    return str(value)


def plan_changes(*, child: Child, plan: Plan | None) -> list[dict[str, Any]]:
    sources: list[tuple[str, type[models.Model], Any]] = [
        (_("Option offered and choice"), OptionOffer, OptionOffer.history.filter(child_id=child.pk)),
    ]
    if plan is not None:
        sources += [
            (_("Plan"), Plan, Plan.history.filter(id=plan.pk)),
            (_("Goal"), Goal, Goal.history.filter(plan_id=plan.pk)),
            (_("Action"), PlanAction, PlanAction.history.filter(plan_id=plan.pk)),
            (_("Review"), PlanReview, PlanReview.history.filter(plan_id=plan.pk)),
        ]
    entries: list[tuple[str, type[models.Model], Any]] = []
    for label, model, history in sources:
        entries += [
            (label, model, entry)
            for entry in history.select_related("history_user").order_by("history_date", "history_id")
        ]

    options = {o.pk: str(o.name) for o in SupportOption.objects.for_service(child.service_id)}
    goal_texts = {entry.id: entry.text for label, model, entry in entries if model is Goal}
    user_ids = {entry.offered_by_id for label, model, entry in entries if model is OptionOffer}
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    lookups = {"option": options, "goal": goal_texts, "offered_by": users}

    changes = []
    previous: dict[tuple[type[models.Model], int], Any] = {}
    for label, model, entry in entries:
        before = previous.get((model, entry.id))
        previous[(model, entry.id)] = entry
        diffs = []
        if before is not None:
            delta = entry.diff_against(before)
            for change in delta.changes:
                if change.field in _NOT_SHOWN:
                    continue
                # simple-history diffs the model's concrete fields only (never a reverse relation).
                field = cast(models.Field, model._meta.get_field(change.field))
                diffs.append(
                    {
                        "field": capfirst(str(field.verbose_name)),
                        "old": _display(field, change.old, lookups),
                        "new": _display(field, change.new, lookups),
                    }
                )
            if not diffs:
                continue  # a save that changed only bookkeeping
        changes.append(
            {
                "label": label,
                "subject": _subject(model, entry, options),
                "entry": entry,
                "created": before is None,
                "diffs": diffs,
            }
        )
    changes.sort(key=lambda c: (c["entry"].history_date, c["entry"].history_id), reverse=True)
    return changes[:LIMIT]
