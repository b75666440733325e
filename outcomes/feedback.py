"""Feedback on the support: the questionnaire, named and anonymous answers, and the service
manager's summary with safe small numbers (ADR 018).

The rules live here, not in the views, because the young person's own space (issue 14) will
ask the same questions and call the same functions.

- **Named** feedback (``record_named_feedback``): a practitioner records what a young person,
  carer or professional said about one young person's support. Personal data: the writer must
  be allowed to change the record (``people.access.require_change``), and it is audited.
- **Anonymous** feedback (``submit_anonymous_feedback``): from the public page. Stored with only
  the service, the quarter and the answers; no audit event (an event has a time, and a time
  beside a quarter with one answer would date that answer). Limited per address through a keyed
  hash of the address, never the address itself.
- **Summary** (``service_summary``): per quarter, named and anonymous answers **together** (one
  questionnaire, one count per answer: the manager needs "how did people find the support",
  and two side-by-side tables would halve every count and suppress twice as much); every count
  through ``core.disclosure``; anonymous free text only for a quarter with at least the
  threshold of anonymous answers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.services import record
from core import disclosure, ratelimit
from core.forms import reject_markup
from core.text_language import TextLanguage
from outcomes.models import AnonymousFeedback, FeedbackAnswer, NamedFeedback, Respondent
from people.access import audit_route, require_change

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Organisation, User
    from people.models import Child

#: The five statements, by field, in order. Nyth's own words (not from a licensed tool); the
#: young person's wording is the one the summary shows.
STATEMENTS: tuple[str, ...] = ("listened", "could_choose", "knew_contact", "good_time", "would_recommend")

#: Each statement as each respondent reads it. Kept simple: only what must change for a carer
#: or a professional speaking about the young person's support changes.
WORDING: dict[str, dict[str, StrOrPromise]] = {
    Respondent.YOUNG_PERSON: {
        "listened": _("I felt listened to"),
        "could_choose": _("I could make choices about my support"),
        "knew_contact": _("I knew who to contact"),
        "good_time": _("The support came at a good time for me"),
        "would_recommend": _("I would tell a friend about this support"),
    },
    Respondent.CARER: {
        "listened": _("I felt listened to"),
        "could_choose": _("The young person and I could make choices about the support"),
        "knew_contact": _("I knew who to contact"),
        "good_time": _("The support came at a good time for the young person"),
        "would_recommend": _("I would tell a friend about this support"),
    },
    Respondent.PROFESSIONAL: {
        "listened": _("I felt listened to"),
        "could_choose": _("The young person could make choices about their support"),
        "knew_contact": _("I knew who to contact"),
        "good_time": _("The support came at a good time for the young person"),
        "would_recommend": _("I would tell a colleague about this support"),
    },
}

#: The free text's question and its limit (the model's ``max_length``).
ANYTHING_ELSE = _("Anything else you want to tell us?")
MAX_TEXT = 2000


class FeedbackInput(TypedDict):
    """The questionnaire's answers as a service takes them: each statement "" (not answered) or
    a ``FeedbackAnswer`` value, and the free text."""

    listened: str
    could_choose: str
    knew_contact: str
    good_time: str
    would_recommend: str
    anything_else: str


def quarter_of(day: datetime.date) -> str:
    """The calendar quarter a day falls in, as stored and shown: "2026-Q4" (October–December).
    Calendar quarters, not financial ones, because they are what the public page can state
    without explanation; issue 15's reports map them to financial quarters."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def statements_for(respondent: str) -> list[tuple[str, StrOrPromise]]:
    return list(WORDING[respondent].items())


def _validated(respondent: str, answers: FeedbackInput) -> FeedbackInput:
    errors: dict[str, str] = {}
    if respondent not in Respondent.values:
        errors["respondent"] = str(_("Choose who is giving the feedback"))
    for name in STATEMENTS:
        if answers.get(name, "") not in ("", *FeedbackAnswer.values):
            errors[name] = str(_("Choose yes, sort of or no, or leave it blank"))
    text = (answers.get("anything_else") or "").strip()
    try:
        reject_markup(text)
    except ValidationError as exc:
        errors["anything_else"] = exc.messages[0]
    if len(text) > MAX_TEXT:
        errors["anything_else"] = str(_("Write no more than 2000 characters"))
    if not errors and not text and not any(answers.get(name) for name in STATEMENTS):
        errors["__all__"] = str(_("Answer at least one question, or write something in the box"))
    if errors:
        raise ValidationError(errors)
    clean: FeedbackInput = {
        "listened": answers.get("listened", ""),
        "could_choose": answers.get("could_choose", ""),
        "knew_contact": answers.get("knew_contact", ""),
        "good_time": answers.get("good_time", ""),
        "would_recommend": answers.get("would_recommend", ""),
        "anything_else": text,
    }
    return clean


