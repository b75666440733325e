"""Changing an instrument's parameters: only through a reviewed proposal (ADR 017).

A parameter change re-categorises every young person's change on that measure at once, so one
service manager proposes it with its reason and source, and a *different* service manager
approves or rejects it. Approval applies the change in one transaction, refuses a proposal made
against an older state of the instrument, writes the instrument's history row (who approved, a
short reason pointing back to the proposal) and is audited.

The rules on the values are plain typed functions (``validate``) so that the form, the service
and the tests share one statement of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record
from core.history import mark_version
from outcomes.models import (
    AppliesTo,
    ChangeStatus,
    Instrument,
    InstrumentChange,
    ReliableChangeMethod,
    Scale,
)

if TYPE_CHECKING:
    from accounts.models import User


class ParameterValues(TypedDict):
    """Every changeable field of an instrument, typed as the model holds it."""

    rc_method: str
    rc_sd: Decimal | None
    rc_reliability: Decimal | None
    rc_threshold: Decimal | None
    rc_scale: str
    rc_applies_to: str
    rc_population: str
    rc_citation: str
    cutoff: Decimal | None
    cutoff_population: str
    cutoff_citation: str
    age_min: int | None
    age_max: int | None
    age_citation: str
    active: bool


#: The changeable fields, in the order the pages show them.
CHANGEABLE: tuple[str, ...] = tuple(ParameterValues.__annotations__)
#: Decimal fields: (max_digits, decimal_places) as the model stores them.
DECIMALS: dict[str, tuple[int, int]] = {
    "rc_sd": (6, 3),
    "rc_reliability": (4, 3),
    "rc_threshold": (6, 3),
    "cutoff": (6, 2),
}
INTEGERS = ("age_min", "age_max")


def current_values(instrument: Instrument) -> ParameterValues:
    return ParameterValues(
        rc_method=instrument.rc_method,
        rc_sd=instrument.rc_sd,
        rc_reliability=instrument.rc_reliability,
        rc_threshold=instrument.rc_threshold,
        rc_scale=instrument.rc_scale,
        rc_applies_to=instrument.rc_applies_to,
        rc_population=instrument.rc_population,
        rc_citation=instrument.rc_citation,
        cutoff=instrument.cutoff,
        cutoff_population=instrument.cutoff_population,
        cutoff_citation=instrument.cutoff_citation,
        age_min=instrument.age_min,
        age_max=instrument.age_max,
        age_citation=instrument.age_citation,
        active=instrument.active,
    )


def _decimal_json(value: Decimal | None, places: int) -> str | None:
    # Quantised to the stored places, so 3.92 and 3.920 are the same value (and compare equal).
    return None if value is None else str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def to_json(values: ParameterValues) -> dict[str, Any]:
    """The values as JSON (decimals as text: JSON numbers are floats and would lose 0.880)."""
    out: dict[str, Any] = dict(values)
    for name, (_digits, places) in DECIMALS.items():
        out[name] = _decimal_json(values[name], places)  # type: ignore[literal-required]
    return out


def from_json(data: dict[str, Any]) -> ParameterValues:
    values: dict[str, Any] = {name: data.get(name) for name in CHANGEABLE}
    for name in DECIMALS:
        values[name] = None if values[name] in (None, "") else Decimal(str(values[name]))
    texts = ("rc_method", "rc_scale", "rc_applies_to", "rc_population", "rc_citation", "cutoff_population",
             "cutoff_citation", "age_citation")  # fmt: skip
    for name in texts:
        values[name] = values[name] or ""
    values["active"] = bool(values["active"])
    return ParameterValues(**values)  # type: ignore[typeddict-item]


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The changeable fields whose JSON values differ (both from ``to_json``)."""
    return [name for name in CHANGEABLE if before.get(name) != after.get(name)]


