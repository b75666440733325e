"""Identity matching (people.identity): one child, one record."""

import datetime
import importlib
import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from people.identity import (
    LIKELY_MATCH,
    POSSIBLE_MATCH,
    UNRELATED_CAP,
    Details,
    compare,
    fill_identity_keys,
    find_candidates,
    fold,
    given_name_key,
    normalise_postcode,
)
from people.models import Child
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

DOB = datetime.date(2012, 3, 7)


def make(service, given_name, family_name, date_of_birth=DOB, **extra):
    return ChildFactory(
        service=service, given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, **extra
    )


def lookup(la=None, **details):
    details.setdefault("date_of_birth", DOB)
    return find_candidates(local_authority_id=la.pk if la else None, **details)


def codes(candidate):
    return set(candidate.reason_codes)


# --- Names --------------------------------------------------------------------------------


def test_sion_without_the_accent_is_the_same_name(south, la_cardiff):
    kid = make(south, "Siôn", "Prydderch", responsible_local_authority=la_cardiff)
    [top] = lookup(given_name="Sion", family_name="Prydderch", la=la_cardiff)
    assert top.child == kid
    assert top.score == 1.0
    assert {"given_name", "family_name", "date_of_birth", "local_authority"} <= codes(top)


def test_john_is_a_known_english_form_of_sion(south):
    kid = make(south, "Siôn", "Prydderch")
    [top] = lookup(given_name="John", family_name="Prydderch")
    assert top.child == kid
    assert top.score >= LIKELY_MATCH
    assert "given_name_welsh_english" in codes(top)
    reason = next(r for r in top.reasons if r.code == "given_name_welsh_english")
    assert str(reason) == "Known Welsh/English form of the first name (John/Siôn)"


def test_dafydd_and_david(south):
    kid = make(south, "Dafydd", "Rowlands")
    [top] = lookup(given_name="David", family_name="Rowlands")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "given_name_welsh_english" in codes(top)


def test_other_welsh_english_pairs_from_the_domain_notes():
    for welsh, english in [
        ("Gwilym", "William"),
        ("Ioan", "John"),
        ("Rhys", "Rees"),
        ("Huw", "Hugh"),
        ("Elin", "Ellen"),
        ("Siân", "Jane"),
    ]:
        record = Details(given_name=welsh, family_name="Morgan", date_of_birth=DOB)
        query = Details(given_name=english, family_name="Morgan", date_of_birth=DOB)
        score, _evidence, reasons = compare(query, record)
        assert "given_name_welsh_english" in {r.code for r in reasons}, (welsh, english)
        assert score >= LIKELY_MATCH, (welsh, english, score)
        assert given_name_key(welsh) == given_name_key(english)


def test_nickname(south):
    kid = make(south, "Alexander", "Bevan")
    [top] = lookup(given_name="Alex", family_name="Bevan")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "given_name_nickname" in codes(top)


def test_preferred_name_on_the_record(south):
    kid = make(south, "Gwenllïan", "Tudor", preferred_name="Gwen")
    [top] = lookup(given_name="Gwen", family_name="Tudor")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "given_name_preferred" in codes(top)


def test_typos_in_names(south):
    kid = make(south, "Cerys", "Pritchard")
    [top] = lookup(given_name="Ceris", family_name="Prichard")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert {"given_name_similar", "family_name_similar"} <= codes(top)


def test_hyphenated_family_name(south):
    kid = make(south, "Ffion", "Jones")
    [top] = lookup(given_name="Ffion", family_name="Jones-Price")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "family_name_part" in codes(top)
    reason = next(r for r in top.reasons if r.code == "family_name_part")
    assert str(reason) == "Hyphenated or changed family name"


def test_family_name_changed_after_adoption_is_found_through_former_names(south):
    kid = make(south, "Osian", "Parry", former_names="Osian Williams (birth name)")
    [top] = lookup(given_name="Osian", family_name="Williams")
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "family_name_former" in codes(top)


def test_former_name_given_with_the_query(south):
    kid = make(south, "Osian", "Williams")
    [top] = lookup(given_name="Osian", family_name="Parry", former_names="Williams")
    assert top.child == kid and top.score >= LIKELY_MATCH


# --- Dates of birth and identifiers -----------------------------------------------------------


def test_day_and_month_swapped(south):
    kid = make(south, "Mali", "Evans", date_of_birth=datetime.date(2012, 3, 7))
    [top] = lookup(given_name="Mali", family_name="Evans", date_of_birth=datetime.date(2012, 7, 3))
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "date_of_birth_swapped" in codes(top)
    assert (
        str(next(r for r in top.reasons if r.code == "date_of_birth_swapped"))
        == "Day and month swapped in date of birth"
    )


