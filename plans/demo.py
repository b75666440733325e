"""Demo catalogue, offers and choices, and co-produced plans: invented, clearly fictional, in the
young person's language (Welsh or English), worded for their age.

``seed`` is idempotent: the catalogue is added by key, and whether a young person has offers or
a plan – and what is in them – is decided by a generator of their own (``Random`` seeded from the
record), so a second call finds everything already there and adds nothing. ``rng`` varies only
the wording of new records. Bulk inserts keep it quick for thousands of young people.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.history import mark_version
from plans.models import (
    ActionBy,
    Agreement,
    DeliveryLanguage,
    Goal,
    GoalStatus,
    OptionOffer,
    Plan,
    PlanAction,
    PlanReview,
    Response,
    SupportOption,
)
from plans.services import install_standard_options

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

#: Share of young people who have been offered options, and of those who have a plan.
OFFER_SHARE = 0.75
PLAN_SHARE = 0.8
#: Share of plans whose review date has passed (shown on the manager's overdue list).
OVERDUE_SHARE = 0.15

# (young child's version, older young person's version)
EXPLAINED = {
    "en": [
        (
            "With picture cards at home, with their foster carer there.",
            "Talked through each option over two visits; they read the leaflets and asked questions.",
        ),
        (
            "Played with the sand tray while we talked; kept it short.",
            "Explained in a walk to the shop, then sent a short summary by text as they asked.",
        ),
    ],
    "cy": [
        (
            "Gyda chardiau lluniau gartref, gyda'r gofalwr maeth yno.",
            "Siarad am bob dewis dros ddau ymweliad; darllenodd y taflenni a gofyn cwestiynau.",
        ),
        (
            "Chwarae yn y tywod wrth siarad; cadw'r sgwrs yn fyr.",
            "Esbonio ar daith gerdded i'r siop, wedyn anfon crynodeb byr drwy neges fel y gofynnodd.",
        ),
    ],
}
REASONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "en": {
        Response.CHOSEN: [
            ("I like drawing and Marie can come too.", "It sounds like I get to choose what we talk about.")
        ],
        Response.NOT_CHOSEN: [
            ("I don't want to talk about the sad things.", "Not now. I've done too much talking to people already.")
        ],
        Response.THINKING: [("", "I want to ask my carer first.")],
        Response.SOMETHING_ELSE: [
            ("I want to go to football instead.", "I'd rather do something with the youth club.")
        ],
    },
    "cy": {
        Response.CHOSEN: [
            (
                "Dwi'n hoffi tynnu lluniau a chaiff Mam-gu ddod hefyd.",
                "Mae'n swnio fel fy mod i'n cael dewis am beth ni'n siarad.",
            )
        ],
        Response.NOT_CHOSEN: [
            ("Dwi ddim eisiau siarad am y pethau trist.", "Ddim nawr. Dwi wedi siarad gormod gyda phobl yn barod.")
        ],
        Response.THINKING: [("", "Dwi eisiau gofyn i fy ngofalwr yn gyntaf.")],
        Response.SOMETHING_ELSE: [
            ("Dwi eisiau mynd i bêl-droed yn lle.", "Byddai'n well gen i wneud rhywbeth gyda'r clwb ieuenctid.")
        ],
    },
}
CHOSE_INSTEAD = {"en": "Football club with a mentor", "cy": "Clwb pêl-droed gyda mentor"}
GOALS = {
    "en": [
        ("I want to not feel scared at bedtime.", "I want to feel OK going to my new school."),
        ("I want to know why I can't live with Mum.", "I want to understand what happened when I was little."),
        ("I want to have a friend at school.", "I want to stop getting so angry that I smash things."),
        ("I want to go to gymnastics.", "I want to go back to hockey and see my friends."),
    ],
    "cy": [
        ("Dwi eisiau peidio â bod ofn amser gwely.", "Dwi eisiau teimlo'n iawn yn mynd i fy ysgol newydd."),
        ("Dwi eisiau gwybod pam dwi ddim yn cael byw gyda Mam.", "Dwi eisiau deall beth ddigwyddodd pan o'n i'n fach."),
        ("Dwi eisiau cael ffrind yn yr ysgol.", "Dwi eisiau stopio mynd mor grac fy mod i'n torri pethau."),
        ("Dwi eisiau mynd i gymnasteg.", "Dwi eisiau mynd yn ôl i hoci a gweld fy ffrindiau."),
    ],
}
ACTIONS = {
    "en": [
        (ActionBy.YOUNG_PERSON, "", "Practise the breathing from our sessions when I start to feel cross."),
        (ActionBy.CARER, "Foster carer", "Keep the same bedtime routine every night and use the calm box."),
        (ActionBy.SCHOOL, "Class teacher", "Set up a quiet space in class the young person can use without asking."),
        (ActionBy.SERVICE, "Nyth practitioner", "Weekly sessions; share the plan with the carer and the teacher."),
        (
            ActionBy.SOCIAL_WORKER,
            "Social worker",
            "Add the therapeutic support to the care and support plan before the next review.",
        ),
        (ActionBy.OTHER_AGENCY, "Youth club", "Help them join the Thursday sports session."),
    ],
    "cy": [
        (ActionBy.YOUNG_PERSON, "", "Ymarfer yr anadlu o'n sesiynau pan dwi'n dechrau mynd yn grac."),
        (ActionBy.CARER, "Gofalwr maeth", "Cadw'r un drefn amser gwely bob nos a defnyddio'r bocs tawelu."),
        (
            ActionBy.SCHOOL,
            "Athro dosbarth",
            "Creu lle tawel yn y dosbarth y gall y person ifanc ei ddefnyddio heb ofyn.",
        ),
        (ActionBy.SERVICE, "Ymarferydd Nyth", "Sesiynau wythnosol; rhannu'r cynllun gyda'r gofalwr a'r athro."),
        (
            ActionBy.SOCIAL_WORKER,
            "Gweithiwr cymdeithasol",
            "Ychwanegu'r cymorth therapiwtig at y cynllun gofal a chymorth cyn yr adolygiad nesaf.",
        ),
        (ActionBy.OTHER_AGENCY, "Clwb ieuenctid", "Helpu i ymuno â'r sesiwn chwaraeon ar nos Iau."),
    ],
}
AGREEMENT_WORDS = {
    "en": ("I helped write it and it's OK.", "It's my plan. I want to change the school bit at the next review."),
    "cy": (
        "Helpais i ysgrifennu'r cynllun ac mae'n iawn.",
        "Fy nghynllun i ydy e. Dwi eisiau newid y darn am yr ysgol yn yr adolygiad nesaf.",
    ),
}
REVIEW: dict[str, dict[str, Any]] = {
    "en": {
        "participants": "The young person, their carer, their social worker and their Nyth practitioner",
        "young_person_view": (
            "Bedtime is better. I still don't like Mondays.",
            "School is a bit better. I want fewer meetings.",
        ),
        "progress": "Settling better at home; using the calm space at school about twice a week.",
        "changes": "Sessions moved to after school; added an action for the youth club.",
    },
    "cy": {
        "participants": "Y person ifanc, y gofalwr, y gweithiwr cymdeithasol ac ymarferydd Nyth",
        "young_person_view": (
            "Mae amser gwely'n well. Dwi dal ddim yn hoffi dydd Llun.",
            "Mae'r ysgol ychydig yn well. Dwi eisiau llai o gyfarfodydd.",
        ),
        "progress": "Setlo'n well gartref; defnyddio'r lle tawel yn yr ysgol tua dwywaith yr wythnos.",
        "changes": "Symud y sesiynau i ar ôl ysgol; ychwanegu cam gweithredu ar gyfer y clwb ieuenctid.",
    },
}
# Options that suit young children, and those that suit older young people, by standard key.
YOUNG_OPTIONS = ("life_story_work", "theraplay", "ddp", "creative_play", "parents_carers")
OLDER_OPTIONS = ("life_story_work", "tf_cbt", "emdr", "creative_play", "mentoring", "formulation")


def _own_rng(child: Child, purpose: str) -> random.Random:
    return random.Random(f"nyth-demo:{purpose}:{child.pk}")  # noqa: S311 - synthetic data, not security


def _pick(rng: random.Random, options: Sequence[tuple[str, str]], older: bool) -> str:
    young, old = rng.choice(options)
    return old if older else young


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    """Install the standard catalogue for the service; offer options to most young people and
    record their choices; give most of them a plan with goals, actions and reviews (some overdue).
    Adds nothing that is already there."""
    install_standard_options(service_id=service.pk)
    options = {o.standard_key: o for o in SupportOption.objects.for_service(service.pk).active() if o.standard_key}
    children = [child for child in children if child.service_id == service.pk]
    if not children or not options:
        return
    staff = list(practitioners) or [manager]
    today = timezone.localdate()
    # Whole-service queries (not ``__in`` a list of thousands of children: SQLite limits parameters).
    offered = set(OptionOffer.objects.filter(child__service=service).values_list("child_id", flat=True).distinct())
    planned = set(Plan.objects.filter(child__service=service).values_list("child_id", flat=True))

    offers = []
    for child in children:
        own = _own_rng(child, "plans-offers")
        if child.pk in offered or own.random() >= OFFER_SHARE:
            continue
        lang = "cy" if child.preferred_language == "cy" else "en"
        older = child.age >= 11
        keys = [k for k in (OLDER_OPTIONS if older else YOUNG_OPTIONS) if k in options]
        author = staff[own.randrange(len(staff))]
        offered_on = today - timedelta(days=own.randrange(30, 240))
        explained = _pick(rng, EXPLAINED[lang], older)
        for key in own.sample(keys, k=min(len(keys), own.randint(2, 3))):
            response = own.choice(
                [Response.CHOSEN, Response.CHOSEN, Response.NOT_CHOSEN, Response.THINKING, Response.SOMETHING_ELSE, ""]
            )
            reason = _pick(rng, REASONS[lang][response], older) if response else ""
            decided = response in (Response.CHOSEN, Response.NOT_CHOSEN, Response.SOMETHING_ELSE)
            offer = OptionOffer(
                child=child,
                option=options[key],
                offered_on=offered_on,
                offered_by=author,
                recorded_by=author,
                how_explained=explained,
                response=response,
                reason=reason,
                chose_instead=CHOSE_INSTEAD[lang] if response == Response.SOMETHING_ELSE else "",
                decided_on=offered_on + timedelta(days=own.randrange(0, 14)) if decided else None,
                text_language=lang,  # the demo writes in the young person's language
                updated_at=_aware(offered_on),
            )
            mark_version(offer, by=author, at=_aware(offered_on))
            offers.append(offer)
    if offers:
        bulk_create_with_history(offers, OptionOffer, batch_size=1000)

    plans = []
    details: dict[int, tuple[random.Random, str, bool, User, date, date]] = {}
    for child in children:
        own = _own_rng(child, "plans-plan")
        if child.pk in planned or own.random() >= PLAN_SHARE:
            continue
        lang = "cy" if child.preferred_language == "cy" else "en"
        older = child.age >= 11
        author = staff[own.randrange(len(staff))]
        started = today - timedelta(days=own.randrange(20, 200))
        overdue = own.random() < OVERDUE_SHARE
        next_review = (
            today - timedelta(days=own.randrange(1, 60)) if overdue else today + timedelta(days=own.randrange(7, 120))
        )
        agreement = own.choice([Agreement.AGREED, Agreement.AGREED, Agreement.NOT_YET])
        plan = Plan(
            child=child,
            language={"cy": DeliveryLanguage.WELSH, "en": DeliveryLanguage.ENGLISH}[lang]
            if own.random() < 0.85
            else DeliveryLanguage.BILINGUAL,
            care_plan_reference=f"CSP-DEMO-{child.pk:05d}",
            in_care_plan=own.random() < 0.7,
            next_lac_review_on=today + timedelta(days=own.randrange(10, 180))
            if child.legal_status == "looked_after"
            else None,
            agreement=agreement,
            agreement_on=started if agreement == Agreement.AGREED else None,
            agreement_words=AGREEMENT_WORDS[lang][1 if older else 0] if agreement == Agreement.AGREED else "",
            next_review_on=next_review,
            text_language=lang,
            updated_by=author,
            updated_at=_aware(started),
        )
        mark_version(plan, by=author, at=_aware(started))
        plans.append(plan)
        details[child.pk] = (own, lang, older, author, started, next_review)
    if not plans:
        return
    bulk_create_with_history(plans, Plan, batch_size=1000)
    plan_ids = dict(
        Plan.objects.filter(child__service=service, child_id__in=list(details)).values_list("child_id", "pk")
    )

    goals = []
    for child_id, (own, lang, older, author, started, _next) in details.items():
        for order, text in enumerate(
            own.sample([old if older else young for young, old in GOALS[lang]], k=own.randint(1, 3)), start=1
        ):
            goal = Goal(
                plan_id=plan_ids[child_id],
                text=text,
                voice=own.choice(["young_person", "young_person", "with_young_person"]),
                order=order,
                status=GoalStatus.ACHIEVED if own.random() < 0.15 else GoalStatus.ACTIVE,
                added_on=started,
                text_language=lang,
            )
            mark_version(goal, by=author, at=_aware(started, 11))
            goals.append(goal)
    bulk_create_with_history(goals, Goal, batch_size=1000)
    first_goal = {}
    for plan_id, goal_id in Goal.objects.filter(plan_id__in=list(plan_ids.values()), order=1).values_list(
        "plan_id", "pk"
    ):
        first_goal[plan_id] = goal_id

    actions, reviews = [], []
    for child_id, (own, lang, older, author, started, next_review) in details.items():
        plan_id = plan_ids[child_id]
        for who, name, what in own.sample(ACTIONS[lang], k=own.randint(2, 4)):
            by_when = started + timedelta(days=own.randrange(14, 120))
            action = PlanAction(
                plan_id=plan_id,
                who=who,
                who_name=name,
                what=what,
                goal_id=first_goal.get(plan_id) if own.random() < 0.5 else None,
                by_when=by_when,
                done_on=by_when - timedelta(days=own.randrange(0, 10))
                if by_when < today and own.random() < 0.6
                else None,
                text_language=lang,
            )
            mark_version(action, by=author, at=_aware(started, 12))
            actions.append(action)
        # A review held after the plan started and before the next review it set (the plan's).
        held = min(started + timedelta(days=own.randrange(30, 55)), next_review - timedelta(days=14), today)
        if held > started and own.random() < 0.6:
            texts = REVIEW[lang]
            review = PlanReview(
                plan_id=plan_id,
                held_on=held,
                participants=texts["participants"],
                young_person_view=texts["young_person_view"][1 if older else 0],
                progress=texts["progress"],
                changes=texts["changes"],
                # The plan's next review date is the one its latest review set.
                next_review_on=next_review,
                text_language=lang,
                recorded_by=author,
                recorded_at=_aware(held, 15),
            )
            mark_version(review, by=author, at=_aware(held, 15))
            reviews.append(review)
    bulk_create_with_history(actions, PlanAction, batch_size=1000)
    if reviews:
        bulk_create_with_history(reviews, PlanReview, batch_size=1000)
