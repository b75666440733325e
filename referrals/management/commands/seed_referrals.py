"""Synthetic demo referrals and service directory entries (idempotent). Run after seed_demo."""

from __future__ import annotations

import datetime
import random
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, Role, User
from jobs.email import not_sent
from people.models import Child
from referrals import services
from referrals.models import DirectoryService, Referral

DIRECTORY = [
    (
        "Cwtch Counselling for Young People (demo)",
        "Cwnsela Cwtch i Bobl Ifanc (demo)",
        "Short-term counselling at school or in the community, ages 11–18.",
        "Cwnsela tymor byr yn yr ysgol neu yn y gymuned, 11–18 oed.",
        11,
        18,
        "full",
        False,
    ),
    (
        "Llais Independent Advocacy (demo)",
        "Eiriolaeth Annibynnol Llais (demo)",
        "Independent advocacy for children and young people in care and care leavers.",
        "Eiriolaeth annibynnol i blant a phobl ifanc mewn gofal ac i'r rhai sy'n gadael gofal.",
        5,
        25,
        "full",
        False,
    ),
    (
        "Traumatic Stress Service for Young People (demo)",
        "Gwasanaeth Straen Trawmatig i Bobl Ifanc (demo)",
        "Assessment and treatment after a traumatic event (PTSD), ages 16–25.",
        "Asesu a thrin ar ôl digwyddiad trawmatig (PTSD), 16–25 oed.",
        16,
        25,
        "partial",
        False,
    ),
    (
        "Camau Youth Crisis Line (demo)",
        "Llinell Argyfwng Ieuenctid Camau (demo)",
        "Telephone and text support in a crisis, every evening and night.",
        "Cymorth dros y ffôn a neges destun mewn argyfwng, bob min nos a nos.",
        11,
        25,
        "partial",
        True,
    ),
    (
        "Young Carers Project (demo)",
        "Prosiect Gofalwyr Ifanc (demo)",
        "Support for young people who care for someone at home.",
        "Cymorth i bobl ifanc sy'n gofalu am rywun gartref.",
        8,
        18,
        "none",
        False,
    ),
]

NEEDS = [
    "Since the placement move she has stopped sleeping and is self-harming. The foster carers are exhausted.",
    "Mae e wedi dechrau mynd ar goll o'r cartref preswyl gyda'r nos. Mae pryder am gamfanteisio.",
    "Big feelings at school after contact with birth family; the school is close to excluding him.",
    "Adoptive parents are struggling with rejection and aggression at home; the placement may break down.",
    "Care leaver living alone, very anxious, not leaving the flat; has asked for help herself.",
    "Kinship carer (grandmother) asks for help to understand his behaviour after early neglect.",
]


