"""Identity matching: is this child already known? One child, one record.

``find_candidates`` takes the identifying details from an intake (a referral, an import row, a
new record) and returns existing current records that may be the same child, each with a score
between 0 and 1 and the reasons for it. A person always confirms: nothing here merges or links
anything, and a candidate is never acted on automatically.

**Not for views.** ``find_candidates`` reads ``Child.objects.current()`` across every service,
unscoped, because a duplicate is exactly a record the person may not know about. It is an
internal domain function: a service function calls it and then offers the person only what they
may see (``Child.objects.visible_to(user)``), for example ``referrals.services.candidates_for``.
Views never call it directly.

How it works (see also docs and ``bench/identity.py``):

1. **Blocking** on indexed columns keeps a lookup to a few dozen rows among 100,000: the exact
   NHS number; the exact date of birth or the date with day and month swapped; and phonetic keys
   of the first name and of the family name combined with two of the three parts of the date of
   birth (so a typo in one part of the date still finds the record). The keys are stored on
   ``Child`` (``fill_identity_keys``), kept up to date by ``Child.save`` and set explicitly
   before bulk inserts.
2. **Scoring** compares each field at a few levels (same, known Welsh/English form or nickname,
   similar, different) and adds up evidence in the manner of Fellegi–Sunter record linkage:
   each level carries a weight, roughly the log of how much more often it happens between two
   records of the same child than between two different children. The total becomes a score in
   [0, 1] through a logistic curve. An exact NHS number gives 1; so do identical names and date
   of birth with nothing contradicting them.

String metrics come from rapidfuzz (Jaro–Winkler, optimal string alignment distance) and
phonetic codes from jellyfish (Metaphone); nothing here is a hand-written string metric.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jellyfish
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA, JaroWinkler

from people.identifiers import normalise_nhs_number

if TYPE_CHECKING:
    from people.models import Child

# --------------------------------------------------------------------------------------------
# Thresholds. A score at or above LIKELY_MATCH is what the benchmark counts as "the system says
# this is the child" (bench/identity.py); services show anything at or above POSSIBLE_MATCH for a
# person to judge.
LIKELY_MATCH = 0.8
POSSIBLE_MATCH = 0.2

#: The Child columns ``fill_identity_keys`` maintains (never edited by people).
IDENTITY_KEY_FIELDS = (
    "given_name_ascii",
    "family_name_ascii",
    "name_key_given",
    "name_key_family",
    "birth_year",
    "birth_month",
    "birth_day",
    "postcode",
)
#: The Child columns the keys are computed from.
IDENTITY_SOURCE_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode")

# --------------------------------------------------------------------------------------------
# First names that are the same name: Welsh and English forms, and nicknames or short forms.
# Each group: the English forms, the Welsh forms, and nicknames/short forms. A name may sit in
# more than one group (Ieuan is both John and Evan). Spell names as people write them; matching
# ignores case and accents (Siôn = Sion). The stored blocking key of a first name depends on these
# groups: after changing them, add a data migration that re-runs people.migrations
# 0003_fill_identity_keys.fill_keys so existing records get the new keys.
NAME_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    # (English forms, Welsh forms, nicknames and short forms)
    (("John", "Jon"), ("Siôn", "Ioan", "Iwan", "Ieuan", "Sionyn"), ("Johnny", "Jonny", "Jack", "Jac", "Ianto")),
    (("Evan",), ("Ieuan", "Ifan", "Iefan"), ("Ianto",)),
    (("David",), ("Dafydd", "Dewi", "Dafi"), ("Dave", "Davy", "Davey", "Dai", "Deio", "Dei")),
    (("William",), ("Gwilym",), ("Will", "Wil", "Gwil", "Bill", "Billy", "Liam", "Willy", "Willie")),
    (("Rees", "Reece", "Reese", "Rice"), ("Rhys",), ()),
    (("Hugh",), ("Huw",), ("Hughie",)),
    (("Ellen", "Helen", "Eleanor"), ("Elin", "Elen", "Elinor", "Nel"), ("Ellie", "Nell", "Nellie", "Elle")),
    (("Jane", "Jean"), ("Siân", "Siani"), ("Janey",)),
    (("Janet",), ("Sioned",), ("Jan",)),
    (("Joan", "Joanna"), ("Siwan",), ("Jo",)),
    (("Thomas",), ("Tomos",), ("Tom", "Tommy", "Twm", "Tomi")),
    (("Griffith",), ("Gruffydd", "Gruffudd"), ("Gruff", "Guto")),
    (("Owen",), ("Owain",), ("Ows",)),
    (("Harry", "Henry"), ("Harri",), ("Hal", "Hari")),
    (("Ellis",), ("Elis",), ()),
    (("Mary", "Maria"), ("Mair", "Mari", "Mali"), ("Molly", "Polly", "Mollie")),
    (
        ("Catherine", "Katherine", "Kathryn", "Catrin"),
        ("Catrin", "Cadi", "Cati"),
        ("Kate", "Katie", "Cathy", "Kat", "Kath", "Katy", "Kitty"),
    ),
    (("Margaret",), ("Marged", "Mared", "Mererid"), ("Maggie", "Meg", "Peggy", "Megs")),
    (
        ("Elizabeth",),
        ("Elisabeth", "Bethan", "Betsan", "Betsi"),
        ("Liz", "Lizzie", "Beth", "Betty", "Eliza", "Libby", "Bess", "Elsie", "Lisa"),
    ),
    (("Laura",), ("Lowri",), ("Lori",)),
    (("Lucy",), ("Lleucu",), ("Luce",)),
    (("Eve", "Eva", "Evelyn"), ("Efa",), ("Evie",)),
    (("Alice",), ("Alys",), ("Allie",)),
    (("Kay", "Kai"), ("Cai",), ("Kye",)),
    (("Jack",), ("Jac",), ("Jackie",)),
    (("Stephen", "Steven"), ("Steffan",), ("Steve", "Stevie", "Steff")),
    (("Andrew",), ("Andras",), ("Andy", "Drew")),
    (("Peter",), ("Pedr",), ("Pete",)),
    (("George",), ("Siôr", "Siors"), ("Georgie",)),
    (("James",), ("Iago", "Siâms"), ("Jim", "Jimmy", "Jamie")),
    (("Matthew",), ("Mathew", "Mathau"), ("Matt", "Matty")),
    (("Lewis", "Louis"), ("Llywelyn", "Llewelyn", "Llewellyn"), ("Lew", "Llew")),
    (("Max", "Maxen"), ("Macsen",), ("Maxi",)),
    (("Edward",), ("Iorwerth", "Edwart"), ("Ed", "Eddie", "Ted", "Teddy", "Ned", "Eddy")),
    (("Richard",), ("Rhisiart",), ("Rich", "Richie", "Rick", "Ricky", "Dick")),
    (("Robert",), ("Robat",), ("Rob", "Robbie", "Bob", "Bobby")),
    (("Alan", "Allan", "Allen"), ("Alun",), ("Al",)),
    (("Ann", "Anne", "Anna"), ("Ann", "Nan"), ("Annie",)),
    (("Gwendolen", "Gwendoline"), ("Gwen", "Gwenllian", "Gwenno"), ("Gwennie", "Wendy")),
    (("Tudor",), ("Tudur",), ()),
    (("Charles",), ("Siarl",), ("Charlie", "Charley", "Chaz", "Chas")),
    (("Charlotte",), (), ("Charlie", "Lottie", "Lotty")),
    (("Alexander",), (), ("Alex", "Alec", "Xander", "Sandy")),
    (("Alexandra",), (), ("Alex", "Lexi", "Lexie", "Sandra")),
    (("Samuel",), (), ("Sam", "Sammy")),
    (("Samantha",), (), ("Sam", "Sammie", "Sammy")),
    (("Daniel",), (), ("Dan", "Danny")),
    (("Danielle",), (), ("Dani",)),
    (("Joseph",), (), ("Joe", "Joey")),
    (("Benjamin",), (), ("Ben", "Benny", "Benji")),
    (("Joshua",), (), ("Josh",)),
    (("Christopher",), (), ("Chris", "Kit")),
    (("Christina", "Christine"), (), ("Chris", "Tina", "Chrissie")),
    (("Nicholas",), (), ("Nick", "Nicky", "Nico")),
    (("Nicola",), (), ("Nicky", "Nikki")),
    (("Michael",), (), ("Mike", "Mikey", "Mick", "Micky")),
    (("Anthony",), (), ("Tony", "Ant")),
    (("Frederick",), (), ("Fred", "Freddie", "Freddy")),
    (("Alfred",), (), ("Alfie", "Alf")),
    (("Theodore",), (), ("Theo", "Teddy")),
    (("Oliver",), (), ("Ollie", "Olly")),
    (("Olivia",), (), ("Liv", "Livvy", "Livia", "Ollie")),
    (("Isabella", "Isabel", "Isabelle"), (), ("Izzy", "Issy", "Bella", "Izzie")),
    (("Amelia",), (), ("Millie", "Mia", "Amy")),
    (("Emily",), (), ("Em", "Emmy", "Millie", "Emmie")),
    (("Jessica",), (), ("Jess", "Jessie")),
    (("Rebecca",), (), ("Becky", "Becca", "Bex")),
    (("Victoria",), (), ("Vicky", "Vicki", "Tori")),
    (("Abigail",), (), ("Abbie", "Abby", "Abi")),
    (("Sophie", "Sophia", "Zofia"), (), ("Soph", "Zosia")),
    (("Grace",), (), ("Gracie",)),
    (("Lily", "Lilly", "Lillie", "Lilian", "Lillian"), (), ("Lil",)),
    (("Freya", "Freja"), (), ()),
    (("Matilda",), (), ("Tilly", "Tilda", "Tillie")),
    (("Florence",), (), ("Flo", "Florrie")),
    (("Harriet",), (), ("Hattie",)),
    (("Kacper", "Kasper", "Casper", "Caspar"), (), ()),
    (("Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed"), (), ("Mo",)),
    (("Ahmed", "Ahmad"), (), ()),
    (("Aaliyah", "Aliyah", "Aliya"), (), ()),
    (("Jayden", "Jaden", "Jaiden", "Jaydon"), (), ()),
    (("Riley", "Reilly", "Rylee"), (), ()),
    (("Leo", "Leon", "Leonard", "Leonardo"), (), ("Len", "Lenny")),
    (("Oscar",), (), ("Ossie", "Ozzy")),
    (("Caroline", "Carolyn"), ("Carys",), ("Caz", "Carrie")),
    (("Rhiannon",), ("Rhian",), ("Rhi",)),
    (("Angharad",), (), ("Anji", "Angie")),
    (("Howell", "Howel"), ("Hywel",), ()),
    (("Lear",), ("Llŷr",), ()),
    (("Gareth",), (), ("Gaz", "Gary")),
    (("Geraint",), (), ("Ger",)),
    (("Ffion",), (), ("Ffi",)),
    (("Dylan",), (), ("Dyl",)),
    (("Osian",), (), ("Osh",)),
    (("Gethin",), (), ("Geth",)),
    (("Aled",), (), ("Al",)),
    (("Gruffydd",), (), ("Gruff", "Guto")),
    (("Angela",), (), ("Angie",)),
    (("Jennifer",), (), ("Jen", "Jenny")),
    (("Natalie", "Natalia"), (), ("Nat",)),
    (("Zachary",), (), ("Zac", "Zack", "Zak")),
    (("Nathan", "Nathaniel"), (), ("Nate", "Nat")),
    (("Jacob",), (), ("Jake",)),
    (("Louise", "Louisa"), (), ("Lou", "Lulu")),
    (("Susan", "Susanna", "Suzanne"), (), ("Sue", "Susie", "Suzy")),
    (("Patrick",), ("Padrig",), ("Paddy", "Pat")),
    (("Paul",), ("Pawl",), ()),
    (("Mark", "Marc"), (), ()),
    (("Philip", "Phillip"), ("Philip",), ("Phil",)),
    (("Timothy",), (), ("Tim", "Timmy")),
    (("Deborah", "Debra"), (), ("Debbie", "Deb")),
    (("Kimberley", "Kimberly"), (), ("Kim",)),
    (("Toby", "Tobias"), (), ()),
)

# Surnames that are spelling variants of one another (Welsh and English forms included).
FAMILY_NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Rhys", "Rees", "Reece", "Rice", "Rhees"),
    ("Price", "Pryce", "Prys", "Prees"),
    ("Pugh", "Pughe"),
    ("Lloyd", "Loyd", "Llwyd"),
    ("Vaughan", "Fychan", "Vaughn"),
    ("Griffiths", "Griffith", "Gruffydd", "Gruffudd", "Griffin"),
    ("Davies", "Davis", "Dafis", "Davids", "Davies-Jones"),
    ("Evans", "Ifans", "Evens"),
    ("Owen", "Owens", "Owain"),
    ("Hughes", "Hughs", "Hewes"),
    ("Pritchard", "Prichard", "Prytherch", "Prydderch"),
    ("Llewellyn", "Llewelyn", "Llywelyn", "Lewellyn", "Llewellin"),
    ("Bevan", "Bevans", "Beavan"),
    ("Powell", "Powel", "Howell", "Hywel"),
    ("Parry", "Parri", "Perry"),
    ("Thomas", "Tomos"),
    ("Jenkins", "Jenkin", "Siencyn"),
    ("Mohammed", "Muhammad", "Mohammad", "Mohamed"),
)


@dataclass(frozen=True)
class Reason:
    """Why a record may be this child: a stable code for programs and text for people.

    The text is translated when it is shown (``str(reason)``), in the language of that page.
    """

    code: str
    message: Promise
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        text = str(self.message)
        return text % dict(self.params) if self.params else text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Candidate:
    """An existing record that may be the child, for a person to confirm or rule out."""

    child: Child
    score: float
    reasons: list[Reason]
    #: The evidence behind the score (log-odds points); sorts candidates with equal scores.
    evidence: float = 0.0

    @property
    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


# Reason messages (msgids) in one place, so the translators' list is easy to read.
MESSAGES: dict[str, Promise] = {
    "nhs_number": _("Same NHS number"),
    "nhs_number_differs": _("Different NHS number"),
    "date_of_birth": _("Same date of birth"),
    "date_of_birth_swapped": _("Day and month swapped in date of birth"),
    "date_of_birth_similar": _("Date of birth differs in one part (day, month or year)"),
    "given_name": _("Same first name"),
    "given_name_preferred": _("Same as the name they like to be called"),
    "given_name_welsh_english": _("Known Welsh/English form of the first name (%(query)s/%(record)s)"),
    "given_name_nickname": _("Nickname or short form of the first name (%(query)s/%(record)s)"),
    "given_name_similar": _("Similar first name"),
    "family_name": _("Same family name"),
    "family_name_similar": _("Similar family name"),
    "family_name_part": _("Hyphenated or changed family name"),
    "family_name_former": _("Matches a former or other family name"),
    "local_authority": _("Same local authority"),
    "postcode": _("Same postcode"),
    "postcode_district": _("Same postcode district"),
}


def _reason(code: str, **params: str) -> Reason:
    return Reason(code=code, message=MESSAGES[code], params=params)


# --------------------------------------------------------------------------------------------
# Normalisation (pure).

_NOT_LETTER = re.compile(r"[^a-z]+")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")
_FORMER_SPLIT = re.compile(r"[,;/()|]+|\b(?:nee|née|formerly|was|aka)\b", re.IGNORECASE)
_POSTCODE_CHARS = re.compile(r"[^A-Z0-9]")


@lru_cache(maxsize=50000)
def fold(text: str) -> str:
    """Lower case, accents removed, letters only: ``Siôn`` → ``sion``, ``O'Brien`` → ``obrien``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NOT_LETTER.sub("", ascii_text)