def _fits(value: Decimal, digits: int, places: int) -> bool:
    """Whether the model's DecimalField can store the value exactly (no rounding on save)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > places:  # NaN and infinity have a letter here
        return False
    return abs(value) < Decimal(10) ** (digits - places)


def validate(instrument: Instrument, values: ParameterValues) -> None:
    """Refuse values that would make figures wrong or unsourced; one ``ValidationError`` keyed
    by field, so every error is shown beside its field at once.

    - the standard deviation is above 0; the reliability lies strictly between 0 and 1 (a
      reliability of 1 would make every change reliable, 0 none); a fixed threshold is above 0;
    - SD and reliability (or a fixed threshold) need their scale, population and citation
      (docs/outcomes.md: every parameter records where it comes from);
    - the chosen method has its values (SD and reliability; or a threshold);
    - a caseness cut-off needs its population and citation and lies within the score range;
    - the youngest age is not above the oldest, and the age range has its citation;
    - something must change (a proposal that changes nothing is refused).
    """
    errors: dict[str, str] = {}
    for name, (digits, places) in DECIMALS.items():
        value = values[name]  # type: ignore[literal-required]
        if value is not None and not _fits(value, digits, places):
            errors[name] = _("Enter a number with at most %(places)s decimal places, less than %(limit)s") % {
                "places": places,
                "limit": 10 ** (digits - places),
            }
    if values["rc_method"] not in ReliableChangeMethod.values:
        errors["rc_method"] = _("Choose how reliable change is judged")
    if values["rc_scale"] and values["rc_scale"] not in Scale.values:
        errors["rc_scale"] = _("Choose the raw or the metric score")
    if values["rc_applies_to"] not in AppliesTo.values:
        errors["rc_applies_to"] = _("Choose what the reliable change applies to")
    sd, r, fixed = values["rc_sd"], values["rc_reliability"], values["rc_threshold"]
    if sd is not None and "rc_sd" not in errors and sd <= 0:
        errors["rc_sd"] = _("The standard deviation must be more than 0")
    if r is not None and "rc_reliability" not in errors and not Decimal(0) < r < Decimal(1):
        errors["rc_reliability"] = _("The reliability must be more than 0 and less than 1")
    if fixed is not None and "rc_threshold" not in errors and fixed <= 0:
        errors["rc_threshold"] = _("The fixed threshold must be more than 0")
    method = values["rc_method"]
    if method == ReliableChangeMethod.SD_RELIABILITY:
        if sd is None:
            errors.setdefault("rc_sd", _("Enter the standard deviation: the method uses it"))
        if r is None:
            errors.setdefault("rc_reliability", _("Enter the reliability: the method uses it"))
    if method == ReliableChangeMethod.FIXED and fixed is None:
        errors.setdefault("rc_threshold", _("Enter the fixed threshold: the method uses it"))
    if sd is not None or r is not None or (method == ReliableChangeMethod.FIXED and fixed is not None):
        if not values["rc_scale"]:
            errors.setdefault("rc_scale", _("Choose the scale the parameters are on"))
        if not values["rc_population"].strip():
            errors["rc_population"] = _("Enter the population the parameters come from")
        if not values["rc_citation"].strip():
            errors["rc_citation"] = _("Enter the source of the parameters")
    cutoff = values["cutoff"]
    if cutoff is not None and "cutoff" not in errors:
        low, high = instrument.score_min, instrument.score_max
        if (low is not None and cutoff < low) or (high is not None and cutoff > high):
            errors["cutoff"] = _("The cut-off must be within the score range, %(low)s to %(high)s") % {
                "low": "–" if low is None else f"{low.normalize():f}",
                "high": "–" if high is None else f"{high.normalize():f}",
            }
        if not values["cutoff_population"].strip():
            errors["cutoff_population"] = _("Enter the population the cut-off comes from")
        if not values["cutoff_citation"].strip():
            errors["cutoff_citation"] = _("Enter the source of the cut-off")
    age_min, age_max = values["age_min"], values["age_max"]
    for name, age in (("age_min", age_min), ("age_max", age_max)):
        if age is not None and not 0 <= age <= 120:
            errors[name] = _("Enter an age from 0 to 120")
    if age_min is not None and age_max is not None and age_min > age_max and "age_min" not in errors:
        errors["age_min"] = _("The youngest age must not be above the oldest age")
    if not values["age_citation"].strip():
        errors["age_citation"] = _("Enter the source of the age range")
    if not errors and not changed_fields(to_json(current_values(instrument)), to_json(values)):
        errors[NON_FIELD_ERRORS] = _("Nothing was changed: change at least one value, or go back")
    if errors:
        raise ValidationError(errors)


# --- The proposal, its review and its application ----------------------------------------


def can_review_parameters(user: User) -> bool:
    """Service managers propose and review; nobody else reaches these pages."""
    return bool(user.is_active and user.role == Role.SERVICE_MANAGER)


def _require_manager(user: User) -> None:
    if not can_review_parameters(user):
        raise PermissionDenied


def latest_history_id(instrument: Instrument) -> int | None:
    history_id: int | None = instrument.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return history_id


def is_stale(change: InstrumentChange, instrument: Instrument) -> bool:
    """True when the instrument changed after the proposal was made: another approval, or any
    other save (a history row), or values changed without one (a migration, a bulk update)."""
    return (
        latest_history_id(instrument) != change.based_on_history_id
        or changed_fields(change.based_on, to_json(current_values(instrument))) != []
    )


@transaction.atomic
def propose_change(
    *, by: User, instrument: Instrument, values: ParameterValues, reason: str, citation: str
) -> InstrumentChange:
    """Propose new parameter values (every changeable field, as on the form). Validated as
    ``validate`` says; a reason and the source of the new values are required."""
    _require_manager(by)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Enter why the parameters should change")]
    if not citation.strip():
        errors["citation"] = [_("Enter the source of the new values")]
    try:
        validate(instrument, values)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before, after = to_json(current_values(instrument)), to_json(values)
    change = InstrumentChange.objects.create(
        instrument=instrument,
        proposed=after,
        based_on=before,
        based_on_history_id=latest_history_id(instrument),
        reason=reason.strip(),
        citation=citation.strip(),
        proposed_by=by,
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=change,
        detail={"instrument": instrument.code, "fields": changed_fields(before, after)},
        route=Route.UI,
    )
    return change


def _locked(change: InstrumentChange) -> InstrumentChange:
    return InstrumentChange.objects.select_for_update().select_related("instrument").get(pk=change.pk)


@transaction.atomic
def approve_change(*, by: User, change: InstrumentChange, note: str = "") -> InstrumentChange:
    """Apply a proposal: by a service manager who did not propose it, to the instrument as it
    was when proposed. Sent twice, it applies once (the second finds it approved)."""
    _require_manager(by)
    locked = _locked(change)
    if locked.proposed_by_id == by.pk:
        raise PermissionDenied  # nobody approves their own proposal
    if locked.status == ChangeStatus.APPROVED:
        return locked
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided"))
    instrument = Instrument.objects.select_for_update().get(pk=locked.instrument_id)
    if is_stale(locked, instrument):
        raise ValidationError(_("The measure has changed since this was proposed: propose again"))
    values = from_json(locked.proposed)
    validate(instrument, values)  # the rules may have changed since; never apply what they refuse
    fields = changed_fields(locked.based_on, locked.proposed)
    for name in CHANGEABLE:
        setattr(instrument, name, values[name])  # type: ignore[literal-required]
    # simple-history keeps 100 characters of reason: the full reason stays on the proposal.
    mark_version(instrument, by=by, reason=f"#{locked.pk}: {locked.reason}"[:100])
    instrument.save()
    now = timezone.now()
    locked.status, locked.decided_by, locked.decided_at = ChangeStatus.APPROVED, by, now
    locked.decision_note, locked.applied_history_id = note.strip(), latest_history_id(instrument)
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "applied_history_id"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=instrument,
        detail={"parameters": fields, "change": locked.pk, "proposed_by": locked.proposed_by_id},
        route=Route.UI,
    )
    return locked


@transaction.atomic
def reject_change(*, by: User, change: InstrumentChange, note: str) -> InstrumentChange:
    """Refuse a proposal, saying why (its proposer withdraws it instead)."""
    _require_manager(by)
    locked = _locked(change)
    if locked.proposed_by_id == by.pk:
        raise PermissionDenied
    if locked.status == ChangeStatus.REJECTED:
        return locked
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided"))
    if not note.strip():
        raise ValidationError({"note": _("Enter why the proposal is rejected")})
    locked.status, locked.decided_by, locked.decided_at, locked.decision_note = (
        ChangeStatus.REJECTED, by, timezone.now(), note.strip())  # fmt: skip
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor=by, action=Action.REVIEW, obj=locked,
        detail={"instrument": locked.instrument.code, "rejected": True}, route=Route.UI,
    )  # fmt: skip
    return locked


@transaction.atomic
def withdraw_change(*, by: User, change: InstrumentChange, note: str = "") -> InstrumentChange:
    """The proposer takes back a proposal still waiting for review."""
    _require_manager(by)
    locked = _locked(change)
    if locked.proposed_by_id != by.pk:
        raise PermissionDenied
    if locked.status == ChangeStatus.WITHDRAWN:
        return locked
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided"))
    locked.status, locked.decided_by, locked.decided_at, locked.decision_note = (
        ChangeStatus.WITHDRAWN, by, timezone.now(), note.strip())  # fmt: skip
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor=by, action=Action.UPDATE, obj=locked,
        detail={"instrument": locked.instrument.code, "withdrawn": True}, route=Route.UI,
    )  # fmt: skip
    return locked


# --- The instrument's history (every earlier state, from django-simple-history) -------------


def _shown(name: str, value: Any) -> str:
    from django.utils.formats import localize

    field = Instrument._meta.get_field(name)
    if value is None or value == "":
        return "–"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | dict):
        return ", ".join(str(s.get("code", s)) if isinstance(s, dict) else str(s) for s in value) or "–"
    return str(localize(value))


def _label(name: str) -> str:
    field = cast(models.Field, Instrument._meta.get_field(name))  # a concrete field: it has a verbose name
    return str(field.verbose_name)


#: Fields that are bookkeeping or identity, never shown as a change.
_NOT_SHOWN = {"id", "code", "order"}


def instrument_history(instrument: Instrument) -> list[dict[str, Any]]:
    """Every saved state of the instrument, newest first: when, who, the reason, and each field
    changed from the state before (all in two queries: the history rows and the proposals)."""
    rows = list(instrument.history.select_related("history_user").order_by("history_date", "history_id"))
    proposals = {
        c.applied_history_id: c
        for c in InstrumentChange.objects.filter(instrument=instrument, applied_history_id__isnull=False)
        .select_related("proposed_by")
    }  # fmt: skip
    names = [f.name for f in Instrument._meta.concrete_fields if f.name not in _NOT_SHOWN]
    out: list[dict[str, Any]] = []
    before: Any = None
    for row in rows:
        changes = []
        if before is not None:
            for name in names:
                old, new = getattr(before, name), getattr(row, name)
                if old != new:
                    label = _label(name)
                    changes.append(
                        {"field": label[:1].upper() + label[1:], "old": _shown(name, old), "new": _shown(name, new)}
                    )
        out.append(
            {
                "at": row.history_date,
                "by": row.history_user,
                "reason": row.history_change_reason or "",
                "first": before is None,
                "changes": changes,
                "proposal": proposals.get(row.history_id),
            }
        )
        before = row
    out.reverse()
    return out


def side_by_side(change: InstrumentChange, instrument: Instrument) -> list[dict[str, Any]]:
    """The proposal's rows for its page: each changeable field now and proposed; ``moved`` marks
    a field that changed after the proposal was made (the proposal is then stale)."""
    now, current = to_json(current_values(instrument)), dict(current_values(instrument))
    proposed: dict[str, Any] = dict(from_json(change.proposed))
    rows = []
    for name in CHANGEABLE:
        label = _label(name)
        rows.append(
            {
                "name": name,
                "field": label[:1].upper() + label[1:],
                "current": _shown(name, current[name]),
                "proposed": _shown(name, proposed[name]),
                "changed": change.proposed.get(name) != change.based_on.get(name),
                "moved": now.get(name) != change.based_on.get(name),
            }
        )
    return rows
