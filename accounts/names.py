"""Organisations and professions named in the reader's language – the one helper for it.

An organisation has a name in each language (``Organisation.name_en``/``name_cy``) and a
profession is a translated choice. A record that keeps a snapshot of "who wrote this, from
where" must therefore keep the *identity* (the organisation's id, the profession's key), and
every page, PDF and timeline names it through here when it is shown, inside the reader's
language (a PDF is built inside ``translation.override`` of its recipient's language). The
snapshot string stays as the fallback for a record from before the id was kept, or for an
organisation no longer there. Bylines, the timeline, the audit pages and "who has seen my
story" (``audit.labels``) use these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Organisation, Profession


def organisation_names(ids: Iterable[int | None]) -> dict[int, str]:
    """id → the organisation's name in the current language, for every id found. One query."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {organisation.pk: organisation.name for organisation in Organisation.objects.filter(pk__in=wanted)}


def organisation_name(
    organisation: Organisation | int | None, fallback: str = "", *, names: dict[int, str] | None = None
) -> str:
    """The organisation (or its id) named in the current language, else ``fallback``. Pass
    ``names`` (from ``organisation_names``) when naming many, to keep to one query."""
    if isinstance(organisation, Organisation):
        return organisation.name or fallback
    if not organisation:
        return fallback
    if names is None:
        names = organisation_names([organisation])
    return names.get(organisation) or fallback


def profession_name(key: str, fallback: str = "") -> str:
    """A profession's key named in the current language, else ``fallback`` (a job title, or
    the label stored before the key was kept)."""
    if key in Profession.values:
        return str(Profession(key).label)
    return fallback