@lru_cache(maxsize=50000)
def name_parts(text: str) -> tuple[str, ...]:
    """The words of a name (split at spaces and hyphens), each folded: ``Rhys-Jones`` → rhys, jones."""
    return tuple(part for part in (fold(p) for p in _SEPARATORS.split(text or "")) if part)


@lru_cache(maxsize=20000)
def former_family_names(former_names: str) -> tuple[str, ...]:
    """The family names recorded as former or other names (free text such as "Jones; Ffion Price",
    "née Bowen"): the last word of each entry, and the whole entry folded."""
    found: list[str] = []
    for entry in _FORMER_SPLIT.split(former_names or ""):
        if not entry:
            continue
        parts = name_parts(entry)
        if not parts:
            continue
        for value in (parts[-1], "".join(parts)):
            if value not in found:
                found.append(value)
    return tuple(found)


@lru_cache(maxsize=50000)
def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: ``cf101aa`` → ``CF10 1AA``."""
    compact = _POSTCODE_CHARS.sub("", (value or "").upper())
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"[:10]
    return compact[:10]


@lru_cache(maxsize=50000)
def postcode_district(value: str) -> str:
    """The outward code (``CF10`` of ``CF10 1AA``), or '' when the postcode is incomplete."""
    normalised = normalise_postcode(value)
    return normalised.split(" ")[0] if " " in normalised else ""


def phonetic(text: str) -> str:
    """Metaphone of a folded name (Dafydd and David share ``TFT``)."""
    folded = fold(text)
    return jellyfish.metaphone(folded)[:20] if folded else ""


# --------------------------------------------------------------------------------------------
# The first-name tables, indexed once.


@dataclass(frozen=True)
class _NameIndex:
    english: dict[str, frozenset[int]]  # folded name → groups it is an English form of
    welsh: dict[str, frozenset[int]]  # ... a Welsh form of
    nick: dict[str, frozenset[int]]  # ... a nickname or short form of
    representative: dict[int, str]  # group → the name that stands for its cluster in blocking

    def groups(self, folded: str) -> frozenset[int]:
        empty: frozenset[int] = frozenset()
        return self.english.get(folded, empty) | self.welsh.get(folded, empty) | self.nick.get(folded, empty)


@lru_cache(maxsize=1)
def _name_index() -> _NameIndex:
    tables: tuple[dict[str, set[int]], dict[str, set[int]], dict[str, set[int]]] = ({}, {}, {})
    for number, forms in enumerate(NAME_GROUPS):
        for table, names in zip(tables, forms, strict=True):
            for name in names:
                table.setdefault(fold(name), set()).add(number)
    # Blocking needs one key per name: join groups that share a name (John, Evan, Jack and their
    # forms become one cluster) and represent each cluster by its alphabetically first name.
    parent = list(range(len(NAME_GROUPS)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    every: dict[str, set[int]] = {}
    for table in tables:
        for name, groups in table.items():
            every.setdefault(name, set()).update(groups)
    for groups in every.values():
        first, *rest = sorted(groups)
        for other in rest:
            parent[find(other)] = find(first)
    members: dict[int, set[str]] = {}
    for name, groups in every.items():
        for group in groups:
            members.setdefault(find(group), set()).add(name)
    english, welsh, nick = ({k: frozenset(v) for k, v in table.items()} for table in tables)
    return _NameIndex(
        english=english,
        welsh=welsh,
        nick=nick,
        representative={group: min(members[find(group)]) for group in range(len(NAME_GROUPS))},
    )


@lru_cache(maxsize=1)
def _known_names() -> tuple[str, ...]:
    index = _name_index()
    return tuple(sorted(set(index.english) | set(index.welsh) | set(index.nick)))


def _groups(folded: str) -> frozenset[int]:
    return _name_index().groups(folded)


@lru_cache(maxsize=20000)
def given_name_key(given_name: str) -> str:
    """Blocking key of a first name: its cluster in the name tables (``=evan`` for Siôn, Sion,
    John, Ioan, Jac...); a name not in the tables is first matched to a known name one typing
    slip away (``Dafdd`` → Dafydd); otherwise the Metaphone code of the name itself (upper case,
    so it never equals a cluster key)."""
    parts = name_parts(given_name)
    if not parts:
        return ""
    first = parts[0]
    representative = _name_index().representative
    groups = _groups(first)
    if not groups and len(first) >= 4:
        for known in _known_names():
            if abs(len(known) - len(first)) <= 1 and OSA.distance(first, known, score_cutoff=1) <= 1:
                groups = _groups(known)
                break
    if groups:
        return "=" + representative[min(groups)][:19]
    return phonetic(first)


@lru_cache(maxsize=20000)
def family_name_key(family_name: str) -> str:
    """Blocking key of a family name: Metaphone of the whole name, letters only."""
    return phonetic("".join(name_parts(family_name)))


def family_name_keys(family_name: str, former_names: str = "") -> list[str]:
    """Every family-name key worth looking up: the whole name, each part of a hyphenated or
    double-barrelled name, and each former family name."""
    keys: list[str] = []
    values = [family_name, *name_parts(family_name), *former_family_names(former_names)]
    for value in values:
        key = family_name_key(value)
        if key and key not in keys and len(fold(value)) >= 2:
            keys.append(key)
    return keys


def swapped_date(value: date) -> date | None:
    """The date with day and month exchanged (3 April ↔ 4 March), when that is another date."""
    if value.day > 12 or value.day == value.month:
        return None
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:  # pragma: no cover - day <= 12 always fits any month
        return None


def identity_keys(
    *, given_name: str, family_name: str, date_of_birth: date | None, postcode: str = ""
) -> dict[str, Any]:
    """The indexed key columns for a child's details (pure: also used by the data migration)."""
    given_parts = name_parts(given_name or "")
    return {
        "given_name_ascii": (given_parts[0] if given_parts else "")[:100],
        "family_name_ascii": "".join(name_parts(family_name or ""))[:100],
        "name_key_given": given_name_key(given_name or "")[:20],
        "name_key_family": family_name_key(family_name or "")[:20],
        "birth_year": date_of_birth.year if date_of_birth else None,
        "birth_month": date_of_birth.month if date_of_birth else None,
        "birth_day": date_of_birth.day if date_of_birth else None,
        "postcode": normalise_postcode(postcode),
    }