def _text_language(clean: FeedbackInput, language: str) -> str:
    # Only free text has a language; with none written nothing is stored (for an anonymous
    # answer, not even which language's page it was sent from).
    return language if clean["anything_else"] and language in TextLanguage.values else ""


def _require_named_writer(by: User, child: Child, respondent: str, given_on: datetime.date) -> None:
    """Who may record named feedback: the care team and the service's managers, for anyone; a
    carer their own, as a parent or carer, today, through their own route while it lasts
    (``myspace.carers.through_carer_route``: a withdrawal or the placement's end stops it)."""
    from accounts.models import Role

    if by.role != Role.CARER:
        require_change(by, child)
        return
    from myspace.carers import through_carer_route

    if through_carer_route(by, child) is None:
        raise Http404
    if respondent != Respondent.CARER or given_on != timezone.localdate():
        raise PermissionDenied


@transaction.atomic
def record_named_feedback(
    *,
    by: User,
    child: Child,
    respondent: str,
    given_on: datetime.date,
    answers: FeedbackInput,
    text_language: str = "",
    key: str = "",
) -> NamedFeedback:
    """Record feedback about ``child``'s support given by a young person, carer or
    professional. The care team and the service's managers record it; a carer gives their own
    from their space. Audited like any write. With ``key`` (the form's one-time key) the same
    form sent twice records once."""
    _require_named_writer(by, child, respondent, given_on)
    if len(key) > 64:
        raise ValidationError(_("This form has expired. Your answers are kept: send them again."))
    if key:
        done = NamedFeedback.objects.filter(entry_key=key).first()
        if done is not None:
            if done.child_id != child.pk or done.recorded_by_id != by.pk:  # a key from someone else's form
                raise PermissionDenied
            return done
    clean = _validated(respondent, answers)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date must be today or in the past")})
    values = {
        "child": child,
        "service_id": child.service_id,
        "quarter": quarter_of(given_on),
        "respondent": respondent,
        "given_on": given_on,
        "recorded_by": by,
        "text_language": _text_language(clean, text_language),
        "entry_key": key or None,
        **clean,
    }
    try:
        with transaction.atomic():
            feedback = NamedFeedback.objects.create(**values)
    except IntegrityError:
        if not key:
            raise
        return NamedFeedback.objects.get(entry_key=key)  # the same key committed by a concurrent request
    answered = sum(bool(value) for name, value in clean.items() if name in STATEMENTS)
    record(
        actor=by, action=Action.CREATE, obj=feedback, child_id=child.pk, route=audit_route(by, child),
        detail={"respondent": respondent, "statements_answered": answered},
    )  # fmt: skip
    return feedback


# --- Anonymous answers ----------------------------------------------------------------------


def anonymous_rate() -> ratelimit.Rate:
    return ratelimit.Rate(settings.NYTH_FEEDBACK_PER_HOUR, 3600)


def _limit_key(client_address: str) -> str:
    """The limiter's key: a keyed hash of the address, so the limiter's own store (Redis or the
    database fallback) never holds an address beside the word "feedback". The service is left
    out on purpose: a hit must not say which service's page was answered."""
    digest = hmac.new(settings.SECRET_KEY.encode(), client_address.encode(), hashlib.sha256).hexdigest()
    return f"feedback:{digest[:32]}"


def new_form_key() -> str:
    """The key a public form carries: it becomes the answer's random primary key, so the same
    form sent twice is stored once, and the id was never seen by anything but the form."""
    return str(uuid.uuid4())


def submit_anonymous_feedback(
    *,
    service: Organisation,
    respondent: str,
    answers: FeedbackInput,
    form_key: str,
    client_address: str,
    text_language: str = "",
) -> bool:
    """Store one anonymous answer; False when the address has used its moving window (nothing
    stored). Nothing links the row to anyone: only service, quarter, respondent kind and the
    answers; no audit event. Raises ``ValidationError`` for bad answers (nothing stored)."""
    clean = _validated(respondent, answers)
    try:
        key = uuid.UUID(form_key, version=4)
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(_("This form has expired. Your answers are kept: send them again.")) from None
    if AnonymousFeedback.objects.filter(pk=key).exists():
        return True  # the same form sent again: stored once, thanked twice
    if not ratelimit.hit(_limit_key(client_address), anonymous_rate()):
        return False
    try:
        with transaction.atomic():
            AnonymousFeedback.objects.create(
                id=key, service=service, quarter=quarter_of(timezone.localdate()), respondent=respondent,
                text_language=_text_language(clean, text_language), **clean,
            )  # fmt: skip
    except IntegrityError:  # the same form committed by a concurrent request
        pass
    return True


