"""Property tests (Hypothesis): in random worlds of organisations, users, care teams, emergency
accesses, consents (some withdrawn or not yet given), safeguarding shares (some unapproved or
expired) and restrictions, nobody reads a section of a child's assessment that no care-team
membership, management of the holding service, emergency access, consent or approved
safeguarding share allows – through any route.

The expected answer comes from an ORACLE written here from the rules in the issue and the
docstring of ``assessments.access``, over the plain description of the world (never by calling
the code under test):

* care team (active membership), a service manager of the holding service, and active
  emergency access read every section; staff on the care team or managing the service write;
* an in-force consent (given on or before today, not withdrawn) whose recipient is the user's
  organisation, its type or their profession (users without an organisation are nobody's
  recipient), for joint assessment or transition, reads the sections it covers; joint
  assessment also writes them; court and research consents open nothing in Nyth;
* an approved safeguarding share to the user's organisation, until its last day, reads what it covers;
* a restricted section is read only by the people named who could otherwise read it; others who
  could are told it is withheld; nobody else learns of it;
* commissioners, administrators, people without a role and deactivated accounts: nothing.

Checked against ``section_access`` (which every page, share and export asks),
``AssessmentShare.objects.visible_to`` (the share route) and the pages themselves (the rendered
HTML must never carry the words of a forbidden section). A hand-made world where every rule
matters (``EVERY_RULE``) is always tried first, so breaking any one rule fails at once; the
random worlds then look for the interactions nobody thought of.

Each example builds its world inside a transaction that is rolled back, so examples never see
each other's rows.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accounts.models import OrganisationType, Profession, Role, User
from accounts.tests.factories import OrganisationFactory
from assessments.access import section_access
from assessments.models import Assessment, AssessmentShare, SectionRestriction, SectionVersion
from assessments.sections import SECTION_KEYS
from consent.models import ConsentDecision, Purpose, SafeguardingShare
from people.models import BreakGlassAccess, CareTeamMembership, Child
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

ORG_TYPES = [
    OrganisationType.SERVICE,
    OrganisationType.HEALTH_BOARD,
    OrganisationType.EDUCATION,
    OrganisationType.LOCAL_AUTHORITY,
    OrganisationType.COURT,
]
ROLES = [
    Role.PRACTITIONER,
    Role.SERVICE_MANAGER,
    Role.DUTY_WORKER,
    Role.PARTNER,
    Role.COMMISSIONER,
    Role.ADMINISTRATOR,
    "",
]
# Drawn with the roles that can reach something more often than those that never can.
ROLE_DRAW = [*ROLES, Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.PARTNER, Role.PARTNER]
PROFESSIONS = [
    "",
    Profession.CAMHS_CLINICIAN,
    Profession.EDUCATIONAL_PSYCHOLOGIST,
    Profession.TEACHER,
    Profession.SOCIAL_WORKER,
]
PURPOSES = list(Purpose.values)
# Consents, shares and restrictions name sections from a small pool so that they overlap often
# (every one of the 13 sections is still checked for every user and child).
POOL = ("my_story", "adversity", "health", "education", "risks")

# --- What the oracle knows: plain rules, written again here ---------------------------------------

NEVER = {Role.COMMISSIONER, Role.ADMINISTRATOR, ""}
STAFF = {Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER}
WORKING = {Purpose.JOINT_ASSESSMENT, Purpose.TRANSITION}


@dataclass
class World:
    """The plain description Hypothesis draws; ``build`` turns it into rows."""

    org_types: list[str]
    users: list[dict[str, Any]]
    children: list[int]  # index of the holding service (an organisation of type service)
    memberships: list[tuple[int, int, bool]]  # user, child, ended
    # user, child, "active" (with the second grant, the whole record) | "first_tier" (safety plan
    # and contacts only: no assessment section, ADR 014) | "expired" | "ended"
    break_glass: list[tuple[int, int, str]]
    consents: list[dict[str, Any]]
    safeguarding: list[dict[str, Any]]
    restrictions: list[dict[str, Any]]
    shares: list[dict[str, Any]] = field(default_factory=list)


@st.composite
def worlds(draw) -> World:
    n_orgs = draw(st.integers(2, 4))
    org_types = [OrganisationType.SERVICE] + [draw(st.sampled_from(ORG_TYPES)) for _ in range(n_orgs - 1)]
    services = [i for i, kind in enumerate(org_types) if kind == OrganisationType.SERVICE]
    org = st.integers(0, n_orgs - 1)
    n_users = draw(st.integers(2, 7))
    users = [
        {
            "org": draw(st.one_of(org, org, org, st.none())),  # now and then nobody's organisation
            "role": draw(st.sampled_from(ROLE_DRAW)),
            "profession": draw(st.sampled_from(PROFESSIONS)),
            "active": draw(st.sampled_from([True, True, True, True, False])),
        }
        for _ in range(n_users)
    ]
    n_children = draw(st.integers(1, 3))
    children = [draw(st.sampled_from(services)) for _ in range(n_children)]
    user, child = st.integers(0, n_users - 1), st.integers(0, n_children - 1)
    # Recipients are usually someone's organisation, its type or their profession (so consents
    # and shares often reach a user), sometimes anything at all.
    their_orgs = sorted({u["org"] for u in users if u["org"] is not None}) or [0]
    recipient_org = st.one_of(st.sampled_from(their_orgs), st.sampled_from(their_orgs), org)
    recipient_type = st.one_of(st.sampled_from([org_types[i] for i in their_orgs]), st.sampled_from(ORG_TYPES))
    their_professions = sorted({u["profession"] for u in users if u["profession"]}) or PROFESSIONS[1:]
    recipient_profession = st.one_of(st.sampled_from(their_professions), st.sampled_from(PROFESSIONS[1:]))
    purposes = st.sets(st.sampled_from(PURPOSES), min_size=1, max_size=2)
    memberships = draw(st.lists(st.tuples(user, child, st.booleans()), max_size=4))
    break_glass = draw(
        st.lists(st.tuples(user, child, st.sampled_from(["active", "first_tier", "expired", "ended"])), max_size=3)
    )
    consents = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "child": child,
                    "kind": st.sampled_from(["organisation", "organisation_type", "profession"]),
                    "org": recipient_org,
                    "org_type": recipient_type,
                    "profession": recipient_profession,
                    "whole": st.booleans(),
                    "sections": st.sets(st.sampled_from(POOL), max_size=3),
                    "purposes": purposes,
                    "state": st.sampled_from(["in_force", "withdrawn", "future"]),
                }
            ),
            min_size=1,
            max_size=6,
        )
    )
    safeguarding = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "child": child,
                    "org": recipient_org,
                    "status": st.sampled_from(["requested", "approved", "approved", "declined"]),
                    "expired": st.booleans(),
                    "whole": st.booleans(),
                    "sections": st.sets(st.sampled_from(POOL), max_size=3),
                }
            ),
            max_size=4,
        )
    )
    restrictions = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "child": child,
                    "section": st.sampled_from(POOL),
                    "named": st.sets(user, max_size=3),
                    "lifted": st.booleans(),
                }
            ),
            max_size=4,
        )
    )
    # Shares of the assessment, each made under one of the child's consents, one of its
    # safeguarding shares, or (a damaged row) neither.
    shares = []
    for _ in range(draw(st.integers(0, 3))):
        c = draw(child)
        basis = draw(st.sampled_from(["consent", "safeguarding", "none"]))
        pool = {"consent": consents, "safeguarding": safeguarding, "none": []}[basis]
        mine = [i for i, item in enumerate(pool) if item["child"] == c]
        picked = draw(st.sampled_from(mine)) if mine else None
        share_org = recipient_org
        if picked is not None and (basis == "safeguarding" or pool[picked]["kind"] == "organisation"):
            # Normally made to the organisation its consent or safeguarding share names.
            share_org = st.one_of(st.just(pool[picked]["org"]), recipient_org)
        shares.append(
            {
                "child": c,
                "org": draw(share_org),
                "consent": picked if basis == "consent" else None,
                "safeguarding": picked if basis == "safeguarding" else None,
            }
        )
    return World(org_types, users, children, memberships, break_glass, consents, safeguarding, restrictions, shares)


# --- The oracle -----------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def eligible(world: World, u: int) -> bool:
    user = world.users[u]
    return user["active"] and user["role"] not in NEVER


def whole_record_routes(world: World, u: int, c: int) -> set[str]:
    """Care team (active membership), manager of the holding service, active emergency access."""
    if not eligible(world, u):
        return set()
    user = world.users[u]
    routes = set()
    if any(mu == u and mc == c and not ended for mu, mc, ended in world.memberships):
        routes.add("care_team")
    if user["role"] == Role.SERVICE_MANAGER and user["org"] is not None and user["org"] == world.children[c]:
        routes.add("service_manager")
    if any(bu == u and bc == c and state == "active" for bu, bc, state in world.break_glass):
        routes.add("break_glass")
    return routes


def consent_in_force(consent: dict) -> bool:
    return consent["state"] == "in_force"


def consent_reaches(world: World, consent: dict, u: int) -> bool:
    """The consent's recipient is the user: their organisation, its type, or their profession
    (a user with no organisation is nobody's recipient)."""
    user = world.users[u]
    if user["org"] is None:
        return False
    if consent["kind"] == "organisation":
        return consent["org"] == user["org"]
    if consent["kind"] == "organisation_type":
        return consent["org_type"] == world.org_types[user["org"]]
    return bool(user["profession"]) and consent["profession"] == user["profession"]


def covers(item: dict, key: str) -> bool:
    return item["whole"] or key in item["sections"]


def safeguarding_in_force(share: dict) -> bool:
    return share["status"] == "approved" and not share["expired"]


def working_consents(world: World, u: int, c: int) -> list[dict]:
    return [
        consent
        for consent in world.consents
        if consent["child"] == c
        and consent_in_force(consent)
        and consent_reaches(world, consent, u)
        and set(consent["purposes"]) & WORKING
    ]


def active_restrictions(world: World, c: int) -> dict[str, set[int]]:
    """section → users named; only the first unlifted restriction of a section counts (as built)."""
    found: dict[str, set[int]] = {}
    for restriction in world.restrictions:
        if restriction["child"] == c and not restriction["lifted"]:
            found.setdefault(restriction["section"], set(restriction["named"]))
    return found


@dataclass
class Expected:
    read: set[str]
    write: set[str]
    restricted: set[str]
    #: Which kinds of route opened something (to report what the examples exercised).
    sources: set[str] = field(default_factory=set)


def oracle(world: World, u: int, c: int) -> Expected:
    if not eligible(world, u):
        return Expected(set(), set(), set())
    user = world.users[u]
    routes = whole_record_routes(world, u, c)
    consents = working_consents(world, u, c)
    safeguarding = [
        share
        for share in world.safeguarding
        if share["child"] == c
        and safeguarding_in_force(share)
        and user["org"] is not None
        and share["org"] == user["org"]
    ]
    would_read, would_write = set(), set()
    for key in SECTION_KEYS:
        if routes or any(covers(x, key) for x in consents) or any(covers(x, key) for x in safeguarding):
            would_read.add(key)
        # Only staff on the care team or managing the service write; emergency access never;
        # a partner writes only what a joint-assessment consent covers.
        if (user["role"] in STAFF and routes & {"care_team", "service_manager"}) or any(
            covers(x, key) and Purpose.JOINT_ASSESSMENT in x["purposes"] for x in consents
        ):
            would_write.add(key)
    read, restricted = set(would_read), set()
    for key, named in active_restrictions(world, c).items():
        if key in would_read and u not in named:
            read.discard(key)
            restricted.add(key)  # told "withheld" only about a section they would otherwise read
    sources = set(routes)
    sources |= {"consent"} if any(covers(x, key) for x in consents for key in SECTION_KEYS) else set()
    sources |= {"safeguarding"} if any(covers(x, key) for x in safeguarding for key in SECTION_KEYS) else set()
    return Expected(read=read, write=would_write & read, restricted=restricted, sources=sources)


def share_visible(world: World, u: int, share: dict, consent: dict | None, safeguarding: dict | None) -> bool:
    """A share is seen by the sharer's side (the child's whole record) or by its recipient
    organisation while the consent or safeguarding share it was made under is in force."""
    if not eligible(world, u):
        return False
    if whole_record_routes(world, u, share["child"]):
        return True
    if world.users[u]["org"] != share["org"]:
        return False
    return (consent is not None and consent_in_force(consent)) or (
        safeguarding is not None and safeguarding_in_force(safeguarding)
    )


# --- Building the world as rows -------------------------------------------------------------------

_markers = itertools.count()


@dataclass
class Built:
    users: list[User]
    children: list[Child]
    shares: list[tuple[AssessmentShare, dict, dict | None, dict | None]]
    #: (child index, section) → the distinctive words written in it.
    texts: dict[tuple[int, str], str]


def build(world: World, *, write_sections: bool = False) -> Built:
    now = timezone.now()
    orgs = [OrganisationFactory(type=kind) for kind in world.org_types]
    users = [
        User.objects.create(
            username=f"prop-{next(_markers)}",
            organisation=orgs[spec["org"]] if spec["org"] is not None else None,
            role=spec["role"],
            profession=spec["profession"],
            is_active=spec["active"],
        )
        for spec in world.users
    ]
    recorder = users[0]
    children = [ChildFactory(service=orgs[service]) for service in world.children]
    for u, c, ended in world.memberships:
        already = CareTeamMembership.objects.filter(child=children[c], user=users[u], ended_at__isnull=True).exists()
        if ended or not already:  # one active membership each (a database constraint)
            CareTeamMembership.objects.create(
                child=children[c], user=users[u], role="practitioner", ended_at=now if ended else None
            )
    for u, c, state in world.break_glass:
        BreakGlassAccess.objects.create(
            user=users[u],
            child=children[c],
            reason="Night-time crisis call",
            expires_at=now + datetime.timedelta(hours=-1 if state == "expired" else 2),
            # The second grant (ADR 014): the first tier alone reaches no assessment section.
            whole_record_at=None if state == "first_tier" else now,
            ended_at=now if state == "ended" else None,
        )
    consent_rows = []
    for spec in world.consents:
        recipient = {
            "organisation": {"recipient_organisation": orgs[spec["org"]]},
            "organisation_type": {"recipient_organisation_type": spec["org_type"]},
            "profession": {"recipient_profession": spec["profession"]},
        }[spec["kind"]]
        consent_rows.append(
            ConsentDecision.objects.create(
                child=children[spec["child"]],
                items=["assessment"] if spec["whole"] else ["plan"],
                sections=sorted(spec["sections"]),
                purposes=sorted(spec["purposes"]),
                decider="young_person",
                young_person_views="Ask me first.",
                how_given="in_person",
                given_on=today() + datetime.timedelta(days=5 if spec["state"] == "future" else -3),
                lawful_basis="health_social_care",
                recorded_by=recorder,
                withdrawn_at=now if spec["state"] == "withdrawn" else None,
                **recipient,
            )
        )
    safeguarding_rows = [
        SafeguardingShare.objects.create(
            child=children[spec["child"]],
            recipient_organisation=orgs[spec["org"]],
            items=["assessment"] if spec["whole"] else [],
            sections=sorted(spec["sections"]),
            reason="Risk of significant harm",
            expires_on=today() + datetime.timedelta(days=-1 if spec["expired"] else 0),  # the last day still counts
            requested_by=recorder,
            status=spec["status"],
        )
        for spec in world.safeguarding
    ]
    assessments = [Assessment.objects.create(child=kid) for kid in children]
    seen_sections: set[tuple[int, str]] = set()
    for spec in world.restrictions:
        lifted = spec["lifted"]
        if not lifted and (spec["child"], spec["section"]) in seen_sections:
            continue  # one active restriction per section (a database constraint)
        if not lifted:
            seen_sections.add((spec["child"], spec["section"]))
        restriction = SectionRestriction.objects.create(
            assessment=assessments[spec["child"]],
            section=spec["section"],
            reason="Disclosure",
            set_by=recorder,
            lifted_at=now if lifted else None,
        )
        restriction.allowed_users.set([users[u] for u in spec["named"]])
    texts: dict[tuple[int, str], str] = {}
    if write_sections:
        for c, the_assessment in enumerate(assessments):
            for revision, key in enumerate(SECTION_KEYS, start=1):
                text = f"Secretword{next(_markers)}x{key.replace('_', '')}"
                texts[(c, key)] = text
                SectionVersion.objects.create(
                    assessment=the_assessment, section=key, number=1, revision=revision, text=text, author=recorder
                )
            the_assessment.revision = len(SECTION_KEYS)
            the_assessment.save()
    shares = []
    for n, spec in enumerate(world.shares):
        consent, safeguarding = spec["consent"], spec["safeguarding"]
        row = AssessmentShare.objects.create(
            reference=f"S-PROP-{next(_markers)}-{n}",
            child=children[spec["child"]],
            recipient_organisation=orgs[spec["org"]],
            purpose="joint_assessment",
            consent=consent_rows[consent] if consent is not None else None,
            safeguarding=safeguarding_rows[safeguarding] if safeguarding is not None else None,
            shared_by=recorder,
        )
        shares.append(
            (
                row,
                spec,
                world.consents[consent] if consent is not None else None,
                world.safeguarding[safeguarding] if safeguarding is not None else None,
            )
        )
    return Built(users=users, children=children, shares=shares, texts=texts)


def describe(world: World, u: int, c: int) -> str:
    user = world.users[u]
    return f"user {u} ({user}) child {c}"


# --- One world where every rule matters at once (always tried first, before the random ones) --------

SVC, HB, EDU = 0, 1, 2
EVERY_RULE = World(
    org_types=[OrganisationType.SERVICE, OrganisationType.HEALTH_BOARD, OrganisationType.EDUCATION],
    users=[
        {"org": SVC, "role": Role.PRACTITIONER, "profession": "", "active": True},  # 0 care team
        {"org": HB, "role": Role.PARTNER, "profession": Profession.CAMHS_CLINICIAN, "active": True},  # 1 CAMHS
        {"org": EDU, "role": Role.PARTNER, "profession": Profession.TEACHER, "active": True},  # 2 teacher
        {"org": SVC, "role": Role.DUTY_WORKER, "profession": "", "active": True},  # 3 emergency access
        {
            "org": None,
            "role": Role.PARTNER,
            "profession": Profession.CAMHS_CLINICIAN,
            "active": True,
        },  # 4 no organisation
        {"org": SVC, "role": Role.SERVICE_MANAGER, "profession": "", "active": True},  # 5 manager
        {"org": HB, "role": Role.COMMISSIONER, "profession": "", "active": True},  # 6 never
        {"org": SVC, "role": Role.PRACTITIONER, "profession": "", "active": False},  # 7 left the service
        {
            "org": SVC,
            "role": Role.DUTY_WORKER,
            "profession": "",
            "active": True,
        },  # 8 emergency access expired, ended, first tier only
    ],
    children=[SVC],
    memberships=[(0, 0, False), (6, 0, False), (7, 0, False), (2, 0, True)],
    break_glass=[(3, 0, "active"), (8, 0, "expired"), (8, 0, "ended"), (8, 0, "first_tier")],
    consents=[
        # 0: court only – never opens anything in Nyth
        {
            "child": 0,
            "kind": "organisation",
            "org": HB,
            "org_type": "",
            "profession": "",
            "whole": True,
            "sections": set(),
            "purposes": {Purpose.COURT},
            "state": "in_force",
        },
        # 1: joint assessment with any CAMHS clinician (who has an organisation), health only
        {
            "child": 0,
            "kind": "profession",
            "org": 0,
            "org_type": "",
            "profession": Profession.CAMHS_CLINICIAN,
            "whole": False,
            "sections": {"health"},
            "purposes": {Purpose.JOINT_ASSESSMENT},
            "state": "in_force",
        },
        # 2: transition to schools (type): the young person's story, read only
        {
            "child": 0,
            "kind": "organisation_type",
            "org": 0,
            "org_type": OrganisationType.EDUCATION,
            "profession": "",
            "whole": False,
            "sections": {"my_story"},
            "purposes": {Purpose.TRANSITION},
            "state": "in_force",
        },
        # 3: not given yet; 4: withdrawn
        {
            "child": 0,
            "kind": "organisation",
            "org": EDU,
            "org_type": "",
            "profession": "",
            "whole": False,
            "sections": {"education"},
            "purposes": {Purpose.JOINT_ASSESSMENT},
            "state": "future",
        },
        {
            "child": 0,
            "kind": "profession",
            "org": 0,
            "org_type": "",
            "profession": Profession.TEACHER,
            "whole": True,
            "sections": set(),
            "purposes": {Purpose.JOINT_ASSESSMENT},
            "state": "withdrawn",
        },
    ],
    safeguarding=[
        {"child": 0, "org": EDU, "status": "approved", "expired": True, "whole": False, "sections": {"risks"}},
        {"child": 0, "org": HB, "status": "requested", "expired": False, "whole": False, "sections": {"adversity"}},
        {"child": 0, "org": HB, "status": "declined", "expired": False, "whole": False, "sections": {"education"}},
        {"child": 0, "org": HB, "status": "approved", "expired": False, "whole": False, "sections": {"risks"}},
    ],
    restrictions=[
        {"child": 0, "section": "risks", "named": {1}, "lifted": False},  # CAMHS only, not the care team
        {"child": 0, "section": "health", "named": set(), "lifted": True},  # lifted: no longer counts
    ],
    shares=[
        {"child": 0, "org": HB, "consent": 0, "safeguarding": None},
        {"child": 0, "org": EDU, "consent": 4, "safeguarding": None},
        {"child": 0, "org": EDU, "consent": 3, "safeguarding": None},
        {"child": 0, "org": EDU, "consent": None, "safeguarding": 0},
        {"child": 0, "org": HB, "consent": None, "safeguarding": 1},
        {"child": 0, "org": HB, "consent": None, "safeguarding": 3},
        {"child": 0, "org": HB, "consent": None, "safeguarding": None},
    ],
)


def test_the_hand_made_world_means_what_it_says():
    """The oracle on the hand-made world, spelt out: if the oracle drifted, this says so."""
    everything = set(SECTION_KEYS)
    assert oracle(EVERY_RULE, 0, 0).read == everything - {"risks"}
    assert oracle(EVERY_RULE, 1, 0) == Expected(
        read={"health", "risks"}, write={"health"}, restricted=set(), sources={"consent", "safeguarding"}
    )
    assert oracle(EVERY_RULE, 2, 0).read == {"my_story"} and oracle(EVERY_RULE, 2, 0).write == set()
    assert oracle(EVERY_RULE, 3, 0).write == set() and oracle(EVERY_RULE, 3, 0).restricted == {"risks"}
    for nobody in (4, 6, 7, 8):
        assert oracle(EVERY_RULE, nobody, 0).read == set()
    assert oracle(EVERY_RULE, 5, 0).write == everything - {"risks"}


# --- The properties -------------------------------------------------------------------------------


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(world=worlds())
@example(world=EVERY_RULE)
def test_section_access_matches_the_rules_for_every_user_child_and_section(world):
    with transaction.atomic():
        built = build(world)
        for (u, user), (c, kid) in itertools.product(enumerate(built.users), enumerate(built.children)):
            expected = oracle(world, u, c)
            access = section_access(user, kid)
            where = describe(world, u, c)
            assert set(access.readable) == expected.read, where
            for key in SECTION_KEYS:
                assert access.can_read(key) == (key in expected.read), (where, key)
            assert access.writable <= set(access.readable), where  # never write what you cannot read
            assert access.writable == expected.write, where
            assert access.restricted == expected.restricted, where
            assert access.whole_record == bool(whole_record_routes(world, u, c)), where
            # What the example exercised (see --hypothesis-show-statistics): the test is only as
            # good as the worlds it meets.
            for route in sorted(expected.sources):
                event(f"someone reads through {route}")
            if access.restricted:
                event("a restriction hides a section")
            if access.writable and not access.whole_record:
                event("a partner writes through consent")
        transaction.set_rollback(True)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(world=worlds())
@example(world=EVERY_RULE)
def test_shares_are_seen_only_by_the_sharer_side_or_a_recipient_still_entitled(world):
    with transaction.atomic():
        built = build(world)
        for u, user in enumerate(built.users):
            visible = set(AssessmentShare.objects.visible_to(user).values_list("pk", flat=True))
            for row, spec, consent, safeguarding in built.shares:
                if row.pk in visible and not whole_record_routes(world, u, spec["child"]):
                    event("a recipient sees a share")
                assert (row.pk in visible) == share_visible(world, u, spec, consent, safeguarding), (
                    describe(world, u, spec["child"]),
                    spec,
                    consent,
                    safeguarding,
                )
        transaction.set_rollback(True)


def shown_words(page: str, texts: dict[tuple[int, str], str]) -> set[tuple[int, str]]:
    return {where for where, text in texts.items() if text in page}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(world=worlds())
@example(world=EVERY_RULE)
def test_the_assessment_pages_never_carry_the_words_of_a_forbidden_section(client_for, world):
    """Through the routes themselves: every section is written with distinctive words, and each
    rendered page (whatever its status) holds only the words of sections the rules allow – the
    assessment page exactly those, the comparison of all versions exactly those, and the history
    and edit pages of the sections that consents and restrictions name nothing else."""
    with transaction.atomic():
        built = build(world, write_sections=True)
        for (u, user), (c, kid) in itertools.product(enumerate(built.users), enumerate(built.children)):
            expected = oracle(world, u, c)
            allowed = {(c, key) for key in expected.read}
            where = describe(world, u, c)
            client = client_for(user)

            response = client.get(reverse("assessments:assessment", args=[kid.pk]))
            assert shown_words(response.content.decode(), built.texts) == allowed, (
                where,
                "assessment",
                response.status_code,
            )
            if eligible(world, u):  # (the others are turned away before any page: sign-in, 404)
                assert response.status_code == (200 if expected.read or expected.restricted else 404), where

            response = client.get(reverse("assessments:compare", args=[kid.pk]), {"from": 0, "to": len(SECTION_KEYS)})
            assert shown_words(response.content.decode(), built.texts) == allowed, (
                where,
                "compare",
                response.status_code,
            )

            if c == 0:  # one child is enough for the pages of single sections (they cost a request each)
                for key in POOL:
                    for name in ("section_history", "section_edit"):
                        response = client.get(reverse(f"assessments:{name}", args=[kid.pk, key]))
                        shown = shown_words(response.content.decode(), built.texts)
                        assert shown <= allowed & {(c, key)}, (where, name, key, response.status_code)
                        if name == "section_history":
                            assert bool(shown) == ((c, key) in allowed), (where, name, key)
        transaction.set_rollback(True)
