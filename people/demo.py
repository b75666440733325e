"""Deterministic synthetic demo data: invented Welsh and English names, valid test-range NHS
numbers (the 999 range NHS Digital reserves for testing), plausible legal statuses, ages and
placements. No real person's details. Used by ``manage.py seed_demo``, ``make demo`` and tests.

Each child is generated from its own ``Random(f"{seed}:{index}")`` so a run that stops part way
can be resumed and the same seed always gives the same children, whatever was created before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

GIRLS = [
    "Ffion",
    "Mererid",
    "Siân",
    "Cerys",
    "Elin",
    "Nia",
    "Lowri",
    "Megan",
    "Seren",
    "Gwenllïan",
    "Angharad",
    "Carys",
    "Alys",
    "Mali",
    "Efa",
    "Heledd",
    "Non",
    "Eleri",
    "Glesni",
    "Manon",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Grace",
    "Chloe",
    "Ruby",
    "Poppy",
    "Maisie",
    "Lily",
    "Jessica",
    "Aaliyah",
    "Zara",
    "Amira",
    "Zofia",
    "Ellie",
    "Freya",
    "Evie",
    "Sophie",
    "Holly",
]
BOYS = [
    "Siôn",
    "Dafydd",
    "Rhys",
    "Gethin",
    "Iwan",
    "Osian",
    "Cai",
    "Gruffydd",
    "Tomos",
    "Huw",
    "Ioan",
    "Llŷr",
    "Emyr",
    "Aled",
    "Steffan",
    "Owain",
    "Gwilym",
    "Macsen",
    "Tudur",
    "Elis",
    "Jac",
    "Harri",
    "Noah",
    "Oliver",
    "Jack",
    "Charlie",
    "Leo",
    "Oscar",
    "Alfie",
    "Theo",
    "Mohammed",
    "Kacper",
    "Tyler",
    "Kai",
    "Jayden",
    "Riley",
    "Mason",
    "Ethan",
    "Logan",
    "Dylan",
]
NEUTRAL = ["Alex", "Robin", "Sam", "Jordan", "Morgan", "Rowan", "Eli", "Charlie"]
SURNAMES = [
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Lewis",
    "Hughes",
    "Morgan",
    "Griffiths",
    "Edwards",
    "Owen",
    "Price",
    "Jenkins",
    "Rees",
    "Parry",
    "Pritchard",
    "Llewellyn",
    "Prosser",
    "Powell",
    "Watkins",
    "Pugh",
    "Bowen",
    "Vaughan",
    "Wyn",
    "Rhys-Jones",
    "ap Dafydd",
    "Smith",
    "Brown",
    "Taylor",
    "Walker",
    "Harris",
    "Khan",
    "Ali",
    "Nowak",
    "Kowalski",
    "O'Brien",
    "Murphy",
    "Ahmed",
    "Begum",
    "Mensah",
    "Okafor",
    "Jenkins-Price",
    "Gruffudd",
    "Tudor",
]
ADULT_FIRST = [
    "Sioned",
    "Gareth",
    "Rhian",
    "Bethan",
    "Mark",
    "Helen",
    "Delyth",
    "Geraint",
    "Karen",
    "Iestyn",
    "Llinos",
    "Paul",
    "Catrin",
    "Dewi",
    "Sarah",
    "Hywel",
    "Tracey",
    "Meinir",
]

# Proportions: roughly those of children the guidance describes (mostly looked after).
LEGAL_STATUS_WEIGHTS = {
    "looked_after": 55,
    "adopted": 12,
    "special_guardianship": 10,
    "care_leaver": 13,
    "edge_of_care": 8,
    "other": 2,
}
AGE_RANGE = {
    "looked_after": (0, 17),
    "adopted": (2, 17),
    "special_guardianship": (1, 17),
    "care_leaver": (16, 25),
    "edge_of_care": (4, 17),
    "other": (0, 25),
}
LOOKED_AFTER_PLACEMENTS = {
    "foster_la": 45,
    "foster_independent": 24,
    "kinship": 15,
    "residential": 10,
    "with_parents": 4,
    "secure": 1,
    "other": 1,
}
ETHNICITY_WEIGHTS = {
    "white_british": 82,
    "white_other": 3,
    "white_gypsy_traveller": 1,
    "mixed_white_black_caribbean": 3,
    "mixed_white_asian": 2,
    "mixed_other": 2,
    "asian_pakistani": 1,
    "asian_bangladeshi": 1,
    "black_african": 2,
    "other_arab": 1,
    "not_stated": 2,
}
CARER_ROLE_BY_PLACEMENT = {
    "foster_la": "foster_carer",
    "foster_independent": "foster_carer",
    "kinship": "kinship_carer",
    "residential": "residential_worker",
    "secure": "residential_worker",
    "with_parents": "birth_parent",
    "adoptive": "adoptive_parent",
    "special_guardian": "special_guardian",
    "supported_living": "personal_adviser",
    "other": "other",
}


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def test_nhs_number(rng: random.Random) -> str:
    """A valid modulus-11 number in the 999 test range (never issued to a real person)."""
    while True:
        body = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)


@dataclass
class ChildSpec:
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    nhs_number: str
    la_reference: str
    la_index: int
    legal_status: str
    preferred_language: str
    active_offer: str
    gender: str
    pronouns: str
    ethnicity: str
    placements: list[tuple[str, int, bool, date]] = field(default_factory=list)  # type, la, outside, start
    related: list[tuple[str, str, str, bool]] = field(default_factory=list)  # name, role, org, PR


def make_child(seed: int, index: int, today: date, la_count: int) -> ChildSpec:
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - synthetic data, not security
    status = weighted(rng, LEGAL_STATUS_WEIGHTS)
    low, high = AGE_RANGE[status]
    age_days = rng.randint(low * 365 + 30, high * 365 + 360)
    dob = today - timedelta(days=age_days)
    gender = rng.choices(["female", "male", "non_binary", "not_known"], weights=[48, 48, 2, 2])[0]
    if gender == "female":
        given, pronouns = rng.choice(GIRLS), "hi / she"
    elif gender == "male":
        given, pronouns = rng.choice(BOYS), "fe / he"
    else:
        given, pronouns = rng.choice(NEUTRAL), "nhw / they"
    family = rng.choice(SURNAMES)
    preferred = rng.choice(["", "", "", "", given[:3]]) if len(given) > 4 else ""
    language = rng.choices(["cy", "en", "other"], weights=[20, 77, 3])[0]
    offer = {"cy": "welsh", "en": rng.choice(["english", "english", "both", "not_made"]), "other": "no_answer"}[
        language
    ]
    la_index = rng.randrange(la_count)
    spec = ChildSpec(
        given_name=given,
        family_name=family,
        preferred_name=preferred,
        date_of_birth=dob,
        nhs_number=test_nhs_number(rng) if rng.random() < 0.93 else "",
        la_reference=f"LA{la_index:02d}-{rng.randrange(10**6):06d}",
        la_index=la_index,
        legal_status=status,
        preferred_language=language,
        active_offer=offer,
        gender=gender,
        pronouns=pronouns,
        ethnicity=weighted(rng, ETHNICITY_WEIGHTS),
    )
    if status == "looked_after":
        placement_type = weighted(rng, LOOKED_AFTER_PLACEMENTS)
    else:
        placement_type = {
            "adopted": "adoptive",
            "special_guardianship": "special_guardian",
            "care_leaver": rng.choice(["supported_living", "foster_la"]),
            "edge_of_care": "with_parents",
            "other": "other",
        }[status]
    out_of_county = rng.random() < 0.3
    area = rng.randrange(la_count) if out_of_county else la_index
    outside_wales = out_of_county and rng.random() < 0.1
    start = dob + timedelta(days=rng.randint(0, max(age_days - 1, 0)))
    if rng.random() < 0.35 and (today - start).days > 60:
        # An earlier placement, then a move.
        earlier_start = dob + timedelta(days=rng.randint(0, max((start - dob).days - 1, 0)))
        if earlier_start < start:
            spec.placements.append(("foster_la", la_index, False, earlier_start))
    spec.placements.append((placement_type, area, outside_wales, start))
    carer_role = CARER_ROLE_BY_PLACEMENT[placement_type]
    spec.related.append(
        (
            f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}",
            carer_role,
            "",
            carer_role in {"adoptive_parent", "special_guardian", "birth_parent"},
        )
    )
    spec.related.append((f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}", "social_worker", "", False))
    if age_days < 17 * 365 and age_days > 4 * 365:
        school = rng.choice(["Ysgol Gyfun", "Ysgol Gynradd", "Ysgol", "High School", "Primary School"])
        spec.related.append(
            (
                f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}",
                "teacher",
                f"{school} {rng.choice(['Bro Taf', 'y Dderwen', 'Glan Môr', 'Cwm Rhymni', 'Llanfair', 'Cathays', 'Penarth', 'Brynteg'])}",
                False,
            )
        )
    if rng.random() < 0.3:
        spec.related.append((f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}", "youth_worker", "", False))
    return spec