def fill_identity_keys(child: Any) -> Any:
    """Set the key columns on a Child from its details. Called by ``Child.save``; call it
    yourself before ``bulk_create`` (which skips ``save``) and after ``QuerySet.update`` of names,
    date of birth or postcode."""
    dob = child.date_of_birth
    if isinstance(dob, str):  # a value straight from a form or fixture
        dob = date.fromisoformat(dob)
    for name, value in identity_keys(
        given_name=child.given_name, family_name=child.family_name, date_of_birth=dob, postcode=child.postcode
    ).items():
        setattr(child, name, value)
    return child


# --------------------------------------------------------------------------------------------
# Comparing two sets of details (pure).


@dataclass(frozen=True)
class Details:
    """The identifying details compared: from an intake, or read from a record."""

    given_name: str
    family_name: str
    date_of_birth: date
    nhs_number: str = ""
    local_authority_id: int | None = None
    postcode: str = ""
    preferred_name: str = ""
    former_names: str = ""

    @classmethod
    def of(cls, child: Any) -> Details:
        return cls(
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            nhs_number=child.nhs_number,
            local_authority_id=child.responsible_local_authority_id,
            postcode=child.postcode,
            preferred_name=child.preferred_name,
            former_names=child.former_names,
        )


@dataclass(frozen=True)
class Frequencies:
    """How common the query's names are on the register, so that agreeing on "Jones" counts for
    less than agreeing on a rare name (term-frequency adjustment). Small registers fall back to
    the default share through ``PSEUDO_RECORDS`` of smoothing."""

    total: int = 0
    given: int = 0  # records with the query's first given name (folded)
    family: int = 0  # records with the query's family name (folded)
    given_cluster: int = 0  # records whose first name is any form of it (Siôn, John, Jac...)

    def given_share(self) -> float:
        return _smoothed(self.given, self.total, DEFAULT_GIVEN_SHARE)

    def given_cluster_share(self) -> float:
        return _smoothed(max(self.given_cluster, self.given), self.total, DEFAULT_GIVEN_SHARE)

    def family_share(self) -> float:
        return _smoothed(self.family, self.total, DEFAULT_FAMILY_SHARE)