def test_a_slip_in_the_date_of_birth(south):
    kid = make(south, "Tomos", "Llewellyn", date_of_birth=datetime.date(2011, 10, 13))
    [top] = lookup(given_name="Tomos", family_name="Llewellyn", date_of_birth=datetime.date(2011, 10, 31))
    assert top.child == kid and top.score >= LIKELY_MATCH
    assert "date_of_birth_similar" in codes(top)


def test_exact_nhs_number_is_the_top_score_whatever_else_differs(south):
    kid = make(south, "Ffion", "Hughes", nhs_number="9434765919")
    make(south, "Ffion", "Hughes")  # same name and date of birth, no NHS number
    found = lookup(
        given_name="Fiona", family_name="Smith", date_of_birth=datetime.date(2001, 1, 1), nhs_number="943 476 5919"
    )
    assert found[0].child == kid
    assert found[0].score == 1.0
    assert "nhs_number" in codes(found[0])


def test_different_nhs_numbers_count_against(south):
    kid = make(south, "Ffion", "Hughes", nhs_number="9434765919")
    [top] = lookup(given_name="Ffion", family_name="Hughes", nhs_number="9876543210")
    assert top.child == kid
    assert top.score < 1.0
    assert "nhs_number_differs" in codes(top)


def test_same_local_authority_and_postcode_are_reasons(south, la_cardiff):
    make(south, "Elis", "Bowen", responsible_local_authority=la_cardiff, postcode="cf10 1aa")
    [top] = lookup(given_name="Elis", family_name="Bowen", la=la_cardiff, postcode="CF101AA")
    assert {"local_authority", "postcode"} <= codes(top)
    texts = [str(r) for r in top.reasons]
    assert "Same local authority" in texts and "Same postcode" in texts


# --- Not the same child -----------------------------------------------------------------------


def test_a_different_child_scores_low_or_not_at_all(south):
    make(south, "Ffion", "Jones", date_of_birth=datetime.date(2012, 3, 27))
    assert lookup(given_name="Gethin", family_name="Smith", date_of_birth=datetime.date(2009, 11, 2)) == []
    score, _evidence, _reasons = compare(
        Details(given_name="Gethin", family_name="Smith", date_of_birth=datetime.date(2009, 11, 2)),
        Details(given_name="Ffion", family_name="Jones", date_of_birth=datetime.date(2012, 3, 27)),
    )
    assert score < POSSIBLE_MATCH


def test_a_twin_is_not_a_likely_match(south, la_cardiff):
    twin = make(south, "Elin", "Bowen", responsible_local_authority=la_cardiff, postcode="CF10 1AA")
    found = lookup(given_name="Gethin", family_name="Bowen", la=la_cardiff, postcode="CF10 1AA")
    assert [c.child for c in found] == [twin]
    assert found[0].score <= UNRELATED_CAP


def test_a_sibling_is_not_a_candidate(south, la_cardiff):
    make(
        south,
        "Elin",
        "Bowen",
        date_of_birth=datetime.date(2010, 5, 1),
        responsible_local_authority=la_cardiff,
        postcode="CF10 1AA",
    )
    found = lookup(
        given_name="Gethin",
        family_name="Bowen",
        date_of_birth=datetime.date(2013, 8, 19),
        la=la_cardiff,
        postcode="CF10 1AA",
    )
    assert all(c.score < LIKELY_MATCH for c in found)


def test_merged_and_excluded_records_are_not_candidates(south):
    keep = make(south, "Cai", "Owen")
    merged = make(south, "Cai", "Owen", merged_into=keep)
    found = lookup(given_name="Cai", family_name="Owen")
    assert [c.child for c in found] == [keep]
    assert merged not in [c.child for c in found]
    assert lookup(given_name="Cai", family_name="Owen", exclude_id=keep.pk) == []


def test_limit_and_order(south):
    exact = make(south, "Lowri", "Evans")
    similar = make(south, "Lowri", "Evans", date_of_birth=datetime.date(2012, 3, 8))
    nickname = make(south, "Laura", "Evans")
    found = lookup(given_name="Lowri", family_name="Evans")
    assert [c.child for c in found][0] == exact
    assert {c.child for c in found} == {exact, similar, nickname}
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert len(lookup(given_name="Lowri", family_name="Evans", limit=1)) == 1


# --- Keys ------------------------------------------------------------------------------------


