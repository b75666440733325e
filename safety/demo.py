"""Demo crisis and safety plans and out-of-hours contacts: invented, clearly fictional, in the
young person's language (Welsh or English), worded for their age.

``seed`` is idempotent: whether a young person has a plan (and out-of-hours contacts) is decided
by a generator of their own (``Random`` seeded from the record), so a second call – with any
state of ``rng`` – picks the same young people, finds their plans already there and adds
nothing. ``rng`` varies the wording of new plans only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from safety.models import SafetyPlan

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

CARER_ROLES = ("foster_carer", "kinship_carer", "adoptive_parent", "special_guardian", "residential_worker")
#: Share of young people with a safety plan in the demo.
PLAN_SHARE = 0.7
#: Share of those with out-of-hours contacts recorded.
OUT_OF_HOURS_SHARE = 0.2

# Each entry: (young child's version, older young person's version). {name} is their name.
EN = {
    "in_their_words": [
        (
            "When I go quiet I am not being naughty, I am scared. Please stay near me.",
            "If I shut my door it doesn't mean go away. Knock, tell me you're there, and give me ten minutes.",
        ),
        (
            "I like it when you sit with me and we draw. Please don't shout.",
            "Please don't ask me loads of questions when I'm upset. Ask me later, when I'm calm.",
        ),
        (
            "My teddy Bwni helps me feel safe at night.",
            "Music helps. Let me put my headphones in and walk with me if I need to go out.",
        ),
    ],
    "warning_signs": [
        (
            "Stops talking, hides under the table or in the wardrobe, wets the bed, won't eat tea.",
            "Goes quiet and stays in their room, stops replying to messages, not sleeping, talks about running away.",
        ),
        (
            "Gets very loud and throws toys, especially after contact with family.",
            "Gets angry quickly over small things, posts sad songs online, stops going to school or hockey.",
        ),
    ],
    "what_helps": [
        (
            "Sitting close without talking, a warm drink, drawing together, a bath and a story at bedtime.",
            "Time alone for a bit, then a drive or a walk with someone they trust; their music; being believed.",
        ),
        (
            "A quiet corner with a blanket; being told what will happen next; the same bedtime routine every night.",
            "Texting rather than talking; practising the breathing the therapist taught; going to the youth club.",
        ),
    ],
    "what_to_avoid": [
        (
            "Raised voices, being sent to their room alone, surprises or changes without warning.",
            "Searching their room without telling them, threatening to call the police, talking about them in front of others.",
        ),
    ],
    "who_to_call": [
        (
            "Carer {carer} (0117 496 0123); social worker (0117 496 0456); Nyth practitioner (029 2018 0123).",
            "Carer {carer} (0117 496 0123); social worker (0117 496 0456); Nyth practitioner (029 2018 0123).",
        ),
    ],
    "who_to_call_out_of_hours": [
        (
            "Nyth on-call worker (029 2018 0999); Emergency Duty Team (029 2018 0777); in an emergency 999.",
            "Nyth on-call worker (029 2018 0999); Emergency Duty Team (029 2018 0777); NHS 111 press 2; in an emergency 999.",
        ),
    ],
    "made_with": [
        (
            "{name}, their foster carer and their Nyth practitioner",
            "{name}, their carer, their social worker and their Nyth practitioner",
        ),
        (
            "{name} and their carer, with their Nyth practitioner",
            "{name} with their youth worker and their Nyth practitioner",
        ),
    ],
}
CY = {
    "in_their_words": [
        (
            "Pan dwi'n dawel dwi ddim yn ddrwg, dwi'n ofnus. Arhoswch yn agos ata i, plîs.",
            "Os dwi'n cau fy nrws, dydy hynny ddim yn golygu cer o 'ma. Cnociwch, dwedwch eich bod chi yno, a rhowch ddeg munud i mi.",
        ),
        (
            "Dwi'n hoffi pan dych chi'n eistedd gyda fi a ni'n tynnu lluniau. Peidiwch â gweiddi, plîs.",
            "Peidiwch â gofyn llwyth o gwestiynau pan dwi'n ypset. Gofynnwch wedyn, pan dwi'n dawel.",
        ),
    ],
    "warning_signs": [
        (
            "Yn stopio siarad, yn cuddio o dan y bwrdd, ddim eisiau bwyta swper.",
            "Yn mynd yn dawel ac yn aros yn yr ystafell wely, yn stopio ateb negeseuon, ddim yn cysgu.",
        ),
    ],
    "what_helps": [
        (
            "Eistedd yn agos heb siarad, diod gynnes, tynnu lluniau gyda'n gilydd, stori amser gwely.",
            "Amser tawel am ychydig, wedyn mynd am dro gyda rhywun maen nhw'n ymddiried ynddyn nhw; cerddoriaeth.",
        ),
    ],
    "what_to_avoid": [
        (
            "Lleisiau uchel, bod ar wahân i bawb, newidiadau heb rybudd.",
            "Chwilio'r ystafell wely heb ddweud, bygwth ffonio'r heddlu, siarad amdanyn nhw o flaen pobl eraill.",
        ),
    ],
    "who_to_call": [
        (
            "Gofalwr {carer} (0117 496 0123); gweithiwr cymdeithasol (0117 496 0456); ymarferydd Nyth (029 2018 0123).",
            "Gofalwr {carer} (0117 496 0123); gweithiwr cymdeithasol (0117 496 0456); ymarferydd Nyth (029 2018 0123).",
        ),
    ],
    "who_to_call_out_of_hours": [
        (
            "Gweithiwr ar alwad Nyth (029 2018 0999); Tîm Dyletswydd Brys (029 2018 0777); mewn argyfwng 999.",
            "Gweithiwr ar alwad Nyth (029 2018 0999); Tîm Dyletswydd Brys (029 2018 0777); GIG 111 pwyso 2; mewn argyfwng 999.",
        ),
    ],
    "made_with": [
        (
            "{name}, y gofalwr maeth ac ymarferydd Nyth",
            "{name}, y gofalwr, y gweithiwr cymdeithasol ac ymarferydd Nyth",
        ),
    ],
}
# Numbers are from Ofcom's ranges reserved for drama (never a real line), apart from 999 and 111.
OUT_OF_HOURS_SUMMARIES = [
    "Carer phoned at night: young person distressed after contact. Talked through the safety plan; settled by midnight.",
    "Young person texted the on-call line, feeling low. Used the breathing from the plan; carer staying close tonight.",
    "Residential staff called: young person had left the home. Returned safely within the hour; plan followed.",
]


def _own_rng(child: Child, purpose: str) -> random.Random:
    return random.Random(f"nyth-demo:{purpose}:{child.pk}")  # noqa: S311 - synthetic data, not security


def _text(rng: random.Random, options: list[tuple[str, str]], older: bool, **names: str) -> str:
    young, old = rng.choice(options)
    return (old if older else young).format(**names)


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    """Give most of the service's young people a safety plan, and a few some out-of-hours
    contacts. Adds nothing that is already there."""
    from contacts.models import Attendance, Contact, ContactLanguage, Kind, Location
    from people.models import RelatedPerson

    children = [child for child in children if child.service_id == service.pk]
    if not children:
        return
    staff = list(practitioners) or [manager]
    chosen = [child for child in children if _own_rng(child, "safety").random() < PLAN_SHARE]
    # Whole-service queries (not ``__in`` a list of thousands of children: SQLite limits parameters).
    have = set(SafetyPlan.objects.filter(child__service=service).values_list("child_id", flat=True))
    carers = {
        child_id: name
        for child_id, name in (
            RelatedPerson.objects.filter(child__service=service, role__in=CARER_ROLES)
            .order_by("-child_id", "-pk")  # the first carer of each child wins below
            .values_list("child_id", "name")
        )
    }
    now = timezone.now()
    plans = []
    for child in chosen:
        if child.pk in have:
            continue
        texts = CY if child.preferred_language == "cy" else EN
        older = child.age >= 11
        no_carer = "gartref" if texts is CY else "at home"
        names = {"name": child.preferred_name or child.given_name, "carer": carers.get(child.pk, no_carer)}
        values = {field: _text(rng, options, older, **names) for field, options in texts.items()}
        plans.append(
            SafetyPlan(
                child=child,
                updated_by=staff[_own_rng(child, "safety-author").randrange(len(staff))],
                updated_at=now - timedelta(days=_own_rng(child, "safety-age").randrange(5, 200)),
                text_language="cy" if texts is CY else "en",  # written in the young person's language
                **values,
            )
        )
    if plans:
        bulk_create_with_history(plans, SafetyPlan, batch_size=1000)

    contacts = []
    existing = set(
        Contact.objects.filter(idempotency_key__startswith="demo-ooh:", child__service=service).values_list(
            "idempotency_key", flat=True
        )
    )
    for child in chosen:
        own = _own_rng(child, "out-of-hours")
        if own.random() >= OUT_OF_HOURS_SHARE:
            continue
        for number in range(own.randint(1, 3)):
            key = f"demo-ooh:{child.pk}:{number}"
            if key in existing:
                continue
            day = timezone.localdate() - timedelta(days=own.randrange(3, 120))
            at = timezone.make_aware(
                datetime.combine(day, time(own.choice([19, 21, 22, 23, 1, 2]), own.choice([0, 15, 30, 45])))
            )
            author = staff[own.randrange(len(staff))]
            contacts.append(
                Contact(
                    child=child,
                    practitioner=author,
                    recorded_by=author,
                    kind=Kind.OUT_OF_HOURS,
                    starts_at=at,
                    duration_minutes=own.choice([15, 20, 30, 45]),
                    attendance=Attendance.ATTENDED,
                    language=ContactLanguage.WELSH if child.preferred_language == "cy" else ContactLanguage.ENGLISH,
                    location=Location.PHONE,
                    summary=own.choice(OUT_OF_HOURS_SUMMARIES),
                    text_language="en",  # the demo's out-of-hours summaries are in English
                    idempotency_key=key,
                )
            )
    if contacts:
        bulk_create_with_history(contacts, Contact, batch_size=1000)
