"""Demo episodes of support and transitions: invented, clearly fictional, in the young person's
language (Welsh or English).

``seed`` is idempotent and deterministic: whether a young person gets an episode (and which
story it tells) and which transitions they have is decided by a generator of their own
(``Random`` seeded from the record), and a young person who already has an episode or a
transition gets no more of them. ``rng`` varies only the wording of what is added.

Everything is written with bulk inserts (the demo may hold thousands of young people).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import override
from simple_history.utils import bulk_create_with_history

from episodes.checklists import items_for
from episodes.models import (
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    OpenedFrom,
    Transition,
    TransitionChecklistItem,
    TransitionKind,
    TransitionStatus,
    twenty_fifth_birthday,
)

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

#: Share of young people with an episode of support in the demo.
EPISODE_SHARE = 0.85

TEXT = {
    "en": {
        "pause": [
            "Asked for a break during the exams; will pick up again in the summer.",
            "Placement move: pausing sessions until settled with the new carers.",
            "In hospital for an operation; carer keeping in touch with us.",
        ],
        "resume": ["Settled again and asked to start back.", "Back from hospital and keen to carry on."],
        "close_reason": [
            "Goals in the plan met; settled in placement for over six months.",
            "Moving to adult services with a planned handover.",
        ],
        "young_person_words": [
            "I feel OK now. I know who to talk to and I can come back if I need to.",
            "I don't need to come every week any more. Marie and my teacher get it now.",
        ],
        "judgement": [
            "Stable placement; carer trained in responding therapeutically; youth worker stays involved. Safety plan updated.",
            "Coping strategies in place and used; trusted adults around; young person clear about how to come back.",
        ],
        "reopen": [
            "Placement broke down; asked to see their practitioner again.",
            "Starting secondary school has been hard; carer asked for support again.",
        ],
        "placement_move": "Moving to new foster carers closer to school and friends. Wants to keep seeing the youth club.",
        "out_of_county": "Coming home from an out-of-county residential placement to a local foster family.",
        "school_move": "Starting at a new school in September. Nervous but has met the new teacher, who was friendly.",
        "practitioner_change": "Practitioner leaving the team; handover planned with a joint session and a goodbye.",
        "adulthood": "Turning 18 soon: planning the move to adult support with the personal adviser.",
        "adult_service": "Adult community mental health team (demo)",
    },
    "cy": {
        "pause": [
            "Wedi gofyn am seibiant dros yr arholiadau; ailddechrau yn yr haf.",
            "Symud lleoliad: oedi'r sesiynau nes setlo gyda'r gofalwyr maeth newydd.",
        ],
        "resume": ["Wedi setlo eto ac eisiau ailddechrau."],
        "close_reason": ["Nodau'r cynllun wedi'u cyrraedd; wedi setlo yn y lleoliad ers dros chwe mis."],
        "young_person_words": ["Dwi'n teimlo'n iawn nawr. Dwi'n gwybod at bwy i droi a galla i ddod yn ôl."],
        "judgement": ["Lleoliad sefydlog; gofalwr wedi cael hyfforddiant; gweithiwr ieuenctid yn dal i fod yno."],
        "reopen": ["Mae dechrau'r ysgol uwchradd wedi bod yn anodd; y gofalwr wedi gofyn am gymorth eto."],
        "placement_move": "Symud at ofalwyr maeth newydd yn nes at yr ysgol a ffrindiau. Eisiau dal i fynd i'r clwb ieuenctid.",
        "out_of_county": "Dod adref o leoliad preswyl y tu allan i'r sir at deulu maeth lleol.",
        "school_move": "Dechrau mewn ysgol newydd ym mis Medi. Yn nerfus ond wedi cwrdd â'r athrawes newydd.",
        "practitioner_change": "Yr ymarferydd yn gadael y tîm; trosglwyddo gyda sesiwn ar y cyd a sesiwn ffarwelio.",
        "adulthood": "Yn troi'n 18 cyn hir: cynllunio'r symud i gymorth oedolion gyda'r cynghorydd personol.",
        "adult_service": "Tîm iechyd meddwl cymunedol oedolion (demo)",
    },
}


def _own_rng(child: Child, purpose: str) -> random.Random:
    return random.Random(f"nyth-demo:{purpose}:{child.pk}")  # noqa: S311 - synthetic data, not security


def _texts(child: Child) -> dict:
    return TEXT["cy" if child.preferred_language == "cy" else "en"]


def _between(own: random.Random, start: date, end: date) -> date:
    span = max((end - start).days, 0)
    return start + timedelta(days=own.randint(0, span))


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    """Episodes for most of the service's young people (open, paused, closed, re-opened) and
    transitions where their lives call for one. Adds nothing that is already there."""
    children = [child for child in children if child.service_id == service.pk]
    if not children:
        return
    staff = list(practitioners) or [manager]
    _seed_episodes(service=service, staff=staff, children=children, rng=rng)
    _seed_transitions(service=service, staff=staff, children=children, rng=rng)


def _seed_episodes(*, service: Organisation, staff: list[User], children: list[Child], rng: random.Random) -> None:
    from referrals.models import Referral

    today = timezone.localdate()
    have = set(Episode.objects.filter(child__service=service).values_list("child_id", flat=True))
    # The latest referral of each young person (later rows win).
    referrals = {
        child_id: (pk, received_at)
        for child_id, pk, received_at in Referral.objects.filter(child__service=service)
        .order_by("child_id", "received_at", "pk")
        .values_list("child_id", "pk", "received_at")
    }
    episodes: list[Episode] = []
    logs: list[list[EpisodeEvent]] = []
    for child in children:
        own = _own_rng(child, "episode")
        if child.pk in have or own.random() >= EPISODE_SHARE:
            continue
        author = staff[own.randrange(len(staff))]
        referral = referrals.get(child.pk)
        if referral is not None:
            opened_on = min(timezone.localtime(referral[1]).date() + timedelta(days=own.randint(7, 60)), today)
        else:
            opened_on = today - timedelta(days=own.randint(30, 900))
        episode = Episode(
            child=child,
            opened_on=opened_on,
            opened_from=OpenedFrom.REFERRAL if referral is not None else OpenedFrom.RETURNING,
            referral_id=referral[0] if referral is not None else None,
            opened_by=author,
        )
        log = _story(own, rng, _texts(child), episode, author, today)
        episode.version = len(log)  # one version per change after opening
        episodes.append(episode)
        logs.append(log)
    if not episodes:
        return
    created = bulk_create_with_history(episodes, Episode, batch_size=500)
    events = []
    for episode, log in zip(created, logs, strict=True):
        language = "cy" if episode.child.preferred_language == "cy" else "en"  # the demo's texts are in it
        for event in log:
            event.episode = episode
            if event.reason or event.young_person_words or event.practitioner_judgement:
                event.text_language = language
            events.append(event)
    EpisodeEvent.objects.bulk_create(events, batch_size=1000)


def _story(
    own: random.Random, rng: random.Random, texts: dict, episode: Episode, author: User, today: date
) -> list[EpisodeEvent]:
    """The episode's log, and its status set to where the story ends."""

    def event(kind: str, on: date, **values: str) -> EpisodeEvent:
        return EpisodeEvent(kind=kind, on=on, recorded_by=author, **values)

    log = [event(EventKind.OPENED, episode.opened_on)]
    story = own.choices(["open", "paused_resumed", "paused", "closed", "reopened"], weights=[45, 15, 15, 15, 10])[0]
    last = episode.opened_on
    if story in ("paused_resumed", "paused"):
        last = _between(own, last, today)
        log.append(event(EventKind.PAUSED, last, reason=rng.choice(texts["pause"])))
        episode.status = EpisodeStatus.PAUSED
        if story == "paused_resumed":
            last = _between(own, last, today)
            log.append(event(EventKind.RESUMED, last, reason=rng.choice(texts["resume"])))
            episode.status = EpisodeStatus.OPEN
    if story in ("closed", "reopened"):
        last = _between(own, last, today)
        log.append(
            event(
                EventKind.CLOSED,
                last,
                reason=rng.choice(texts["close_reason"]),
                young_person_words=rng.choice(texts["young_person_words"]),
                practitioner_judgement=rng.choice(texts["judgement"]),
            )
        )
        episode.status = EpisodeStatus.CLOSED
        if story == "reopened":
            last = _between(own, last, today)
            log.append(event(EventKind.REOPENED, last, reason=rng.choice(texts["reopen"])))
            episode.status = EpisodeStatus.OPEN
    return log


