"""Accounts of the people the service supports: a young person (their own record) and, later in
issue 14, a carer (a person in that young person's nest). Personal data: reached through the
young person's record (``visible_to``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import PersonalQuerySet


class SpaceAccount(models.Model):
    """Links a young person's or carer's sign-in to the record it belongs to. The link, not the
    user, names the child: a staff page never learns of it, and a merge moves it with the record."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="space_account")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_accounts")
    #: For a carer: the person in the young person's nest they are. Empty for the young person.
    related_person = models.ForeignKey(
        "people.RelatedPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="space_accounts"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: Access ended by the practitioner (or, for a carer, by the placement ending): the account
    #: can no longer sign in, and the record keeps who had it and when.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = _("own space account")
        verbose_name_plural = _("own space accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.child_id}"
