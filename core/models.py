"""Tables the whole service shares: the database side of the moving-window limits."""

from __future__ import annotations

from django.db import models


class RateLimitKey(models.Model):
    """One row per limited key (e.g. "public-referral:203.0.113.9"), locked while a hit is
    counted so two processes cannot both take the last place in the window."""

    key = models.CharField(max_length=200, primary_key=True)

    def __str__(self) -> str:
        return self.key


class RateLimitHit(models.Model):
    """One counted event in a key's moving window (pruned as the window moves on)."""

    key = models.ForeignKey(RateLimitKey, on_delete=models.CASCADE, related_name="hits", db_column="key")
    at = models.FloatField(help_text="POSIX time of the hit")

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key_id} @ {self.at}"