def test_keys_and_postcode_are_kept_on_save(south):
    kid = make(south, "Siôn", "Rhys-Jones", postcode="cf10  1aa", date_of_birth=datetime.date(2011, 4, 5))
    kid.refresh_from_db()
    assert kid.postcode == "CF10 1AA"
    assert kid.given_name_ascii == "sion" and kid.family_name_ascii == "rhysjones"
    assert (kid.birth_year, kid.birth_month, kid.birth_day) == (2011, 4, 5)
    assert kid.name_key_given == given_name_key("John")
    kid.family_name = "Price"
    kid.date_of_birth = datetime.date(2011, 5, 4)
    kid.save(update_fields=["family_name", "date_of_birth"])
    kid.refresh_from_db()
    assert kid.family_name_ascii == "price" and kid.birth_month == 5


def test_fill_identity_keys_for_bulk_creation(south, la_cardiff):
    kid = Child(
        service=south,
        given_name="Dafydd",
        family_name="ap Iorwerth",
        date_of_birth=DOB,
        responsible_local_authority=la_cardiff,
        legal_status="looked_after",
        postcode="sa1 1aa",
    )
    fill_identity_keys(kid)
    Child.objects.bulk_create([kid])
    stored = Child.objects.get(family_name="ap Iorwerth")
    assert stored.name_key_given == given_name_key("David") and stored.postcode == "SA1 1AA"
    assert lookup(given_name="David", family_name="ap Iorwerth")[0].child == stored


def test_the_data_migration_fills_keys_for_existing_rows(south):
    kid = make(south, "Gwilym", "Bevan", postcode="ll55 1aa")
    Child.objects.filter(pk=kid.pk).update(name_key_given="", name_key_family="", given_name_ascii="", birth_year=None)
    migration = importlib.import_module("people.migrations.0003_fill_identity_keys")
    from django.apps import apps

    migration.fill_keys(apps, SimpleNamespace(connection=connection))
    kid.refresh_from_db()
    assert kid.name_key_given == given_name_key("William") and kid.birth_year == DOB.year
    assert kid.given_name_ascii == "gwilym"


def test_seed_demo_sets_keys_and_synthetic_welsh_postcodes(db):
    call_command("seed_demo", children=25, seed=3, no_progress=True, quiet_logins=True)
    kids = list(Child.objects.all())
    assert len(kids) == 25
    assert all(k.name_key_given and k.name_key_family and k.birth_year for k in kids)
    assert all(re.fullmatch(r"(CF|SA|LL|NP|SY|LD)\d{1,2} \d[A-Z]{2}", k.postcode) for k in kids)
    assert all(k.given_name_ascii == fold(k.given_name.split()[0]) for k in kids)


def test_postcode_normalisation():
    assert normalise_postcode(" cf10 1aa ") == "CF10 1AA"
    assert normalise_postcode("LL551AA") == "LL55 1AA"
    assert normalise_postcode("") == ""


# --- Properties ------------------------------------------------------------------------------

NAME_LETTERS = "abcdefghijklmnopqrstuvwyzâêîôûŵŷïABCDEFGHIJKLMNOPRSTUWY"
# A name holds two letters in a row (so it folds to at least two, as compare() needs) among
# letters, hyphens, apostrophes and spaces: valid by construction. It used to be st.text(...).filter(fold >= 2):
# rejected draws, and st.text() builds Hypothesis's Unicode tables on the first run of a fresh
# checkout (.hypothesis/unicode_data) inside the first example's data generation, which failed
# the too_slow health check on a cold, busy machine. Drawing from the alphabet needs neither.
_name_letter = st.sampled_from(NAME_LETTERS)
_name_char = st.sampled_from(NAME_LETTERS + "-' ")
names = st.builds(
    lambda before, letters, after: "".join(before) + "".join(letters) + "".join(after),
    st.lists(_name_char, max_size=3),
    st.lists(_name_letter, min_size=2, max_size=2),
    st.lists(_name_char, max_size=25),
)
dates = st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2025, 12, 31))
postcodes = st.sampled_from(["", "CF10 1AA", "SA1 2BD", "LL55 4EF", "NP20 3GH"])
nhs_numbers = st.sampled_from(["", "9434765919", "9990000018"])


@given(given_name=names, family_name=names, date_of_birth=dates, postcode=postcodes)
def test_details_score_one_against_themselves(given_name, family_name, date_of_birth, postcode):
    details = Details(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, postcode=postcode)
    score, _evidence, _reasons = compare(details, details)
    assert score == 1.0


