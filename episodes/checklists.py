"""The default checklist for each kind of transition.

Written from the guidance: adults around the young person are informed and helped to respond
therapeutically, the plan travels with them (with consent), contact with trusted adults continues
for as long as it helps, transitions out of county come home to community placements, and the
move into adulthood is planned from 16 with support to 25 where needed. Items are stored by key
and shown in the reader's language; a changed wording here changes every checklist.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from episodes.models import TransitionKind

DEFAULT_ITEMS: dict[str, tuple[tuple[str, Promise], ...]] = {
    TransitionKind.PLACEMENT_MOVE: (
        ("pm_views", _("Ask the young person what worries them about the move and what they want to take with them")),
        ("pm_tell_carers", _("Tell the new carers about the support and how to respond therapeutically")),
        ("pm_safety_plan", _("Go through the crisis and safety plan with the new carers")),
        ("pm_share_plan", _("Share the plan with the new carers and social worker, with the young person's consent")),
        ("pm_first_session", _("Arrange the first session in the new area")),
        ("pm_trusted_adults", _("Agree how the young person keeps in contact with trusted adults while it helps")),
        ("pm_school", _("Check whether school or college changes too, and plan for it")),
        ("pm_record", _("Update the placement on the record")),
    ),
    TransitionKind.SCHOOL_MOVE: (
        ("sm_views", _("Ask the young person how they feel about the new school and what would help")),
        ("sm_visit", _("Arrange a visit to meet the new teacher before the first day")),
        ("sm_tell_school", _("Tell the new school, with consent, what the young person finds hard and what helps")),
        ("sm_safe_space", _("Agree a quiet space and a trusted adult in school")),
        ("sm_alnco", _("Share learning needs with the additional learning needs co-ordinator, with consent")),
        ("sm_training", _("Offer consultation or trauma-informed training to the new school staff")),
        ("sm_goodbye", _("Help the young person say goodbye to the old school and the adults they trust there")),
        ("sm_record", _("Add the new school's staff to the people around the young person")),
    ),
    TransitionKind.PRACTITIONER_CHANGE: (
        ("pc_tell", _("Tell the young person early, in a way they understand, and listen to how they feel")),
        ("pc_handover", _("Write the handover summary")),
        ("pc_joint", _("Hold a joint session with both practitioners and the young person")),
        ("pc_nest", _("Tell the carers and trusted adults who the new practitioner is")),
        ("pc_safety_plan", _("Go through the crisis and safety plan with the new practitioner")),
        ("pc_trusted_adults", _("Agree which trusted adults stay in contact while it helps")),
        ("pc_goodbye", _("Plan a goodbye session with the practitioner who is leaving")),
    ),
    TransitionKind.ADULTHOOD: (
        ("ad_start", _("Start planning with the young person (from 16)")),
        ("ad_views", _("Record what the young person wants from adult life and from support")),
        ("ad_personal_adviser", _("Involve the personal adviser and the pathway plan")),
        ("ad_service", _("Find the right adult service and agree the referral with the young person")),
        ("ad_share", _("Share the assessment and the plan with the adult service, with consent")),
        ("ad_joint", _("Hold joint sessions with the adult service before handing over")),
        ("ad_safety_plan", _("Update the crisis and safety plan for adult life, including who to call out of hours")),
        ("ad_trusted_adults", _("Agree which trusted adults stay in contact while it helps")),
        ("ad_until", _("Agree how long our support continues (up to 25 where needed)")),
    ),
}

#: Added to a placement move from an out-of-county placement to a local community placement.
OUT_OF_COUNTY_ITEMS: tuple[tuple[str, Promise], ...] = (
    ("oc_local_teams", _("Hand over to the local social work, health and education teams, with consent")),
    ("oc_community", _("Introduce local community support: youth club, sport and activities the young person enjoys")),
    ("oc_family", _("Plan contact with family and friends now they are closer to home")),
)

_LABELS: dict[str, Promise] = {
    key: label for items in (*DEFAULT_ITEMS.values(), OUT_OF_COUNTY_ITEMS) for key, label in items
}


def items_for(kind: str, *, out_of_county_to_local: bool = False) -> list[tuple[str, Promise]]:
    items = list(DEFAULT_ITEMS.get(kind, ()))
    if kind == TransitionKind.PLACEMENT_MOVE and out_of_county_to_local:
        items.extend(OUT_OF_COUNTY_ITEMS)
    return items


def label_for(key: str) -> str:
    label = _LABELS.get(key)
    return str(label) if label is not None else ""