# --- The manager's summary ------------------------------------------------------------------

#: The cells of each statement's row, in order; "not answered" makes the row add up to the
#: quarter's number of answers, so secondary suppression can protect it against the total.
COLUMNS: tuple[str, ...] = (*FeedbackAnswer.values, "")


@dataclass
class StatementRow:
    statement: str
    label: StrOrPromise
    cells: list[disclosure.Cell]


@dataclass
class QuarterSummary:
    quarter: str
    answers: disclosure.Cell
    rows: list[StatementRow] = field(default_factory=list)
    #: Anonymous free text, in random order (by id); None when the quarter has fewer anonymous
    #: answers than the threshold (then not even whether any was written is shown).
    comments: list[tuple[str, str]] | None = None


def _counts(queryset: object) -> dict[str, dict[str, int]]:
    """quarter → {"n", "<statement>_<answer>"} in one aggregate query."""
    annotations = {f"{s}_{a}": Count("pk", filter=Q(**{s: a})) for s in STATEMENTS for a in FeedbackAnswer.values}
    rows = queryset.values("quarter").annotate(n=Count("pk"), **annotations).order_by()  # type: ignore[attr-defined]
    return {row.pop("quarter"): row for row in rows}


def summarise_quarter(quarter: str, counts: dict[str, list[int]], *, total: int, limit: int) -> QuarterSummary:
    """One quarter's table: ``counts`` is statement → [yes, sort of, no] over ``total`` answers.
    Each row gets "not answered" so it adds up to the total, then ``core.disclosure`` decides
    what is shown (a plain function: the property tests call it directly)."""
    rows, answers = [], disclosure.suppress(total, limit=limit)
    for statement in STATEMENTS:
        answered = counts[statement]
        row = disclosure.suppress_row([*answered, total - sum(answered)], limit=limit)
        rows.append(StatementRow(statement, WORDING[Respondent.YOUNG_PERSON][statement], row.cells))
        if row.total.reason is disclosure.Reason.SECONDARY:
            # One row could be made safe only without its total (possible only with a
            # threshold under 5): the total is every row's, and another row shown in full
            # would give it away, so the quarter's total and every non-zero count go.
            answers = disclosure.Cell(None, disclosure.Reason.SECONDARY, limit)
    if answers.reason is disclosure.Reason.SECONDARY:
        hidden = disclosure.Cell(None, disclosure.Reason.SECONDARY, limit)
        for r in rows:
            r.cells = [hidden if cell.value else cell for cell in r.cells]
    return QuarterSummary(quarter=quarter, answers=answers, rows=rows)


def service_summary(user: User, service: Organisation) -> list[QuarterSummary]:
    """The service's feedback per quarter, newest first, in a fixed number of queries (three,
    whatever the number of answers). Named feedback is read through the user's scope."""
    limit = disclosure.threshold()
    named = _counts(NamedFeedback.objects.visible_to(user).filter(service=service))
    anonymous = _counts(AnonymousFeedback.objects.filter(service=service))
    comments: dict[str, list[tuple[str, str]]] = {q: [] for q, row in anonymous.items() if row["n"] >= limit}
    # The threshold is applied again in the database, so one query whatever the quarters, and
    # text from a quarter below it is never even read.
    open_quarters = (
        AnonymousFeedback.objects.filter(service=service)
        .values("quarter")
        .annotate(n=Count("pk"))
        .filter(n__gte=limit)
        .values("quarter")
    )
    texts = (
        AnonymousFeedback.objects.filter(service=service, quarter__in=Subquery(open_quarters))
        .exclude(anything_else="")
        .order_by("quarter", "id")
        .values_list("quarter", "anything_else", "text_language")
    )
    for quarter, text, language in texts:
        if quarter in comments:  # an answer that came between the two queries opens nothing
            comments[quarter].append((text, language))
    summaries = []
    for quarter in sorted(set(named) | set(anonymous), reverse=True):
        both = [named.get(quarter, {}), anonymous.get(quarter, {})]
        counts = {s: [sum(part.get(f"{s}_{a}", 0) for part in both) for a in FeedbackAnswer.values] for s in STATEMENTS}
        summary = summarise_quarter(quarter, counts, total=sum(part.get("n", 0) for part in both), limit=limit)
        summary.comments = comments.get(quarter)
        summaries.append(summary)
    return summaries