@given(
    a=st.tuples(names, names, dates, nhs_numbers, postcodes, st.sampled_from([None, 1, 2])),
    b=st.tuples(names, names, dates, nhs_numbers, postcodes, st.sampled_from([None, 1, 2])),
)
def test_scores_are_between_zero_and_one(a, b):
    first, second = (
        Details(given_name=g, family_name=f, date_of_birth=d, nhs_number=n, postcode=p, local_authority_id=la)
        for g, f, d, n, p, la in (a, b)
    )
    score, _evidence, reasons = compare(first, second)
    assert 0.0 <= score <= 1.0
    assert all(str(reason) for reason in reasons)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_name=names, family_name=names, date_of_birth=dates, postcode=postcodes, nhs_number=nhs_numbers)
def test_a_record_finds_itself_first_with_score_one(
    south, la_cardiff, given_name, family_name, date_of_birth, postcode, nhs_number
):
    kid = make(
        south,
        given_name,
        family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
        responsible_local_authority=la_cardiff,
    )
    try:
        found = find_candidates(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            nhs_number=nhs_number,
            local_authority_id=la_cardiff.pk,
            postcode=postcode,
        )
        assert found[0].child == kid
        assert found[0].score == 1.0
        assert all(0.0 <= c.score <= 1.0 for c in found)
    finally:
        Child.objects.filter(pk=kid.pk).delete()


# --- find_duplicates -------------------------------------------------------------------------


@pytest.fixture
def register(south, north, la_cardiff):
    """Two records of one child (Siôn/Sion), a third of the same child merged away, a sibling,
    and an unrelated child."""
    first = make(south, "Siôn", "Prydderch", responsible_local_authority=la_cardiff, postcode="CF10 1AA")
    second = make(south, "Sion", "Prydderch", responsible_local_authority=la_cardiff)
    make(south, "John", "Prydderch", merged_into=first)
    make(south, "Elin", "Prydderch", date_of_birth=datetime.date(2009, 1, 5), postcode="CF10 1AA")
    make(north, "Gethin", "Bowen", date_of_birth=datetime.date(2015, 6, 1))
    return first, second


def run_find_duplicates(**options):
    from io import StringIO

    out = StringIO()
    call_command("find_duplicates", stdout=out, **options)
    return out.getvalue()


def test_find_duplicates_csv_lists_each_pair_once_with_score_and_reasons(register):
    import csv
    import io

    first, second = register
    rows = list(csv.DictReader(io.StringIO(run_find_duplicates(format="csv"))))
    assert len(rows) == 1
    [row] = rows
    assert (int(row["child_id"]), int(row["other_id"])) == (first.pk, second.pk)
    assert float(row["score"]) == 1.0
    assert {"given_name", "family_name", "date_of_birth", "local_authority"} <= set(row["reason_codes"].split(";"))
    assert "Same first name" in row["reasons"] and "Same date of birth" in row["reasons"]


def test_find_duplicates_json(register):
    import json

    first, second = register
    pairs = json.loads(run_find_duplicates(format="json"))
    assert [(p["child_id"], p["other_id"]) for p in pairs] == [(first.pk, second.pk)]
    assert pairs[0]["score"] == 1.0
    assert {"code": "date_of_birth", "text": "Same date of birth"} in pairs[0]["reasons"]


def test_find_duplicates_empty_json_is_still_json(south):
    import json

    make(south, "Ffion", "Jones")
    assert json.loads(run_find_duplicates(format="json")) == []


def test_find_duplicates_min_score_limit_and_service(register, south, north):
    import json

    make(south, "Dafydd", "Rowlands", date_of_birth=datetime.date(2010, 2, 3))
    make(south, "David", "Rowlands", date_of_birth=datetime.date(2010, 3, 2))
    everything = json.loads(run_find_duplicates(format="json", min_score=0.5))
    assert len(everything) == 2
    assert len(json.loads(run_find_duplicates(format="json", min_score=0.5, limit=1))) == 1
    strict = json.loads(run_find_duplicates(format="json", min_score=1.0))
    assert len(strict) == 1
    assert json.loads(run_find_duplicates(format="json", service=north.code)) == []
    swapped = next(p for p in everything if p["score"] < 1.0)
    assert {"given_name_welsh_english", "date_of_birth_swapped"} <= {r["code"] for r in swapped["reasons"]}


def test_find_duplicates_is_audited_and_checks_its_options(register):
    from django.core.management.base import CommandError

    from audit.models import Action, AuditEvent

    run_find_duplicates(format="csv")
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert event.detail["command"] == "find_duplicates" and event.detail["pairs"] == 1
    with pytest.raises(CommandError):
        run_find_duplicates(min_score=1.5)
