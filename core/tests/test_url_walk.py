"""Walk every URL pattern in the project and prove the access rules hold for each:

- anonymous users are sent to sign in (except the few pages marked public);
- a user from an unrelated organisation gets 404 – not 403, not data – for every object URL;
- a commissioner can open no page that shows an identifiable child.

New URL patterns are picked up automatically; a pattern with an argument this test cannot fill
fails loudly so it gets added to OBJECT_ARGS.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.http import urlsafe_base64_encode

from people.models import BreakGlassAccess

PUBLIC = {
    "healthz",
    "readyz",
    "accounts:login",
    "accounts:enrol",
    # Password reset is for people who cannot sign in; a link that is not valid is 404.
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "public_referral",
    "public_referral_sent",
    # A young person's invitation link: opened before they have an account.
    "myspace:accept",
    # Exit this page: signs out whoever follows it, then leaves for a neutral site.
    "myspace:exit",
    # Help now: the national lines, no record read; it must work signed out too.
    "myspace:help",
    # Anonymous feedback on the support (ADR 018).
    "public_feedback",
    "public_feedback_form",
    "public_feedback_sent",
}
# Pages that need a signed-in but not yet two-factor-verified user (or sign-out).


def iter_patterns(resolver=None, prefix="") -> Iterator[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from iter_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def all_names() -> list[str]:
    return sorted({name for name, _ in iter_patterns()})


@pytest.fixture
def objects(child, duty, south, alice, manager):
    """Real objects for every kind of URL argument, all belonging to ``child``'s service."""
    from referrals.models import ImportJob
    from referrals.tests.factories import DirectoryServiceFactory, ReferralFactory

    referral = ReferralFactory(service=south, child=child, given_name=child.given_name, family_name=child.family_name)
    entry = DirectoryServiceFactory()
    from people.models import MergeRecord
    from people.tests.factories import ChildFactory

    twin = ChildFactory(service=south, given_name=child.given_name, family_name=child.family_name)
    merge = MergeRecord.objects.create(
        keep=twin, merged=ChildFactory(service=south), by=manager, reason="Same NHS number confirmed"
    )
    access = BreakGlassAccess.objects.create(
        user=duty, child=child, reason="Night-time crisis call", expires_at=child.created_at
    )
    import datetime

    from accounts.tests.factories import OrganisationFactory
    from assessments.models import AssessmentShare
    from consent.models import ConsentDecision, SafeguardingShare
    from contacts.models import Contact

    school = OrganisationFactory(code="SCH-WALK", name_en="Walk School", name_cy="Ysgol Cerdded", type="education")
    consent = ConsentDecision.objects.create(
        child=child,
        items=["assessment"],
        recipient_organisation=school,
        purposes=["joint_assessment"],
        decider="young_person",
        young_person_views="Happy for my teacher to know.",
        how_given="in_person",
        given_on=datetime.date(2026, 1, 5),
        lawful_basis="health_social_care",
        recorded_by=manager,
    )
    safeguarding = SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=school,
        items=["assessment"],
        reason="Risk of significant harm",
        expires_on=datetime.date(2026, 2, 5),
        requested_by=alice,
    )
    share = AssessmentShare.objects.create(
        reference="S-WALK-1",
        child=child,
        recipient_organisation=school,
        purpose="joint_assessment",
        consent=consent,
        shared_by=alice,
    )
    return {
        "child_pk": child.pk,
        "who": "carer",
        "code": south.code,
        "consent_pk": consent.pk,
        "safeguarding_pk": safeguarding.pk,
        "share_pk": share.pk,
        "section": "my_story",
        "pk": child.pk,
        "person_pk": child.related_people.get().pk,
        "membership_pk": child.care_team.get().pk,
        "access_pk": access.pk,
        "user_pk": alice.pk,
        "uidb64": urlsafe_base64_encode(str(alice.pk).encode()),
        "token": "not-a-real-token",
        "request_pk": _access_request(duty, south).pk,
        "reference": referral.reference,
        "entry_pk": entry.pk,
        "other_pk": twin.pk,
        "merge_pk": merge.pk,
        "job_pk": ImportJob.objects.create(
            service=south,
            uploaded_by=manager,
            filename="walk.csv",
            mode="valid_only",
            data=b"given_name\n",
            rows_total=1,
        ).pk,
        **_episode_objects(child, alice),
        **_plan_objects(child, alice),
        **_outcome_objects(child),
        **_instrument_objects(manager),
        **_selfassess_objects(south, manager, alice),
        **_voice_objects(child, alice),
        **_space_objects(child, alice),
        "contact_pk": Contact.objects.create(
            child=child,
            practitioner=alice,
            recorded_by=alice,
            kind="individual",
            location="home",
            starts_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC),
            idempotency_key="walk-contact",
        ).pk,
        "space_request_pk": _space_request(child, alice).pk,
        "line_pk": _help_line().pk,
        "shift_pk": _on_call_shift(south, duty).pk,
    }


