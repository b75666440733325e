"""The audit trail: an append-only, hash-chained log of every view, export and change of
personal data. Written only through ``audit.services.record``; never updated or deleted
(enforced here, and by database triggers created in the migrations)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed or searched")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Removed")
    EXPORT = "export", _("Exported")
    SHARE = "share", _("Shared")
    MERGE = "merge", _("Merged")
    BREAK_GLASS = "break_glass", _("Emergency access started")
    REVIEW = "review", _("Reviewed")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    # A request answered 404 by the scope (people.access.get_visible_or_404), recorded after the
    # response in its own transaction (ADR 013).
    REFUSED = "refused", _("Refused (outside scope)")


class Route(models.TextChoices):
    UI = "ui", _("Web pages")
    API = "api", _("API")
    BREAK_GLASS = "break_glass", _("Emergency access (break-glass)")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")
    #: The young person or carer, in their own space (their own record, or what it shares with them).
    SELF = "self", _("Their own space")


HASH_V1 = 1  # SHA-256 over the event's fields, chained in the event row (events before ADR 012)
HASH_V2 = 2  # HMAC-SHA256 with a key held outside the database, chained in AuditLink (ADR 012)


class AppendOnly(models.Model):
    """Rows of the trail are written once: the ORM refuses to save an existing row or delete
    one (the database refuses too: triggers and the application role's privileges, ADR 011)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditAppendOnlyError(f"{self._meta.verbose_name} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError(f"{self._meta.verbose_name} rows cannot be deleted.")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("Audit events cannot be deleted.")

    def for_child(self, child_id: int) -> AuditEventQuerySet:
        return self.filter(child_id=child_id).order_by("-id")

    def unsealed(self) -> AuditEventQuerySet:
        """Committed events the sequencer has not chained yet (``audit.chain.seal_pending``)."""
        return self.filter(link__isnull=True)


class AuditEvent(AppendOnly):
    # seq, prev_hash and hash are the version-1 chain, kept as they were for events recorded
    # before ADR 012. New events leave them empty: their place in the chain is their AuditLink,
    # written by the sequencer, so an event row is never updated after its insert.
    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    # The actor is kept as a label too, so the trail still reads correctly if an account is renamed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True)
    actor_organisation = models.CharField(max_length=300, blank=True)
    # The organisation's id (inside the version-2 hash), so a page can name it in the reader's
    # language; actor_organisation stays as the label at the time, for when it has gone.
    actor_organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.UI)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The child the event concerns (a plain id, not a foreign key, so the trail never blocks or
    # cascades with changes to people records, including merges).
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    #: The actor's organisation as a page shows it, set by ``audit.labels.name_organisations``.
    organisation_name: str = ""

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def canonical(self) -> str:
        """Version 1: the exact text the SHA-256 hash covers (every field of the time, in a fixed
        order and format, with the event's own seq and prev_hash)."""
        return json.dumps(
            {
                "seq": self.seq,
                "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
                "actor_id": self.actor_id,
                "actor_label": self.actor_label,
                "actor_organisation": self.actor_organisation,
                "action": self.action,
                "route": self.route,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "child_id": self.child_id,
                "reason": self.reason,
                "detail": self.detail,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        """Version 1 hash (SHA-256 of ``canonical``)."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    def canonical_v2(self, *, seq: int, prev_hash: str, key_id: str) -> str:
        """Version 2: the text the keyed hash covers – every field including the actor's
        organisation id, the event's id, its position in the chain, the previous hash and the
        key's id – in a fixed order and format."""
        return json.dumps(
            {
                "v": HASH_V2,
                "key_id": key_id,
                "seq": seq,
                "prev_hash": prev_hash,
                "event_id": self.pk,
                "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
                "actor_id": self.actor_id,
                "actor_label": self.actor_label,
                "actor_organisation": self.actor_organisation,
                "actor_organisation_id": self.actor_organisation_id,
                "action": self.action,
                "route": self.route,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "child_id": self.child_id,
                "reason": self.reason,
                "detail": self.detail,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )


class AuditLinkQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnlyError("Audit links cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("Audit links cannot be deleted.")


class AuditLink(AppendOnly):
    """An event's place in the chain: written once by the sequencer (``audit.chain``), in
    sequence order, never changed. Version-1 links copy the legacy chain of events recorded
    before ADR 012 (migration 0005)."""

    seq = models.PositiveBigIntegerField(unique=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="link")
    hash_version = models.PositiveSmallIntegerField(default=HASH_V2)
    # Which HMAC key (settings.NYTH_AUDIT_HMAC_KEYS) made a version-2 hash, so keys can rotate.
    key_id = models.CharField(max_length=40, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()

    objects = AuditLinkQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit chain link")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:12]}"


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash of the chain. Only the sequencer moves it,
    forward, in short transactions (it is locked for milliseconds, never for a request); it
    reveals deletions at the tail."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.last_seq}:{self.last_hash[:12]}"
