"""Scores-only measures (SDQ, RCADS, YP-CORE, CORS): the total and each subscale defined on the
instrument, as entered from the licensed form; ranges checked per field; the SDQ's total
difficulties agrees with its four difficulties subscales; nothing saved on error; no item text."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from episodes import services as episode_services
from outcomes.models import Instrument, Measurement, MeasurementPoint, PointStatus, ScoringMethod
from outcomes.services import _scores_only

TODAY = timezone.localdate

# The published ranges, written out here (not read from the migration): VERIFY (docs/outcomes.md).
SDQ = [("emotional", 0, 10, True), ("conduct", 0, 10, True), ("hyperactivity", 0, 10, True),
       ("peer", 0, 10, True), ("prosocial", 0, 10, False)]  # fmt: skip
RCADS = [("separation", 0, 21), ("generalised", 0, 18), ("panic", 0, 27), ("social", 0, 27), ("ocd", 0, 18),
         ("depression", 0, 30)]  # fmt: skip


def sdq_instrument() -> Instrument:
    subscales = [{"code": c, "name_en": c.title(), "name_cy": c, "min": lo, "max": hi, "in_total": t}
                 for c, lo, hi, t in SDQ]  # fmt: skip
    return Instrument(code="sdq", scoring=ScoringMethod.SCORES_ONLY, score_min=Decimal(0), score_max=Decimal(40),
                      subscales=subscales)  # fmt: skip


def rcads_instrument() -> Instrument:
    subscales = [{"code": c, "name_en": c.title(), "name_cy": c, "min": lo, "max": hi} for c, lo, hi in RCADS]
    return Instrument(code="rcads", scoring=ScoringMethod.SCORES_ONLY, score_min=Decimal(0),
                      score_max=Decimal(141), subscales=subscales)  # fmt: skip


@pytest.mark.django_db
def test_the_subscales_are_defined_as_data():
    by_code = {i.code: i for i in Instrument.objects.filter(scoring=ScoringMethod.SCORES_ONLY)}
    sdq = [(s["code"], s["min"], s["max"], s["in_total"]) for s in by_code["sdq"].subscales]
    assert sdq == SDQ
    assert [s["name_en"] for s in by_code["sdq"].subscales] == [
        "Emotional symptoms", "Conduct problems", "Hyperactivity/inattention", "Peer relationship problems",
        "Prosocial behaviour"]  # fmt: skip
    rcads = [(s["code"], s["min"], s["max"]) for s in by_code["rcads"].subscales]
    assert rcads == RCADS and sum(hi for _c, _lo, hi in RCADS) == by_code["rcads"].score_max == 141
    assert by_code["yp_core"].subscales == [] and by_code["cors"].subscales == []
    for instrument in by_code.values():
        for sub in instrument.subscales:
            assert sub["name_en"] and sub["name_cy"]  # both languages, no item text
            assert set(sub) <= {"code", "name_en", "name_cy", "min", "max", "in_total"}


@given(
    st.sampled_from(RCADS),
    st.integers(-100, 200),
    st.integers(0, 141),
)
def test_each_subscale_is_checked_against_its_own_range(sub, value, total):
    code, low, high = sub
    errors: dict[str, str] = {}
    result = _scores_only(rcads_instrument(), {"total": str(total), f"sub_{code}": str(value)}, errors)
    if low <= value <= high:
        assert errors == {} and result is not None
        assert result["subscales"] == {code: value} and result["score"] == Decimal(total)
    else:
        assert result is None
        assert errors == {f"rcads_sub_{code}": f"{code.title()} must be from {low} to {high}"}


@given(st.lists(st.integers(0, 10), min_size=4, max_size=4), st.one_of(st.none(), st.integers(0, 40)))
def test_the_sdq_total_agrees_with_its_four_difficulties_subscales(parts, total):
    raw = {f"sub_{c}": str(v) for (c, *_rest), v in zip(SDQ, parts, strict=False)}
    raw["sub_prosocial"] = "7"  # not part of total difficulties
    if total is not None:
        raw["total"] = str(total)
    errors: dict[str, str] = {}
    result = _scores_only(sdq_instrument(), raw, errors)
    if total is None or total == sum(parts):
        assert errors == {} and result is not None
        assert result["score"] == Decimal(sum(parts))  # computed when only the subscales are entered
        assert result["subscales"]["prosocial"] == 7
    else:
        assert result is None and f"({sum(parts)})" in errors["sdq_total"]


@given(st.lists(st.integers(0, 10), min_size=1, max_size=3))
def test_without_all_four_subscales_a_total_is_needed(parts):
    raw = {f"sub_{c}": str(v) for (c, *_rest), v in zip(SDQ, parts, strict=False)}
    errors: dict[str, str] = {}
    assert _scores_only(sdq_instrument(), raw, errors) is None
    assert errors == {"sdq_total": "Enter the total, or every subscale that makes it up"}
    errors.clear()
    result = _scores_only(sdq_instrument(), {**raw, "total": "33"}, errors)  # no agreement check: partial
    assert errors == {} and result["score"] == Decimal(33)


@pytest.mark.parametrize("text", ["2.5", "x", "1e1"])
def test_a_subscale_must_be_a_whole_number(text):
    errors: dict[str, str] = {}
    assert _scores_only(sdq_instrument(), {"total": "10", "sub_conduct": text}, errors) is None
    assert errors == {"sdq_sub_conduct": "Enter Conduct as a whole number from 0 to 10"}


# --- Through the entry page and the outcomes page ---------------------------------------------


@pytest.fixture
def point(child, alice):
    episode = episode_services.open_episode(
        by=alice, child=child, opened_on=TODAY() - datetime.timedelta(days=30), opened_from="returning"
    )
    return MeasurementPoint.objects.get(episode=episode, kind="start")


def entry(**extra):
    day = TODAY()
    return {"key": "k1", "source": "with_practitioner", "taken_on_day": str(day.day),
            "taken_on_month": str(day.month), "taken_on_year": str(day.year), **extra}  # fmt: skip


@pytest.mark.django_db
def test_the_entry_page_asks_for_each_subscale_by_name_only(client_for, alice, point):
    page = client_for(alice).get(reverse("outcomes:point_record", args=[point.pk])).content.decode()
    for name in ("Emotional symptoms", "Hyperactivity/inattention", "Peer relationship problems"):
        assert name in page
    assert 'name="sdq_sub_prosocial"' in page and "Leave it blank to have it added up" in page


@pytest.mark.django_db
def test_four_subscales_record_the_total_and_show_beside_it(client_for, alice, child, point):
    client = client_for(alice)
    data = entry(sdq_sub_emotional="6", sdq_sub_conduct="3", sdq_sub_hyperactivity="7", sdq_sub_peer="2",
                 sdq_sub_prosocial="8")  # fmt: skip
    assert client.post(reverse("outcomes:point_record", args=[point.pk]), data).status_code == 302
    sdq = Measurement.objects.get(point=point, instrument__code="sdq")
    assert sdq.score == Decimal(18) and sdq.subscales == {
        "emotional": 6, "conduct": 3, "hyperactivity": 7, "peer": 2, "prosocial": 8}  # fmt: skip
    page = client.get(reverse("outcomes:child_outcomes", args=[child.pk])).content.decode()
    assert "Emotional symptoms: 6" in page and "Prosocial behaviour: 8" in page
    with translation.override("cy"):
        url = reverse("outcomes:child_outcomes", args=[child.pk])
    assert "Symptomau emosiynol: 6" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"sdq_total": "12", "sdq_sub_peer": "11"}, "sdq_sub_peer", "Peer relationship problems must be from 0 to 10"),
        ({"sdq_total": "12", "sdq_sub_emotional": "-1"}, "sdq_sub_emotional", "Emotional symptoms must be from 0"),
        (
            {"sdq_total": "20", "sdq_sub_emotional": "6", "sdq_sub_conduct": "3", "sdq_sub_hyperactivity": "7",
             "sdq_sub_peer": "2"},
            "sdq_total", "The total must be the sum of",
        ),
        ({"sdq_sub_emotional": "4"}, "sdq_total", "Enter the total, or every subscale that makes it up"),
    ],
)  # fmt: skip
def test_bad_subscales_are_shown_beside_the_field_kept_and_nothing_saved(
    client_for, alice, point, extra, field, message
):
    response = client_for(alice).post(reverse("outcomes:point_record", args=[point.pk]), entry(**extra))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and f'href="#id_{field}"' in page
    for name, value in extra.items():
        assert f'name="{name}" value="{value}"' in page or f'value="{value}"' in page  # all typed kept
    assert not Measurement.objects.exists()
    point.refresh_from_db()
    assert point.status == PointStatus.DUE