def _on_call_shift(south, duty):
    """A shift on the service's on-call rota (myspace app; kept by its service managers)."""
    import datetime

    from myspace.models import OnCallShift

    at = datetime.datetime(2026, 1, 5, 17, tzinfo=datetime.UTC)
    return OnCallShift.objects.create(service=south, user=duty, starts_at=at, ends_at=at + datetime.timedelta(hours=16))


def _help_line():
    """A Help now line (myspace app; seeded by a migration)."""
    from myspace.models import HelpLine

    return HelpLine.objects.order_by("pk").first()


def _space_request(child, alice):
    """A request from ``child``'s own space to the care team (myspace app)."""
    from myspace.models import SpaceRequest

    return SpaceRequest.objects.create(child=child, kind="add_person", text="My nan", created_by=alice, form_key="walk")


def _voice_objects(child, alice) -> dict:
    """A check-in, a "before my review" and an alert of ``child`` (myspace's voice). The alert
    was picked up long ago, so the duty worker's route "space_alert" does not open the record."""
    import datetime

    from myspace.models import Alert, CheckIn, ReviewNote

    at = datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC)
    checkin = CheckIn.objects.create(child=child, feeling=3, created_at=at, read_by_date=datetime.date(2026, 1, 7))
    note = ReviewNote.objects.create(child=child, text="Walk note")
    alert = Alert.objects.create(
        child=child, kind="talk", cover="in_hours", watched_from=at, picked_up_at=at, picked_up_by=alice
    )
    # The one inbox's address names the kind of item and its id (myspace/staff_inbox.py).
    return {
        "checkin_pk": checkin.pk,
        "note_pk": note.pk,
        "alert_pk": alert.pk,
        "kind": "checkin",
        "item_pk": checkin.pk,
    }


def _space_objects(child, alice):
    """A log entry of the child's story and a notice from their own space (myspace)."""
    from assessments.models import Assessment
    from audit.models import Action, Route
    from audit.services import record
    from myspace.models import CareTeamNotice

    assessment = Assessment.objects.create(child=child)
    event = record(actor=alice, action=Action.VIEW, obj=assessment, child_id=child.pk, route=Route.UI)
    notice = CareTeamNotice.objects.create(child=child, kind="why_look", event=event, created_by=alice)
    return {"event_pk": event.pk, "notice_pk": notice.pk}


def _access_request(account, service):
    """A pending access-change request in ``child``'s service (accounts app)."""
    from accounts.models import AccessRequest

    values = {"role": account.role, "organisation": service.pk, "is_active": True, "email": "new@example.invalid"}
    return AccessRequest.objects.create(account=account, requested=values, previous=values, service=service)


def _plan_objects(child, alice) -> dict:
    """A catalogue option, an offer, and a plan with a goal and an action for ``child`` (plans app)."""
    import datetime

    from plans.models import Goal, OptionOffer, Plan, PlanAction, SupportOption

    option = SupportOption.objects.create(
        service=child.service,
        kind="therapeutic",
        name_en="Walk option",
        name_cy="Dewis cerdded",
        description_en="x",
        suits_en="x",
        adaptations_en="x",
    )
    offer = OptionOffer.objects.create(
        child=child,
        option=option,
        offered_on=datetime.date(2026, 1, 5),
        offered_by=alice,
        recorded_by=alice,
        how_explained="x",
    )
    plan = Plan.objects.create(child=child, language="en", next_review_on=datetime.date(2026, 6, 1), updated_by=alice)
    goal = Goal.objects.create(plan=plan, text="Feel OK at school")
    action = PlanAction.objects.create(plan=plan, who="school", what="Quiet space")
    return {"option_pk": option.pk, "offer_pk": offer.pk, "goal_pk": goal.pk, "action_pk": action.pk}