DEFAULT_GIVEN_SHARE = 0.01
DEFAULT_FAMILY_SHARE = 0.01
PSEUDO_RECORDS = 500


def _smoothed(count: int, total: int, default: float) -> float:
    return min((count + PSEUDO_RECORDS * default) / (total + PSEUDO_RECORDS), 0.5)


# Evidence weights, in natural-log odds: roughly ln(m/u), where m is how often the outcome occurs
# between two records of the same child and u how often between two different children (the
# Fellegi–Sunter model of record linkage). Estimated from what is known about registers (how
# often people give a nickname, move, mistype a date), not fitted to the benchmark's generator.
# Agreement on a name is weighted by that name's frequency (see Frequencies): m / share.
M_GIVEN_EXACT = 0.85
M_FAMILY_EXACT = 0.8
NAME_WEIGHT_RANGE = (2.0, 7.0)
# Another form of the first name (Welsh/English, nickname): weighed against how common the whole
# family of forms is – agreeing that Siôn is John says less where Siôn, Jac and Ioan abound.
M_GIVEN_FORM = 0.1
FORM_WEIGHT_RANGE = {"given_welsh_english": (1.5, 3.5), "given_nickname": (1.5, 3.0)}
WEIGHTS = {
    "given_preferred": 3.5,
    "given_similar": 2.0,
    "given_differs": -5.0,
    "family_part": 3.5,
    "family_former": 4.0,
    "family_similar": 2.5,
    "family_differs": -2.5,
    "dob_exact": 8.5,
    "dob_swapped": 6.0,
    "dob_similar": 3.5,
    "dob_differs": -5.0,
    "nhs_differs": -5.0,
    "la_same": 2.5,
    "la_differs": -1.8,
    "postcode_same": 5.0,
    "postcode_district": 1.0,
    "postcode_differs": -0.8,
}
#: Evidence at which the score is one half: roughly the log-odds against a given record of a
#: register of 100,000 children being the child asked about, before anything is compared.
OFFSET = 9.0
#: However well the rest agrees, a record whose first name is unrelated, or whose date of birth
#: is not even close, is offered only as a possible match for a person to look at (twins and
#: siblings share a family name, a postcode and sometimes a date of birth).
UNRELATED_CAP = 0.5


