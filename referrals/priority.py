"""The waiting list's priority: transparent, configurable, explainable.

The most complex needs and highest risks come first (practice guidance, demand management);
time waiting adds weight so nobody is overtaken for ever. Every point has a named reason that the
waiting list shows ("why is this child here?").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

# Factor name -> (default weight, label). Weights are points; a service manager can change them.
FACTORS = {
    "risk_self_harm": (30, _("Risk: self-harm")),
    "risk_exploitation": (25, _("Risk: exploitation")),
    "risk_secure_or_dols": (25, _("Risk: secure accommodation or deprivation of liberty")),
    "risk_going_missing": (20, _("Risk: going missing")),
    "risk_placement_breakdown": (20, _("Risk: placement breakdown")),
    "risk_harm_to_others": (15, _("Risk: harm to others")),
    "complex_needs": (15, _("Complex mental health and wellbeing needs")),
    "several_risks": (10, _("More than one current risk")),
    "out_of_county": (5, _("Placed out of county")),
    "per_week_waiting": (2, _("Each week waiting")),
}
DEFAULT_WEIGHTS = {name: weight for name, (weight, _label) in FACTORS.items()}
# Score thresholds for the bands, also configurable.
DEFAULT_BANDS = {"high": 50, "medium": 25}
BAND_LABELS = {
    "high": pgettext_lazy("priority band", "High"),
    "medium": pgettext_lazy("priority band", "Medium"),
    "routine": pgettext_lazy("priority band", "Routine"),
}


@dataclass(frozen=True)
class Reason:
    label: str
    points: int
    #: Words someone wrote (the manager's reason), shown after the label and marked with their
    #: own language (``{% lang_attr reason %}``): never slotted into the translated label.
    text: str = ""
    text_language: str = ""


@dataclass(frozen=True)
class Priority:
    score: int
    band: str
    reasons: tuple[Reason, ...]

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band])


def merged_weights(configured: dict | None) -> dict[str, int]:
    weights = dict(DEFAULT_WEIGHTS)
    weights.update({k: int(v) for k, v in (configured or {}).items() if k in DEFAULT_WEIGHTS})
    return weights


def merged_bands(configured: dict | None) -> dict[str, int]:
    bands = dict(DEFAULT_BANDS)
    bands.update({k: int(v) for k, v in ((configured or {}).get("bands") or {}).items() if k in DEFAULT_BANDS})
    return bands


def compute(
    *,
    facts: Mapping[str, bool | None],
    waiting_since: datetime,
    now: datetime,
    weights: dict[str, int],
    bands: dict[str, int],
    adjustment: int = 0,
    adjustment_reason: str = "",
    adjustment_language: str = "",
) -> Priority:
    """Score one referral. ``facts`` holds the booleans named in FACTORS (risks, complex needs,
    out of county); None is a fact not yet judged (complex needs on a public referral) and earns
    no points. The rest is derived here."""
    reasons: list[Reason] = []
    risks = [name for name in FACTORS if name.startswith("risk_") and facts.get(name)]
    for name in FACTORS:
        if name in ("several_risks", "per_week_waiting"):
            continue
        if facts.get(name) and weights.get(name, 0):
            reasons.append(Reason(str(FACTORS[name][1]), weights[name]))
    if len(risks) > 1 and weights.get("several_risks", 0):
        reasons.append(Reason(str(FACTORS["several_risks"][1]), weights["several_risks"]))
    weeks = max((now - waiting_since).days // 7, 0)
    if weeks and weights.get("per_week_waiting", 0):
        reasons.append(
            Reason(
                ngettext("Waiting %(weeks)s week", "Waiting %(weeks)s weeks", weeks) % {"weeks": weeks},
                weeks * weights["per_week_waiting"],
            )
        )
    if adjustment:
        reasons.append(Reason(str(_("Manager's adjustment")), adjustment, adjustment_reason, adjustment_language))
    score = sum(r.points for r in reasons)
    band = "high" if score >= bands["high"] else "medium" if score >= bands["medium"] else "routine"
    return Priority(score=score, band=band, reasons=tuple(reasons))