def _episode_objects(child, alice) -> dict:
    """An episode and a transition of ``child`` (episodes app)."""
    import datetime

    from episodes.models import Episode, Transition

    episode = Episode.objects.create(
        child=child, opened_on=datetime.date(2026, 1, 5), opened_from="returning", opened_by=alice
    )
    transition = Transition.objects.create(
        child=child,
        kind="school_move",
        planned_on=datetime.date(2026, 9, 1),
        summary="Moving to the high school",
        created_by=alice,
    )
    return {"episode_pk": episode.pk, "transition_pk": transition.pk}


def _outcome_objects(child) -> dict:
    """A measurement point on ``child``'s episode (outcomes app)."""
    import datetime

    from outcomes.models import MeasurementPoint

    episode = child.episodes.get()
    point = MeasurementPoint.objects.create(
        child=child, episode=episode, kind="start", due_on=datetime.date(2026, 1, 5)
    )
    return {"point_pk": point.pk}


def _instrument_objects(manager) -> dict:
    """An outcome measure and a proposal to change its parameters (reference data, not personal)."""
    from outcomes.models import Instrument, InstrumentChange
    from outcomes.parameters import current_values, to_json

    instrument = Instrument.objects.get(code="swemwbs")
    values = to_json(current_values(instrument))
    change = InstrumentChange.objects.create(
        instrument=instrument, proposed=values, based_on=values, reason="Walk", citation="Walk", proposed_by=manager
    )
    return {"code": instrument.code, "change_pk": change.pk}


def _selfassess_objects(south, manager, alice) -> dict:
    """A draft self-assessment of the service with one action (service data, not personal)."""
    import datetime

    from selfassess import services

    round_ = services.start_round(by=manager, service=south, assessed_on=datetime.date(2026, 1, 5))
    action = services.add_action(
        by=manager,
        round_=round_,
        expected_version=round_.version,
        values=services.ActionValues(
            text="Walk", owner=alice, due_on=datetime.date(2026, 3, 1), status="not_started", domain=None
        ),
    )
    return {"round_pk": round_.pk, "action_pk": action.pk}


def url_for(name: str, pattern: URLPattern, objects: dict) -> str:
    kwargs = {}
    for arg in pattern.pattern.regex.groupindex:
        if arg not in objects:
            pytest.fail(f"URL {name} has an argument {arg!r} this walk cannot fill: add it to the objects fixture")
        kwargs[arg] = objects[arg]
    return reverse(name, kwargs=kwargs)


def _body(response) -> str:
    """What a reader of the response sees: the page, or a PDF's text (read back with pypdf, as
    the PDF tests do) – a PDF showing a child is walked like any page."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        import io

        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def test_the_walk_covers_the_apps():
    names = all_names()
    assert "people:detail" in names
    assert "audit:child" in names
    assert "core:home" in names


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "cy"])
def test_anonymous_users_are_sent_to_sign_in(client, objects, language):
    with translation.override(language):
        for name, pattern in iter_patterns():
            if name in PUBLIC:
                continue
            url = url_for(name, pattern, objects)
            response = client.get(url)
            assert response.status_code == 302, name
            assert reverse("accounts:login") in response["Location"], name


@pytest.mark.django_db
def test_strangers_get_404_for_every_object_url(client_for, charlie, objects, child):
    client = client_for(charlie)
    checked = 0
    for name, pattern in iter_patterns():
        if not pattern.pattern.regex.groupindex or name in PUBLIC:  # a public page has no strangers
            continue
        url = url_for(name, pattern, objects)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # A POST-only page answers GET with 405 before looking anything up: no existence leak.
            allowed = (404, 405) if method == "get" else (404,)
            assert response.status_code in allowed, f"{method.upper()} {name} gave {response.status_code}"
            assert child.family_name not in _body(response), name
        checked += 1
    assert checked >= 8


@pytest.fixture
def health_board_commissioner(db):
    """A commissioner of a health board (Cardiff and Vale): their area is their region's."""
    from accounts.models import Organisation, Role
    from accounts.tests.factories import UserFactory

    return UserFactory(
        username="hb-commissioner", role=Role.COMMISSIONER, organisation=Organisation.objects.get(code="7A4")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["commissioner", "health_board_commissioner"])
def test_commissioners_open_no_identifiable_page(client_for, request, persona, objects, child):
    commissioner = request.getfixturevalue(persona)
    client = client_for(commissioner)
    for name, pattern in iter_patterns():
        if name in PUBLIC or name == "accounts:logout":
            continue
        url = url_for(name, pattern, objects)
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404, 405), f"{name}: {response.status_code}"
        body = _body(response)
        assert child.family_name not in body, name
        assert "943 476 5919" not in body and "9434765919" not in body, name
        if pattern.pattern.regex.groupindex:
            assert response.status_code in (404, 405), f"{name} should be 404 for a commissioner"
            assert client.post(url).status_code == 404, f"POST {name} should be 404 for a commissioner"