def _similar(a: str, b: str, *, jw: float = 0.9) -> bool:
    """A likely typing slip or spelling variant (both folded)."""
    if not a or not b:
        return False
    if len(a) >= 4 and len(b) >= 4 and OSA.distance(a, b, score_cutoff=1) <= 1:
        return True
    # Short names: one slip, keeping the first letter (Jac/Jak, Cai/Cia, Jac/Jc).
    if a[0] == b[0] and max(len(a), len(b)) <= 4 and OSA.distance(a, b, score_cutoff=1) <= 1:
        return True
    if min(len(a), len(b)) >= 7 and OSA.distance(a, b, score_cutoff=2) <= 2:
        return True
    if JaroWinkler.similarity(a, b) >= jw:
        return True
    # Spelt as it sounds (Evie/Evy, Davies/Davys): the same Metaphone code and first letter.
    return a[0] == b[0] and min(len(a), len(b)) >= 3 and phonetic(a) == phonetic(b)


def _given_level(query: Details, record: Details) -> tuple[str, Reason | None]:
    """The best agreement between the first names (and the record's preferred name)."""
    query_names = name_parts(query.given_name) + name_parts(query.preferred_name)
    record_given = name_parts(record.given_name)
    record_preferred = name_parts(record.preferred_name)
    if not query_names or not (record_given or record_preferred):
        return "missing", None
    if set(query_names) & set(record_given):
        return "given_exact", _reason("given_name")
    if set(query_names) & set(record_preferred):
        return "given_preferred", _reason("given_name_preferred")
    index = _name_index()
    empty: frozenset[int] = frozenset()
    query_display = query.given_name.split()[0] if query.given_name.split() else query.given_name
    best: tuple[str, Reason | None] = ("given_differs", None)
    for record_names, display_source in ((record_given, record.given_name), (record_preferred, record.preferred_name)):
        for q in query_names:
            for r in record_names:
                shared = index.groups(q) & index.groups(r)
                if not shared:
                    continue
                record_display = next((w for w in display_source.split() if fold(w) == r), r)
                q_welsh, r_welsh = index.welsh.get(q, empty) & shared, index.welsh.get(r, empty) & shared
                q_english, r_english = index.english.get(q, empty) & shared, index.english.get(r, empty) & shared
                if (q_welsh & r_english) or (q_english & r_welsh):
                    return "given_welsh_english", _reason(
                        "given_name_welsh_english", query=query_display, record=record_display
                    )
                best = ("given_nickname", _reason("given_name_nickname", query=query_display, record=record_display))
    if best[0] != "given_differs":
        return best
    for q in query_names:
        for r in record_given + record_preferred:
            if _similar(q, r):
                return "given_similar", _reason("given_name_similar")
    return "given_differs", None


