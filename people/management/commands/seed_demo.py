"""Create the synthetic demo data set (idempotent: running it again adds nothing twice)."""

from __future__ import annotations

import random
import sys
import time
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from accounts import reference
from accounts.models import Organisation, OrganisationType, Profession, Role, Team, User
from audit.models import Action, Route
from audit.services import record
from people.demo import make_child
from people.identity import fill_identity_keys
from people.models import CareTeamMembership, Child, Placement, RelatedPerson

DEMO_PASSWORD = "nyth-demo-2026"  # noqa: S105 - synthetic demo accounts only, printed for newcomers
# A fixed TOTP key for the one demo account that shows the two-factor step (base32 JBSWY3DPEHPK3PXP).
DEMO_TOTP_HEX = "48656c6c6f21deadbeef"
DEMO_TOTP_BASE32 = "JBSWY3DPEHPK3PXP"
CHUNK = 2000
# Synthetic postcodes: real Welsh outward codes with made-up inward parts (no real address).
DEMO_OUTWARD_CODES = [
    "CF10",
    "CF11",
    "CF14",
    "CF24",
    "CF5",
    "CF62",
    "CF31",
    "CF37",
    "CF44",
    "NP20",
    "NP19",
    "NP44",
    "SA1",
    "SA2",
    "SA11",
    "SA31",
    "SA61",
    "SY23",
    "LD1",
    "LL11",
    "LL13",
    "LL55",
    "LL57",
    "LL30",
    "LL65",
]

SERVICES = [
    (
        "NYTH-SE",
        "Nyth Therapeutic Support Service – South East Wales",
        "Gwasanaeth Cymorth Therapiwtig Nyth – De-ddwyrain Cymru",
        "RPB-CV",
    ),
    (
        "NYTH-NW",
        "Nyth Therapeutic Support Service – North Wales",
        "Gwasanaeth Cymorth Therapiwtig Nyth – Gogledd Cymru",
        "RPB-NW",
    ),
]
PARTNERS = [
    (
        "EDU-DEMO-1",
        "Ysgol Gyfun Enghraifft (demo school)",
        "Ysgol Gyfun Enghraifft (ysgol demo)",
        OrganisationType.EDUCATION,
        "RPB-CV",
    ),
    (
        "YJS-DEMO-1",
        "Cardiff Youth Justice Service (demo)",
        "Gwasanaeth Cyfiawnder Ieuenctid Caerdydd (demo)",
        OrganisationType.YOUTH_JUSTICE,
        "RPB-CV",
    ),
    (
        "3S-DEMO-1",
        "Cwtch Young People's Charity (demo)",
        "Elusen Pobl Ifanc Cwtch (demo)",
        OrganisationType.THIRD_SECTOR,
        "RPB-CV",
    ),
]
# username, first, last, role, organisation code, language, note
DEMO_USERS = [
    ("practitioner", "Ffion", "Hughes", Role.PRACTITIONER, "NYTH-SE", "en", "practitioner with a caseload"),
    (
        "ymarferydd",
        "Gethin",
        "ap Iolo",
        Role.PRACTITIONER,
        "NYTH-SE",
        "cy",
        "Welsh-speaking practitioner (pages in Welsh)",
    ),
    (
        "manager",
        "Mererid",
        "Owen",
        Role.SERVICE_MANAGER,
        "NYTH-SE",
        "en",
        "service manager: every record in the service, reviews emergency access",
    ),
    ("duty", "Dafydd", "Price", Role.DUTY_WORKER, "NYTH-SE", "en", "duty/on-call worker: emergency access"),
    (
        "oncall",
        "Bethan",
        "Rees",
        Role.DUTY_WORKER,
        "NYTH-SE",
        "en",
        "on-call worker: opens safety plans out of hours through emergency access",
    ),
    (
        "camhs",
        "Siân",
        "Rowlands",
        Role.PARTNER,
        "7A4",
        "en",
        "partner professional (CAMHS): sees records only when shared",
    ),
    ("commissioner", "Alun", "Watkins", Role.COMMISSIONER, "RPB-CV", "en", "commissioner: aggregate figures only"),
    ("admin", "Rhian", "Bevan", Role.ADMINISTRATOR, "NYTH-SE", "en", "administrator: organisations and accounts"),
    (
        "north",
        "Llinos",
        "Pritchard",
        Role.PRACTITIONER,
        "NYTH-NW",
        "cy",
        "practitioner in another service (sees none of South East's records)",
    ),
    (
        "practitioner2fa",
        "Cerys",
        "Morgan",
        Role.PRACTITIONER,
        "NYTH-SE",
        "en",
        "practitioner with two-factor sign-in set up",
    ),
    # Partner professionals from other agencies: they reach a child's assessment only through
    # the young person's consent (seed_assessments records some) – never the whole record.
    (
        "clinigydd",
        "Elin",
        "Prys",
        Role.PARTNER,
        "7A4",
        "cy",
        "CAMHS clinician (Welsh): contributes to assessments shared with CAMHS",
    ),
    (
        "edpsych",
        "Owain",
        "Tudur",
        Role.PARTNER,
        "W06000014",
        "en",
        "educational psychologist (local authority): contributes where a consent names the role",
    ),
    (
        "teacher",
        "Catrin",
        "Jenkins",
        Role.PARTNER,
        "EDU-DEMO-1",
        "en",
        "teacher at the demo school: education and the young person's story",
    ),
    (
        "socialworker",
        "Rhys",
        "Mathias",
        Role.PARTNER,
        "W06000015",
        "en",
        "social worker (local authority children's services)",
    ),
]
#: The profession of each demo partner: a consent may name a role rather than an organisation.
DEMO_PROFESSIONS = {
    "clinigydd": Profession.CAMHS_CLINICIAN,
    "edpsych": Profession.EDUCATIONAL_PSYCHOLOGIST,
    "teacher": Profession.TEACHER,
    "socialworker": Profession.SOCIAL_WORKER,
}