def _seed_transitions(*, service: Organisation, staff: list[User], children: list[Child], rng: random.Random) -> None:
    from people.models import CareTeamMembership, Placement, RelatedPerson

    today = timezone.localdate()
    have = set(Transition.objects.filter(child__service=service).values_list("child_id", flat=True))
    # The latest placement of each young person, and the one before it (for "coming home").
    placements: dict[int, list[Placement]] = {}
    for placement in (
        Placement.objects.filter(child__service=service)
        .select_related("child")
        .order_by("child_id", "start_date", "pk")
    ):
        placements.setdefault(placement.child_id, []).append(placement)
    leads = dict(
        CareTeamMembership.objects.filter(child__service=service, ended_at__isnull=True, role="lead").values_list(
            "child_id", "user_id"
        )
    )
    trusted = {}
    for child_id, person_id in (
        RelatedPerson.objects.filter(child__service=service, is_active=True)
        .order_by("-child_id", "-pk")
        .values_list("child_id", "pk")
    ):
        trusted[child_id] = person_id  # the first person of each young person wins
    staff_ids = [user.pk for user in staff]
    planned: list[tuple[Transition, random.Random]] = []
    for child in children:
        if child.pk in have:
            continue
        own = _own_rng(child, "transitions")
        texts = _texts(child)
        author_id = leads.get(child.pk) or staff_ids[own.randrange(len(staff_ids))]
        mine = placements.get(child.pk, [])
        latest = mine[-1] if mine else None
        age = child.age
        if latest is not None and latest.start_date >= today - timedelta(days=240) and own.random() < 0.7:
            previous = mine[-2] if len(mine) > 1 else None
            coming_home = previous is not None and previous.out_of_county and not latest.out_of_county
            planned.append(
                (
                    Transition(
                        child=child,
                        kind=TransitionKind.PLACEMENT_MOVE,
                        planned_on=latest.start_date,
                        placement=latest,
                        out_of_county_to_local=coming_home,
                        summary=texts["out_of_county" if coming_home else "placement_move"],
                        created_by_id=author_id,
                    ),
                    own,
                )
            )
        if age in (4, 5, 10, 11) and own.random() < 0.4:
            september = date(today.year if today.month < 9 else today.year + 1, 9, 1)
            planned.append(
                (
                    Transition(
                        child=child,
                        kind=TransitionKind.SCHOOL_MOVE,
                        planned_on=september,
                        summary=texts["school_move"],
                        created_by_id=author_id,
                    ),
                    own,
                )
            )
        if 16 <= age < 25 and own.random() < 0.8:
            until = min(twenty_fifth_birthday(child), today + timedelta(days=365 * own.randint(2, 5)))
            planned.append(
                (
                    Transition(
                        child=child,
                        kind=TransitionKind.ADULTHOOD,
                        planned_on=today + timedelta(days=own.randint(30, 400)),
                        summary=texts["adulthood"],
                        adult_service=texts["adult_service"],
                        support_until=until,
                        created_by_id=author_id,
                    ),
                    own,
                )
            )
        if len(staff_ids) > 1 and own.random() < 0.08:
            to_id = own.choice([pk for pk in staff_ids if pk != author_id] or staff_ids)
            planned.append(
                (
                    Transition(
                        child=child,
                        kind=TransitionKind.PRACTITIONER_CHANGE,
                        planned_on=today + timedelta(days=own.randint(14, 90)),
                        summary=texts["practitioner_change"],
                        from_practitioner_id=author_id,
                        to_practitioner_id=to_id,
                        created_by_id=author_id,
                    ),
                    own,
                )
            )
    if not planned:
        return
    for transition, own in planned:
        transition.text_language = "cy" if transition.child.preferred_language == "cy" else "en"
        if transition.planned_on < today - timedelta(days=30) and transition.kind == TransitionKind.PLACEMENT_MOVE:
            transition.status = TransitionStatus.DONE
            transition.completed_on = transition.planned_on + timedelta(days=own.randint(0, 20))
            transition.completed_by_id = transition.created_by_id
        elif transition.planned_on <= today + timedelta(days=60):
            transition.status = TransitionStatus.IN_PROGRESS
    created = bulk_create_with_history([t for t, _own in planned], Transition, batch_size=500)
    items: list[TransitionChecklistItem] = []
    links = []
    through = Transition.trusted_adults.through
    with override("en"):
        for transition, (_planned, own) in zip(created, planned, strict=True):
            defaults = items_for(transition.kind, out_of_county_to_local=transition.out_of_county_to_local)
            ticked = (
                len(defaults)
                if transition.status == TransitionStatus.DONE
                else (own.randint(1, len(defaults) - 1) if transition.status == TransitionStatus.IN_PROGRESS else 0)
            )
            for position, (key, label) in enumerate(defaults):
                done = position < ticked
                items.append(
                    TransitionChecklistItem(
                        transition=transition,
                        position=position,
                        key=key,
                        text=str(label),
                        done_on=min(transition.planned_on, today) if done else None,
                        done_by_id=transition.created_by_id if done else None,
                    )
                )
            if transition.kind == TransitionKind.PRACTITIONER_CHANGE and transition.child_id in trusted:
                links.append(through(transition_id=transition.pk, relatedperson_id=trusted[transition.child_id]))
    bulk_create_with_history(items, TransitionChecklistItem, batch_size=1000)
    if links:
        through.objects.bulk_create(links, batch_size=1000)