@lru_cache(maxsize=1)
def _family_variants() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, names in enumerate(FAMILY_NAME_VARIANTS):
        for name in names:
            index.setdefault(fold(name), set()).add(number)
    return {k: frozenset(v) for k, v in index.items()}


def _family_level(query: Details, record: Details) -> tuple[str, Reason | None]:
    q_parts, r_parts = name_parts(query.family_name), name_parts(record.family_name)
    if not q_parts or not r_parts:
        return "missing", None
    q_full, r_full = "".join(q_parts), "".join(r_parts)
    if q_full == r_full:
        return "family_exact", _reason("family_name")
    q_set = {p for p in q_parts if len(p) >= 3} | {q_full}
    r_set = {p for p in r_parts if len(p) >= 3} | {r_full}
    if q_set & r_set:
        return "family_part", _reason("family_name_part")
    q_former, r_former = former_family_names(query.former_names), former_family_names(record.former_names)
    for mine, theirs in ((q_set, r_former), (r_set, q_former)):
        for a in mine:
            for b in theirs:
                if a == b or (len(a) >= 5 and _similar(a, b, jw=0.95)):
                    return "family_former", _reason("family_name_former")
    variants = _family_variants()
    if variants.get(q_full, frozenset()) & variants.get(r_full, frozenset()) or _similar(q_full, r_full, jw=0.9):
        return "family_similar", _reason("family_name_similar")
    if len(q_parts) > 1 or len(r_parts) > 1:
        for a in q_set:
            for b in r_set:
                if len(a) >= 4 and _similar(a, b, jw=0.93):
                    return "family_part", _reason("family_name_part")
    return "family_differs", None