@pytest.mark.django_db
def test_every_page_that_shows_a_child_records_that_it_was_opened(client_for, manager, objects, child):
    """Privacy by construction: any page a manager opens that shows the young person's name
    (records, plans, forms showing what is stored…) leaves an audit event about that child."""
    from audit.models import AuditEvent

    client = client_for(manager)
    shown, silent = 0, []
    for name, pattern in iter_patterns():
        if not pattern.pattern.regex.groupindex:
            continue
        url = url_for(name, pattern, objects)
        before = AuditEvent.objects.filter(child_id=child.pk).count()
        response = client.get(url)
        if response.status_code != 200 or child.family_name not in _body(response):
            continue
        shown += 1
        if AuditEvent.objects.filter(child_id=child.pk).count() == before:
            silent.append(name)
    assert silent == [], f"these pages showed the child without an audit event: {silent}"
    assert shown >= 20


# --- List pages and emergency access in the audit walk (issue 12 A2) ------------------------------


def _list_events_of(user) -> list:
    from audit.models import Action, AuditEvent

    return list(AuditEvent.objects.filter(actor=user, action=Action.LIST, child_id__isnull=True).order_by("id"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["manager", "alice", "duty"])
def test_every_list_page_that_names_a_child_records_one_list_event(client_for, objects, child, persona, request):
    """A page without an object in its address that shows the young person's name is a list (or
    search) of children: each page view leaves exactly one LIST event naming them."""
    user = request.getfixturevalue(persona)
    if persona == "duty":
        BreakGlassAccess.objects.create(
            user=user, child=child, reason="Carer phoned at night", expires_at=child.created_at + _HOURS(24 * 365 * 10)
        )
    client = client_for(user)
    named = {child.pk, objects["other_pk"]}  # the twin shares the family name
    shown, silent = [], []
    for name, pattern in iter_patterns():
        if pattern.pattern.regex.groupindex or name in PUBLIC or name == "accounts:logout":
            continue
        before = len(_list_events_of(user))
        response = client.get(reverse(name))
        # The emergency-access banner names the worker's own accesses on every page: not a list.
        if response.status_code != 200 or child.family_name not in _outside_the_banner(_body(response)):
            continue
        shown.append(name)
        events = _list_events_of(user)[before:]
        if len(events) != 1 or not named & set(events[0].detail.get("children", [])):
            silent.append((name, [event.detail for event in events]))
    assert silent == [], f"these list pages named the child without one LIST event naming them: {silent}"
    assert "people:list" in shown or persona == "duty"
    assert "core:home" in shown or persona != "alice"


@pytest.mark.django_db
@pytest.mark.parametrize(("whole_record", "at_least"), [(False, 2), (True, 5)])
def test_a_duty_worker_on_emergency_access_is_audited_as_such_on_every_page(
    client_for, duty, objects, child, whole_record, at_least
):
    """Every page of the child a duty worker opens through emergency access – the first tier
    (safety plan, contacts) or with the whole record granted – files its events as break-glass,
    so the manager's next-morning review lists all of them."""
    from audit.models import AuditEvent, Route

    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Carer phoned at night",
        expires_at=child.created_at + _HOURS(24 * 365 * 10),
        whole_record_at=child.created_at if whole_record else None,
        whole_record_reason="Need to know who else works with her" if whole_record else "",
    )
    client = client_for(duty)
    shown, misfiled = 0, []
    for name, pattern in iter_patterns():
        if not pattern.pattern.regex.groupindex:
            continue
        before = (
            AuditEvent.objects.filter(actor=duty, child_id=child.pk)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        response = client.get(url_for(name, pattern, objects))
        if response.status_code != 200 or child.family_name not in _outside_the_banner(_body(response)):
            continue
        shown += 1
        routes = set(
            AuditEvent.objects.filter(actor=duty, child_id=child.pk, id__gt=before).values_list("route", flat=True)
        )
        if routes != {Route.BREAK_GLASS}:
            misfiled.append((name, sorted(routes)))
    assert misfiled == [], f"these pages filed a duty worker's emergency read otherwise (or not at all): {misfiled}"
    assert shown >= at_least


def _HOURS(hours: int):
    import datetime

    return datetime.timedelta(hours=hours)


#: What the first tier of emergency access reaches (ADR 014): the safety plan, the contacts,
#: recording (and correcting) the out-of-hours contact.
FIRST_TIER_PAGES = {"safety:plan", "contacts:child", "contacts:create", "contacts:edit"}
#: Object URLs that are not pages of a child (the service's catalogue and directory, accounts,
#: imports, emergency accesses themselves): the walk checks they show nothing of the child.
NOT_CHILD_PAGES = {
    "option_pk", "entry_pk", "job_pk", "user_pk", "request_pk", "access_pk", "uidb64", "code", "line_pk",
    "shift_pk", "round_pk", "action_pk",
}  # fmt: skip


def _outside_the_banner(body: str) -> str:
    """The page without the emergency-access banner (which names the worker's own accesses)."""
    import re

    return re.sub(r"<!-- emergency-access-banner -->.*?<!-- /emergency-access-banner -->", "", body, flags=re.S)


@pytest.mark.django_db
def test_first_tier_emergency_access_reaches_only_the_safety_plan_and_contacts(client_for, duty, objects, child):
    """Least privilege, enforced by the scope: a duty worker who has started emergency access
    (and not asked for the whole record) gets 404 on every other page of that child, GET and
    POST – the same answer as a stranger – and the pages of the first tier open."""
    import datetime

    from django.utils import timezone

    from contacts.models import Contact

    BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Carer phoned, young person missing",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    # The out-of-hours contact is the one the first tier may correct (any other kind is a 403).
    objects = {
        **objects,
        "contact_pk": Contact.objects.create(
            child=child,
            practitioner=duty,
            recorded_by=duty,
            kind="out_of_hours",
            location="phone",
            starts_at=timezone.now() - datetime.timedelta(minutes=20),
            idempotency_key="walk-out-of-hours",
        ).pk,
    }
    client = client_for(duty)
    opened, refused = set(), set()
    for name, pattern in iter_patterns():
        args = set(pattern.pattern.regex.groupindex)
        if not args:
            continue
        url = url_for(name, pattern, objects)
        response = client.get(url)
        if name in FIRST_TIER_PAGES:
            assert response.status_code == 200, f"{name} gave {response.status_code}"
            assert child.family_name in _body(response), name
            opened.add(name)
        elif args & NOT_CHILD_PAGES:
            assert child.family_name not in _outside_the_banner(_body(response)), name
        else:
            assert response.status_code in (404, 405), f"GET {name} gave {response.status_code} on the first tier"
            assert child.family_name not in _outside_the_banner(_body(response)), name
            assert client.post(url).status_code == 404, f"POST {name} on the first tier"
            refused.add(name)
    assert opened == FIRST_TIER_PAGES
    assert {"people:detail", "assessments:assessment", "plans:plan", "consent:list", "episodes:timeline"} <= refused
    assert len(refused) >= 30


# --- Young people and carers: their own space and nothing else (issue 14) ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["young_person", "carer"])
def test_a_young_person_or_carer_opens_no_staff_page(client_for, objects, child, alice, role):
    """Every pattern outside the space (``myspace.middleware.ALLOWED`` aside) answers 404 to a
    signed-in young person or carer, GET and POST, with or without an object in the address –
    lists and searches included; the home page sends them to their space."""
    from accounts.tests.factories import UserFactory
    from myspace.middleware import ALLOWED
    from myspace.models import SpaceAccount

    user = UserFactory(username=f"walk-{role}", organisation=None, role=role)
    person = child.related_people.get() if role == "carer" else None
    SpaceAccount.objects.create(user=user, child=child, related_person=person, created_by=alice)
    client = client_for(user)
    opened = []
    for name, pattern in iter_patterns():
        if name.startswith("myspace:") or name in ALLOWED or name in PUBLIC:
            continue
        url = url_for(name, pattern, objects)
        if name == "core:home":
            assert client.get(url)["Location"] == reverse("myspace:home")
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 404:
                opened.append(f"{method.upper()} {name} {response.status_code}")
    assert opened == []
    for name in ALLOWED:
        reverse(name)  # every allowed name is a real page


@pytest.mark.django_db
def test_public_pages_stay_public_for_a_signed_in_young_person(client_for, child, alice):
    """A public page (the referral form) is not a staff page: a young person may refer too."""
    from accounts.tests.factories import UserFactory
    from myspace.models import SpaceAccount

    user = UserFactory(username="walk-public", organisation=None, role="young_person")
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    assert client_for(user).get(reverse("public_referral")).status_code == 200


#: The carer's own pages (myspace/views_carer.py): what the young person shares with a carer.
CARER_PAGES = {"myspace:carer_goals", "myspace:carer_feedback"}
#: The rest of the space a carer opens: their home (what is shared with them) and Help now.
#: (Exit this page signs them out and the invitation page needs a link: not walked here.)
CARER_ALSO_OPENS = {"myspace:home", "myspace:help", "myspace:emails"}
#: Buttons a carer may press in their space (POST only): turning their emails off.
CARER_ALSO_POSTS = {"myspace:emails_off"}


@pytest.mark.django_db
def test_the_carers_pages_open_for_the_carer_alone_and_the_young_persons_never_for_them(
    client_for, objects, child, alice, manager, charlie
):
    """Every page of the space, walked as the carer (named by a consent for support at home that
    shares the plan, on the open placement): the carer's pages open, the young person's own –
    plan, goals, nest, sessions, check-ins, the alert, before my review, consents, the log – are
    404, GET and POST. The carer's pages are 404 to the young person and to staff."""
    import datetime

    from accounts.tests.factories import UserFactory
    from consent.models import ConsentDecision
    from myspace.models import SpaceAccount

    person = child.related_people.get()
    child.placements.get().carers.add(person)
    carer = UserFactory(username="walk-carer", organisation=None, role="carer")
    SpaceAccount.objects.create(user=carer, child=child, related_person=person, created_by=alice)
    ConsentDecision.objects.create(
        child=child, items=["plan"], recipient_person=person, purposes=["support_at_home"], decider="young_person",
        young_person_views="Yes", how_given="in_person", given_on=datetime.date(2026, 1, 5),
        lawful_basis="health_social_care", recorded_by=alice,
    )  # fmt: skip
    young = UserFactory(username="walk-young", organisation=None, role="young_person")
    SpaceAccount.objects.create(user=young, child=child, created_by=alice)
    as_carer = client_for(carer)
    opened, wrongly = set(), []
    for name, pattern in iter_patterns():
        if not name.startswith("myspace:") or name in ("myspace:exit", "myspace:accept"):
            continue
        url = url_for(name, pattern, objects)
        response = as_carer.get(url)
        if name in CARER_PAGES or name in CARER_ALSO_OPENS:
            assert response.status_code == 200, f"{name} gave the carer {response.status_code}"
            opened.add(name)
            continue
        if name in CARER_ALSO_POSTS:
            assert response.status_code == 405 and as_carer.post(url).status_code == 302, name
            opened.add(name)
            continue
        for method in ("get", "post"):
            status = getattr(as_carer, method)(url).status_code
            # A POST-only page (the alert's button) answers GET with 405 before reading anything.
            if status not in ((404, 405) if method == "get" else (404,)):
                wrongly.append(f"{method.upper()} {name} {status}")
    assert wrongly == [], f"the young person's own pages opened for their carer: {wrongly}"
    assert opened == CARER_PAGES | CARER_ALSO_OPENS | CARER_ALSO_POSTS
    for user in (young, alice, manager, charlie):
        client = client_for(user)
        for name in CARER_PAGES:
            for method in ("get", "post"):
                status = getattr(client, method)(reverse(name)).status_code
                assert status == 404, f"{method.upper()} {name} gave {user.username} {status}"


# --- Reports (issue 15): commissioners reach their area's figures, and nothing identifiable ------------

#: Pages a commissioner opens (200): the reports of the area their organisation covers.
COMMISSIONER_PAGES = {"reporting:area"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["commissioner", "health_board_commissioner"])
def test_commissioners_reach_their_reports_and_no_other_page_of_figures(client_for, request, persona, objects, child):
    """The commissioner's reports open, name no child and link to no record; the reports of the
    service and of a caseload, like every object URL, are 404 for them. A health board's
    commissioner, whose area is their region's, the same."""
    from reporting.access import covered_region

    commissioner = request.getfixturevalue(persona)
    child.service.region = covered_region(commissioner.organisation)
    assert child.service.region is not None
    child.service.save()
    client = client_for(commissioner)
    opened = set()
    for name, pattern in iter_patterns():
        if not name.startswith("reporting:"):
            continue
        response = client.get(url_for(name, pattern, objects))
        if response.status_code == 200:
            opened.add(name)
            body = _body(response)
            assert child.family_name not in body and child.given_name not in body, name
            assert "/children/" not in body, name
    assert opened == COMMISSIONER_PAGES
    assert client.get(reverse("reporting:index"))["Location"] == reverse("reporting:area")
