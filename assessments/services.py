"""Writing the assessment: every save is a new version; a save based on an older version is
refused, never merged silently; every change is audited."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.access import section_access
from assessments.models import Assessment, SectionRestriction, SectionVersion, Voice
from assessments.sections import BY_KEY, SECTION_KEYS
from audit.models import Action
from audit.services import record
from people.access import audit_route

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child


class StaleSectionError(Exception):
    """Someone else saved the section after this person opened it. Carries both texts so the
    page can show them side by side; nothing typed is lost."""

    def __init__(self, *, current: SectionVersion, attempted_text: str) -> None:
        super().__init__("stale section")
        self.current = current
        self.attempted_text = attempted_text


def assessment_for(child: Child) -> Assessment:
    """The child's one assessment (created on first use)."""
    assessment, _created = Assessment.objects.get_or_create(child=child)
    return assessment


def current_versions(assessment: Assessment, *, at_revision: int | None = None) -> dict[str, SectionVersion]:
    """The latest version of each written section (as of ``at_revision`` when given)."""
    versions = assessment.versions.select_related("author", "author_organisation_ref").order_by("section", "-number")
    if at_revision is not None:
        versions = versions.filter(revision__lte=at_revision)
    latest: dict[str, SectionVersion] = {}
    for version in versions:
        latest.setdefault(version.section, version)
    return latest


def save_section(
    *,
    by: User,
    child: Child,
    section: str,
    text: str,
    based_on: int,
    voice: str = Voice.PROFESSIONAL,
    text_language: str = "",
) -> SectionVersion:
    """Save a new version of one section.

    ``based_on`` is the version number the person started from (0 for an unwritten section).
    The assessment row is locked while checking, so of two simultaneous saves from the same
    starting point exactly one becomes the next version and the other raises
    ``StaleSectionError`` with both texts; the unique constraint on (section, number) is the
    backstop on any database.
    """
    if section not in BY_KEY:
        raise ValidationError({"section": _("Choose a section of the assessment.")})
    access = section_access(by, child)
    if not access.can_write(section):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something in the section before saving.")})
    if voice not in Voice.values:
        raise ValidationError({"voice": _("Say whose words these are.")})
    assessment_for(child)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.select_for_update().get(child=child)
            latest = assessment.versions.filter(section=section).order_by("-number").first()
            latest_number = latest.number if latest else 0
            if latest is not None and latest_number != based_on:
                raise StaleSectionError(current=latest, attempted_text=text)
            if (
                latest is not None
                and latest.text == text
                and latest.voice == voice
                and latest.text_language == text_language
            ):
                return latest  # a repeated save (double click, retry) changes nothing
            assessment.revision += 1
            assessment.save(update_fields=["revision"])
            version = SectionVersion.objects.create(
                assessment=assessment,
                section=section,
                number=latest_number + 1,
                revision=assessment.revision,
                text=text,
                voice=voice,
                text_language=text_language,
                author=by,
                author_organisation=str(by.organisation) if by.organisation_id else "",
                author_organisation_ref_id=by.organisation_id,
                author_profession=str(by.get_profession_display()) if by.profession else str(by.job_title),
                author_profession_key=by.profession,
                route=access.readable.get(section, ""),
            )
    except IntegrityError:
        # Another save took this number between our read and write (no row lock on SQLite), so
        # there is a latest version.
        latest = SectionVersion.objects.filter(assessment__child=child, section=section).latest("number")
        raise StaleSectionError(current=latest, attempted_text=text) from None
    record(
        actor=by,
        action=Action.UPDATE if version.number > 1 else Action.CREATE,
        obj=version,
        child_id=child.pk,
        detail={"section": section, "version": version.number, "revision": version.revision, "route": version.route},
        route=audit_route(by, child),
    )
    return version


@transaction.atomic
def restrict_section(
    *, by: User, child: Child, section: str, allowed: list[User], reason: str, text_language: str = ""
) -> SectionRestriction:
    """Restrict a section to named people. The person restricting is always named (they must
    not lock themselves out); only people who can write the section *and* hold the whole record
    (the care team, the service's managers) may restrict it: a partner contributing by consent
    asks the lead practitioner, who is accountable for who reads what."""
    if section not in BY_KEY:
        raise ValidationError({"section": _("Choose a section of the assessment.")})
    if not section_access(by, child).can_write(section) or not _holds_record(by, child):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for restricting this section.")})
    assessment = assessment_for(child)
    existing = (
        SectionRestriction.objects.select_for_update()
        .filter(assessment=assessment, section=section, lifted_at__isnull=True)
        .first()
    )
    if existing is not None:
        existing.lifted_at = timezone.now()
        existing.lifted_by = by
        existing.save(update_fields=["lifted_at", "lifted_by"])
    restriction = SectionRestriction.objects.create(
        assessment=assessment, section=section, reason=reason.strip(), text_language=text_language, set_by=by
    )
    restriction.allowed_users.set({*allowed, by})
    record(
        actor=by,
        action=Action.UPDATE,
        obj=restriction,
        child_id=child.pk,
        reason=reason.strip(),
        detail={"section": section, "restricted_to": sorted(u.pk for u in {*allowed, by})},
        route=audit_route(by, child),
    )
    return restriction


@transaction.atomic
def _holds_record(user: User, child: Child) -> bool:
    """The user reaches the whole record (care team, manager), not only shared parts."""
    from people.models import Child

    return Child.objects.visible_to(user).filter(pk=child.pk).exists()


def lift_restriction(*, by: User, child: Child, section: str) -> None:
    restriction = (
        SectionRestriction.objects.select_for_update()
        .filter(assessment__child=child, section=section, lifted_at__isnull=True)
        .first()
    )
    if restriction is None:
        return
    if (
        not restriction.allowed_users.filter(pk=by.pk).exists()
        or not section_access(by, child).can_write(section)
        or not _holds_record(by, child)
    ):
        raise PermissionDenied
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = by
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=restriction,
        child_id=child.pk,
        detail={"section": section, "lifted": True},
        route=audit_route(by, child),
    )


@dataclass(frozen=True)
class SectionChange:
    section: str
    before: SectionVersion | None
    after: SectionVersion | None
    #: (tag, text) pieces: "equal", "insert", "delete" – for a readable comparison.
    pieces: list[tuple[str, str]]


def compare(assessment: Assessment, from_revision: int, to_revision: int, readable: set[str]) -> list[SectionChange]:
    """What changed between two assessment-wide revisions, section by section, word by word –
    only for sections the reader may read."""
    before = current_versions(assessment, at_revision=from_revision)
    after = current_versions(assessment, at_revision=to_revision)
    changes = []
    for key in SECTION_KEYS:
        if key not in readable:
            continue
        old, new = before.get(key), after.get(key)
        if (old.pk if old else None) == (new.pk if new else None):
            continue
        changes.append(
            SectionChange(
                section=key, before=old, after=new, pieces=word_diff(old.text if old else "", new.text if new else "")
            )
        )
    return changes


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences (stdlib difflib): enough for prose, no extra dependency."""
    a, b = old.split(" "), new.split(" ")
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", " ".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            pieces.append(("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(("insert", " ".join(b[j1:j2])))
    return pieces