def _slip(kind: str, a: int, b: int) -> bool:
    """Two values of one part of a date a typing slip apart: next to each other (14/15, 2012/2013),
    digits swapped (13/31, 01/10), or a day's tens digit wrong (14/24). A year many years out is
    not a slip: a child's age is not mistaken by years."""
    if abs(a - b) == 1:
        return True
    if kind == "year":
        return False
    if f"{a:02d}" == f"{b:02d}"[::-1]:
        return True
    return kind == "day" and abs(a - b) in (10, 20)


def _dob_level(query: date, record: date) -> tuple[str, Reason | None]:
    if query == record:
        return "dob_exact", _reason("date_of_birth")
    if swapped_date(query) == record:
        return "dob_swapped", _reason("date_of_birth_swapped")
    parts = (("year", query.year, record.year), ("month", query.month, record.month), ("day", query.day, record.day))
    differing = [(kind, a, b) for kind, a, b in parts if a != b]
    if len(differing) == 1 and _slip(*differing[0]):
        return "dob_similar", _reason("date_of_birth_similar")
    return "dob_differs", None


def _name_weight(m: float, share: float, bounds: tuple[float, float] = NAME_WEIGHT_RANGE) -> float:
    low, high = bounds
    return max(low, min(high, math.log(m / share)))


@lru_cache(maxsize=4096)
def _weights(frequencies: Frequencies) -> dict[str, float]:
    """The weights for one query: the fixed ones, and the name weights for its names' frequencies."""
    return {
        **WEIGHTS,
        "given_exact": _name_weight(M_GIVEN_EXACT, frequencies.given_share()),
        **{
            level: _name_weight(M_GIVEN_FORM, frequencies.given_cluster_share(), bounds)
            for level, bounds in FORM_WEIGHT_RANGE.items()
        },
        "family_exact": _name_weight(M_FAMILY_EXACT, frequencies.family_share()),
    }


def dates_related(query: date, record: date) -> bool:
    """Whether two dates of birth are the same, swapped or a slip apart (cheap; lets a caller skip
    pairs that can score no more than ``UNRELATED_CAP``)."""
    return _dob_level(query, record)[0] != "dob_differs"


def compare(
    query: Details, record: Details, frequencies: Frequencies | None = None
) -> tuple[float, float, list[Reason]]:
    """Score one record against the details: (score in [0, 1], evidence, reasons)."""
    weights = _weights(frequencies or Frequencies())
    query_nhs, record_nhs = normalise_nhs_number(query.nhs_number), normalise_nhs_number(record.nhs_number)
    reasons: list[Reason] = []
    evidence = 0.0
    if query_nhs and query_nhs == record_nhs:
        reasons.append(_reason("nhs_number"))
    contradicted = False
    given_level, given_reason = _given_level(query, record)
    family_level, family_reason = _family_level(query, record)
    dob_level, dob_reason = _dob_level(query.date_of_birth, record.date_of_birth)
    for level, reason in ((given_level, given_reason), (family_level, family_reason), (dob_level, dob_reason)):
        evidence += weights.get(level, 0.0)
        if reason is not None:
            reasons.append(reason)
    if query_nhs and record_nhs and query_nhs != record_nhs:
        evidence += weights["nhs_differs"]
        reasons.append(_reason("nhs_number_differs"))
        contradicted = True
    if query.local_authority_id and record.local_authority_id:
        if query.local_authority_id == record.local_authority_id:
            evidence += weights["la_same"]
            reasons.append(_reason("local_authority"))
        else:
            evidence += weights["la_differs"]
            contradicted = True
    query_postcode, record_postcode = normalise_postcode(query.postcode), normalise_postcode(record.postcode)
    if query_postcode and record_postcode:
        if query_postcode.replace(" ", "") == record_postcode.replace(" ", ""):
            evidence += weights["postcode_same"]
            reasons.append(_reason("postcode"))
        elif postcode_district(query_postcode) and postcode_district(query_postcode) == postcode_district(
            record_postcode
        ):
            evidence += weights["postcode_district"]
            reasons.append(_reason("postcode_district"))
        else:
            evidence += weights["postcode_differs"]
            contradicted = True
    if query_nhs and query_nhs == record_nhs:
        score = 1.0
    elif (
        given_level == "given_exact"
        and family_level == "family_exact"
        and dob_level == "dob_exact"
        and not contradicted
    ):
        score = 1.0  # the details given are identical to this record's
    else:
        score = min(round(1.0 / (1.0 + math.exp(-(evidence - OFFSET))), 3), 0.999)
        if given_level == "given_differs" or dob_level == "dob_differs":
            score = min(score, UNRELATED_CAP)
    return score, evidence, reasons


# --------------------------------------------------------------------------------------------
# Blocking.