class Command(BaseCommand):
    help = "Create synthetic demo referrals and directory entries for the South East Wales demo service."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **kwargs):
        # Synthetic referrers and managers: queue them no email (see jobs.email.not_sent).
        with not_sent("synthetic demo data"):
            self._seed(*args, **kwargs)

    def _seed(self, *args, seed: int, **options):
        service = Organisation.objects.filter(code="NYTH-SE").first()
        manager = User.objects.filter(username="manager").first()
        if service is None or manager is None:
            raise CommandError("Run seed_demo first.")
        rng = random.Random(seed)  # noqa: S311 - synthetic data
        with transaction.atomic():
            entries = self._directory()
            created = self._referrals(service, manager, entries, rng)
        self.stdout.write(f"Demo referrals ready ({created} created now); {len(entries)} directory services.")

    def _directory(self) -> list[DirectoryService]:
        entries = []
        for name_en, name_cy, offer_en, offer_cy, low, high, welsh, ooh in DIRECTORY:
            entry, _ = DirectoryService.objects.get_or_create(
                name_en=name_en,
                defaults={
                    "name_cy": name_cy,
                    "offer_en": offer_en,
                    "offer_cy": offer_cy,
                    "min_age": low,
                    "max_age": high,
                    "welsh_provision": welsh,
                    "out_of_hours": ooh,
                    "referral_route_en": "Phone the duty line or email the team (demo details).",
                    "referral_route_cy": "Ffoniwch y llinell ddyletswydd neu e-bostiwch y tîm (manylion demo).",
                    "phone": "01000 000000",
                    "email": "demo@example.invalid",
                },
            )
            entries.append(entry)
        return entries

    def _referrals(self, service, manager, entries, rng) -> int:
        children = list(Child.objects.filter(service=service).order_by("pk")[:12])
        las = list(Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY).order_by("code"))
        created_count = 0
        practitioner = (
            User.objects.filter(organisation=service, role=Role.PRACTITIONER, is_active=True)
            .order_by("username")
            .first()
        )
        plan = [
            "received",
            "received",
            "received",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "consultation",
            "consultation",
            "redirected",
            "redirected",
        ]
        for index, outcome in enumerate(plan):
            child = children[index] if index < len(children) and index % 3 else None
            days_ago = [1, 2, 4, 30, 21, 9, 5, 2, 12, 8, 15, 6][index]
            received = timezone.now() - timedelta(days=days_ago)
            data = {
                "given_name": child.given_name if child else rng.choice(["Siôn", "Mali", "Osian", "Seren"]),
                "family_name": child.family_name if child else rng.choice(["Prydderch", "Llywelyn", "Bowen"]),
                "date_of_birth": child.date_of_birth
                if child
                else datetime.date(2010 + index % 6, 1 + index, 3 + index),
                "nhs_number": child.nhs_number if child else "",
                "postcode": "CF10 1AA",
                "responsible_local_authority": child.responsible_local_authority if child else rng.choice(las),
                "legal_status": child.legal_status if child else "looked_after",
                "preferred_language": "cy" if index % 4 == 1 else "en",
                "active_offer_made": True,
                "referrer_type": ["teacher", "social_worker", "camhs", "foster_carer", "youth_justice", "young_person"][
                    index % 6
                ],
                "referrer_name": rng.choice(["Eleri Prawf", "Gareth Enghraifft", "Nia Demo", "Huw Sampl"]),
                "referrer_organisation": "Demo organisation",
                "referrer_email": "referrer@example.invalid",
                "referrer_language": "cy" if index % 4 == 1 else "en",
                "needs": NEEDS[index % len(NEEDS)],
                "young_person_views": "I want someone to talk to who will not give up on me.",
                "young_person_knows": "yes",
                "young_person_agrees": "yes" if index % 5 else "not_yet",
                "risk_self_harm": index in (0, 3, 6),
                "risk_going_missing": index in (1, 4),
                "risk_exploitation": index in (1, 7),
                "risk_placement_breakdown": index in (3, 5, 8),
                "placement_out_of_county": index in (2, 5),
            }
            referral, created = services.submit_referral(
                data=data, route="staff", service=service, idempotency_key=f"demo:{index}", by=manager
            )
            if not created:
                continue
            created_count += 1
            Referral.objects.filter(pk=referral.pk).update(received_at=received)
            referral.refresh_from_db()
            if child is not None:
                services.link_child(by=manager, referral=referral, child=child)
            if outcome == "received":
                continue
            # The demo reasons are written in English: a Welsh referrer's letter says so.
            kwargs: dict[str, Any] = {
                "reason": "Demo decision: complex trauma and current risks.",
                "reason_language": "en",
            }
            if outcome == "consultation":
                kwargs.update(
                    reason="Demo decision: the school can help with advice.",
                    consultation_advice="Weekly consultation with the teacher for six weeks.",
                )
            if outcome == "redirected":
                kwargs.update(
                    reason="Demo decision: a specialist service is better placed.",
                    directory_service=entries[index % len(entries)],
                    handover_contact="Duty worker (demo)",
                    handover_contacted_at=received + timedelta(days=1),
                )
            services.decide(by=manager, referral=referral, outcome=outcome, **kwargs)
            Referral.objects.filter(pk=referral.pk, accepted_at__isnull=False).update(
                accepted_at=received + timedelta(hours=4)
            )
            if index == 4 and practitioner is not None:
                # One referral has left the list: allocated a fortnight after it was accepted.
                services.allocate(by=manager, referral=referral, practitioner=practitioner)
                Referral.objects.filter(pk=referral.pk).update(allocated_at=received + timedelta(days=14))
        return created_count