def demo_postcode(seed: int, index: int) -> str:
    """A deterministic synthetic postcode: a Welsh outward code and a random inward part."""
    rng = random.Random(f"{seed}:{index}:postcode")  # noqa: S311 - synthetic data, not security
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in inward codes
    return f"{rng.choice(DEMO_OUTWARD_CODES)} {rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"


class Command(BaseCommand):
    help = "Create a deterministic synthetic Welsh demo data set (no real person's details)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--children", type=int, default=200, help="how many children and young people (default 200)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")
        parser.add_argument("--logins-only", action="store_true", help="only print the demo logins (seed nothing)")

    def handle(self, *args, children: int, seed: int, no_progress: bool, quiet_logins: bool, **options):
        if options.get("logins_only"):
            self._print_logins()
            return
        if children < 0:
            raise CommandError("--children must be 0 or more")
        started = time.monotonic()
        with transaction.atomic():
            services = self._organisations()
            users = self._users(services, children)
        service = services["NYTH-SE"]
        existing = Child.objects.filter(service=service).count()
        to_create = max(children - existing, 0)
        if to_create:
            self._children(service, users, seed, existing, children, show_progress=not no_progress)
            with transaction.atomic():
                record(
                    actor=None, action=Action.CREATE, route=Route.SYSTEM, detail={"seed_demo": to_create, "seed": seed}
                )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo data ready: {Child.objects.filter(service=service).count()} children in {service.name_en} "
            f"({to_create} created now, {elapsed:.1f} s)."
        )
        if not quiet_logins:
            self._print_logins()

    def _organisations(self) -> dict[str, Organisation]:
        reference.load(Organisation)
        regions = {o.code: o for o in Organisation.objects.filter(type=OrganisationType.REGIONAL_PARTNERSHIP_BOARD)}
        services = {}
        for code, en, cy, region in SERVICES:
            services[code], _ = Organisation.objects.update_or_create(
                code=code,
                defaults={"name_en": en, "name_cy": cy, "type": OrganisationType.SERVICE, "region": regions[region]},
            )
        for code, en, cy, kind, region in PARTNERS:
            Organisation.objects.update_or_create(
                code=code, defaults={"name_en": en, "name_cy": cy, "type": kind, "region": regions[region]}
            )
        return services

    def _users(self, services: dict[str, Organisation], children: int) -> list[User]:
        password = make_password(DEMO_PASSWORD)
        for username, first, last, role, org_code, language, _note in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "organisation": Organisation.objects.get(code=org_code),
                    "preferred_language": language,
                    "profession": DEMO_PROFESSIONS.get(username, ""),
                    "password": password,
                    "email": f"{username}@example.invalid",
                },
            )
        device, _ = TOTPDevice.objects.get_or_create(
            user=User.objects.get(username="practitioner2fa"),
            name="demo authenticator",
            defaults={"key": DEMO_TOTP_HEX, "confirmed": True},
        )
        # More practitioners share a large caseload (one for every 30 children, as in a real team).
        extra_needed = max(children // 30 - 1, 0)
        existing = User.objects.filter(username__startswith="demo-practitioner-").count()
        new_users = [
            User(
                username=f"demo-practitioner-{i:05d}",
                first_name="Demo",
                last_name=f"Practitioner {i}",
                role=Role.PRACTITIONER,
                organisation=services["NYTH-SE"],
                password=password,
                email=f"demo-practitioner-{i:05d}@example.invalid",
            )
            for i in range(existing, extra_needed)
        ]
        User.objects.bulk_create(new_users, batch_size=CHUNK)
        for code, name in (("NYTH-SE", "Cardiff and Vale team"), ("NYTH-NW", "Gwynedd and Anglesey team")):
            team_obj, _ = Team.objects.get_or_create(organisation=services[code], name=name)
            team_obj.members.add(
                *User.objects.filter(organisation=services[code], username__in=[u[0] for u in DEMO_USERS])
            )
        team = list(User.objects.filter(username="practitioner")) + list(
            User.objects.filter(username__startswith="demo-practitioner-").order_by("username")
        )
        return team

    def _children(
        self, service: Organisation, team: list[User], seed: int, start: int, end: int, show_progress: bool
    ) -> None:
        las = list(Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY).order_by("code"))
        welsh_speaker = User.objects.get(username="ymarferydd")
        today = date.today()  # noqa: DTZ011 - a calendar date for ages only
        bar = tqdm(total=end - start, desc="children", unit="child", disable=not show_progress, file=sys.stderr)
        for chunk_start in range(start, end, CHUNK):
            chunk_end = min(chunk_start + CHUNK, end)
            specs = [make_child(seed, i, today, len(las)) for i in range(chunk_start, chunk_end)]
            with transaction.atomic():
                kids = [
                    Child(
                        service=service,
                        given_name=s.given_name,
                        family_name=s.family_name,
                        preferred_name=s.preferred_name,
                        date_of_birth=s.date_of_birth,
                        nhs_number=s.nhs_number,
                        local_authority_reference=s.la_reference,
                        responsible_local_authority=las[s.la_index],
                        legal_status=s.legal_status,
                        preferred_language=s.preferred_language,
                        active_offer=s.active_offer,
                        gender=s.gender,
                        pronouns=s.pronouns,
                        ethnicity=s.ethnicity,
                        postcode=demo_postcode(seed, index),
                    )
                    for index, s in zip(range(chunk_start, chunk_end), specs, strict=True)
                ]
                for kid in kids:  # bulk_create skips Child.save, which keeps the matching keys
                    fill_identity_keys(kid)
                kids = bulk_create_with_history(kids, Child, batch_size=CHUNK)
                if kids and kids[0].pk is None:  # databases that do not return ids from bulk inserts
                    ids = list(
                        Child.objects.filter(service=service).order_by("-pk").values_list("pk", flat=True)[: len(kids)]
                    )
                    for kid, pk in zip(kids, reversed(ids), strict=True):
                        kid.pk = pk
                placements, related, members = [], [], []
                for index, (kid, spec) in zip(
                    range(chunk_start, chunk_end), zip(kids, specs, strict=True), strict=True
                ):
                    ordered = sorted(spec.placements, key=lambda p: p[3])
                    for n, (ptype, area, outside, start_date) in enumerate(ordered):
                        end_date = ordered[n + 1][3] if n + 1 < len(ordered) else None
                        placements.append(
                            Placement(
                                child=kid,
                                type=ptype,
                                local_authority_area=las[area],
                                outside_wales=outside,
                                start_date=start_date,
                                end_date=end_date,
                            )
                        )
                    for name, role, org, pr in spec.related:
                        related.append(
                            RelatedPerson(
                                child=kid,
                                name=name,
                                role=role,
                                organisation_name=org,
                                has_parental_responsibility=pr,
                                contact_permitted=True,
                            )
                        )
                    # The demo practitioner has a caseload of about 20; the rest share the others.
                    others = team[1:] or team
                    lead = team[0] if index < 20 else others[(index // 30) % len(others)]
                    members.append(CareTeamMembership(child=kid, user=lead, role="lead"))
                    if spec.preferred_language == "cy" and index < 200:
                        members.append(CareTeamMembership(child=kid, user=welsh_speaker, role="practitioner"))
                bulk_create_with_history(placements, Placement, batch_size=CHUNK)
                bulk_create_with_history(related, RelatedPerson, batch_size=CHUNK)
                bulk_create_with_history(members, CareTeamMembership, batch_size=CHUNK)
            bar.update(chunk_end - chunk_start)
        bar.close()

    def _print_logins(self) -> None:
        out = self.stdout
        out.write("")
        out.write("Demo logins (synthetic data only). Password for every account: " + DEMO_PASSWORD)
        for username, first, last, _role, _org, _language, note in DEMO_USERS:
            out.write(f"  {username:<16} {first} {last} – {note}")
        # Made by seed_support (myspace.demo), when it has run: a young person, not staff.
        for young in User.objects.filter(role=Role.YOUNG_PERSON, username="youngperson"):
            out.write(f"  {young.username:<16} {young.first_name} – a young person in their own space (/my/)")
        for carer in User.objects.filter(role=Role.CARER, username="carer"):
            out.write(f"  {carer.username:<16} {carer.first_name} – the young person's carer, in the space (/my/)")
        if settings.NYTH_REQUIRE_2FA:
            out.write(
                "Two-factor sign-in is REQUIRED (NYTH_DEMO is not set): each account sets up an authenticator app at first sign-in."
            )
        else:
            out.write("Demo mode: two-factor sign-in is optional, except for 'practitioner2fa'. For that account,")
            out.write(f"  add this key to any authenticator app (TOTP, 6 digits, 30 s): {DEMO_TOTP_BASE32}")
        out.write(f"Open {settings.NYTH_SITE_URL} to sign in.")