def blocking_filter(
    *, given_name: str, family_name: str, date_of_birth: date, nhs_number: str = "", former_names: str = ""
) -> Q:
    """A Q over Child selecting the few rows worth scoring, using indexed columns only."""
    dates = [date_of_birth]
    swapped = swapped_date(date_of_birth)
    if swapped:
        dates.append(swapped)
    q = Q(date_of_birth__in=dates)
    nhs = normalise_nhs_number(nhs_number)
    if nhs:
        q |= Q(nhs_number=nhs)
    y, m, d = date_of_birth.year, date_of_birth.month, date_of_birth.day
    given_key = given_name_key(given_name)
    if given_key:
        q |= Q(name_key_given=given_key, birth_year=y, birth_month=m)
        q |= Q(name_key_given=given_key, birth_month=m, birth_day=d)
        q |= Q(name_key_given=given_key, birth_year=y, birth_day=d)
    family_keys = family_name_keys(family_name, former_names)
    if family_keys:
        q |= Q(name_key_family__in=family_keys, birth_year=y, birth_month=m)
        q |= Q(name_key_family__in=family_keys, birth_month=m, birth_day=d)
    return q


def register_frequencies(*, given_name: str, family_name: str) -> Frequencies:
    """How many records carry this first name and this family name, and how many there are (two
    index-only counts, and PostgreSQL's own row estimate where there is one)."""
    from django.db import connection

    from people.models import Child

    keys = identity_keys(given_name=given_name, family_name=family_name, date_of_birth=None)
    total = -1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Child._meta.db_table])
            row = cursor.fetchone()
            total = int(row[0]) if row else -1
    if total <= 0:
        total = Child.objects.count()
    given = Child.objects.filter(given_name_ascii=keys["given_name_ascii"]).count() if keys["given_name_ascii"] else 0
    family = (
        Child.objects.filter(family_name_ascii=keys["family_name_ascii"]).count() if keys["family_name_ascii"] else 0
    )
    cluster = Child.objects.filter(name_key_given=keys["name_key_given"]).count() if keys["name_key_given"] else 0
    return Frequencies(total=total, given=given, family=family, given_cluster=cluster)


def find_candidates(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    nhs_number: str = "",
    local_authority_id: int | None = None,
    postcode: str = "",
    exclude_id: int | None = None,
    limit: int = 10,
    former_names: str = "",
    preferred_name: str = "",
    min_score: float = POSSIBLE_MATCH,
) -> list[Candidate]:
    """Existing current records that may be this child, best first (at most ``limit``, each
    scoring at least ``min_score``).

    Internal: reads every service's records unscoped. Call it from a service function that shows
    the person only candidates in ``Child.objects.visible_to(user)``; never from a view.
    ``former_names`` and ``preferred_name`` (optional, when the intake has them) are compared
    with the records' family and first names, as the records' own are with the query's.
    """
    from people.models import Child

    query = Details(
        given_name=given_name or "",
        family_name=family_name or "",
        date_of_birth=date_of_birth,
        nhs_number=nhs_number or "",
        local_authority_id=local_authority_id,
        postcode=postcode or "",
        former_names=former_names or "",
        preferred_name=preferred_name or "",
    )
    blocked = Child.objects.filter(
        blocking_filter(
            given_name=query.given_name,
            family_name=query.family_name,
            date_of_birth=date_of_birth,
            nhs_number=query.nhs_number,
            former_names=query.former_names,
        )
    ).order_by()
    # Only current records, as Child.objects.current(). The test is applied to the few blocked rows
    # here rather than in SQL, where SQLite would otherwise scan the merged_into index (every row
    # is NULL there) instead of the blocking indexes: 30 ms instead of 2 at 100,000 records.
    rows = [child for child in blocked if child.merged_into_id is None and child.pk != exclude_id]
    if not rows:
        return []
    frequencies = register_frequencies(given_name=query.given_name, family_name=query.family_name)
    found: list[Candidate] = []
    for child in rows:
        score, evidence, reasons = compare(query, Details.of(child), frequencies)
        if score >= min_score:
            found.append(Candidate(child=child, score=score, reasons=reasons, evidence=evidence))
    found.sort(key=lambda c: (-c.score, -c.evidence, c.child.pk))
    return found[:limit]


def block_keys(details: Details) -> Iterable[tuple[Any, ...]]:
    """The in-memory equivalent of ``blocking_filter`` for one record (used by
    ``find_duplicates``): two records are compared only if they share at least one key."""
    dob = details.date_of_birth
    yield ("dob", dob)
    swapped = swapped_date(dob)
    if swapped:
        yield ("dob", swapped)
    nhs = normalise_nhs_number(details.nhs_number)
    if nhs:
        yield ("nhs", nhs)
    y, m, d = dob.year, dob.month, dob.day
    given_key = given_name_key(details.given_name)
    if given_key:
        yield ("g_ym", given_key, y, m)
        yield ("g_md", given_key, m, d)
        yield ("g_yd", given_key, y, d)
    for key in family_name_keys(details.family_name, details.former_names):
        yield ("f_ym", key, y, m)
        yield ("f_md", key, m, d)
