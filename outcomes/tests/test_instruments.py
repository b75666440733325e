"""Instruments are data: loaded by migration with cited parameters, no licensed wording shipped,
wording loadable by a licence holder only when complete in both languages; managers see them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from outcomes.models import Instrument, InstrumentWording
from outcomes.scoring import ChangeCategory, change_category

pytestmark = pytest.mark.django_db

CODES = {"swemwbs", "wemwbs", "gbo", "trusted_adult", "knows_help", "sdq", "rcads", "yp_core", "cors"}


def test_the_migration_loads_every_instrument_with_names_in_both_languages_and_cited_parameters():
    instruments = {i.code: i for i in Instrument.objects.all()}
    assert set(instruments) == CODES
    for i in instruments.values():
        assert i.name_en and i.name_cy and i.source and i.licence_note_en and i.licence_note_cy
        assert i.age_citation
        assert i.cutoff is None  # no default caseness cut-off, for any instrument
        if i.rc_method != "none":
            assert i.rc_scale and i.rc_population and i.rc_citation
    sw = instruments["swemwbs"]
    assert (sw.items, sw.response_min, sw.response_max, sw.rc_scale) == (7, 1, 5, "metric")
    assert round(sw.change_rule().threshold, 2) == Decimal("3.76")
    assert instruments["wemwbs"].items == 14 and instruments["wemwbs"].change_rule() is None
    assert instruments["gbo"].change_rule().threshold == Decimal("2.45")
    assert {i.code for i in instruments.values() if i.scoring == "scores_only"} == {"sdq", "rcads", "yp_core", "cors"}


def test_no_wording_is_shipped():
    assert not InstrumentWording.objects.exists()


def test_age_ranges_choose_the_measures():
    by_code = {i.code: i for i in Instrument.objects.all()}
    assert not by_code["swemwbs"].valid_for_age(9) and by_code["swemwbs"].valid_for_age(15)
    assert (
        by_code["gbo"].valid_for_age(5) and by_code["cors"].valid_for_age(12) and not by_code["cors"].valid_for_age(13)
    )


def test_an_instruments_rule_judges_change_in_its_direction():
    rule = Instrument.objects.get(code="swemwbs").change_rule()
    assert (
        change_category(first=Decimal("17.43"), latest=Decimal("22.35"), rule=rule)
        is ChangeCategory.RELIABLE_IMPROVEMENT
    )
    rule = Instrument.objects.get(code="gbo").change_rule()
    assert change_category(first=Decimal(6), latest=Decimal(3), rule=rule) is ChangeCategory.RELIABLE_DETERIORATION


def _file(tmp_path, data):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_loading_wording_in_both_languages(tmp_path, capsys):
    data = {"en": [f"Synthetic item {n}" for n in range(1, 8)], "cy": [f"Eitem synthetig {n}" for n in range(1, 8)]}
    call_command("load_instrument_wording", "swemwbs", _file(tmp_path, data))
    rows = list(InstrumentWording.objects.filter(instrument__code="swemwbs"))
    assert [(r.number, r.text_en, r.text_cy) for r in rows][0] == (1, "Synthetic item 1", "Eitem synthetig 1")
    assert len(rows) == 7
    assert "Loaded the wording of 7 items" in capsys.readouterr().out
    # Loading again replaces, never duplicates.
    call_command("load_instrument_wording", "swemwbs", _file(tmp_path, data))
    assert InstrumentWording.objects.filter(instrument__code="swemwbs").count() == 7


@pytest.mark.parametrize(
    ("code", "data", "reason"),
    [
        ("swemwbs", {"en": ["x"] * 6, "cy": ["y"] * 6}, "swemwbs has 7 items; the file has 6 in English"),
        ("swemwbs", {"en": ["x"] * 7}, "no Welsh wording"),
        ("swemwbs", {"cy": ["y"] * 7}, "no English wording"),
        ("swemwbs", {"en": ["x"] * 7, "cy": ["y"] * 6 + [" "]}, "Item 7 has no Welsh wording"),
        ("wemwbs", {"en": ["x"] * 7, "cy": ["y"] * 7}, "wemwbs has 14 items; the file has 7 in English"),
        ("sdq", {"en": ["x"] * 7, "cy": ["y"] * 7}, "no licensed wording to load"),
        ("nosuch", {"en": [], "cy": []}, "No instrument with code"),
    ],
)
def test_incomplete_wording_is_refused_with_the_reason(tmp_path, code, data, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("load_instrument_wording", code, _file(tmp_path, data))
    assert not InstrumentWording.objects.exists()


def test_managers_see_the_instruments_page_with_sources(client_for, manager):
    page = client_for(manager).get(reverse("outcomes:instrument_list")).content.decode()
    assert "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)" in page
    assert "Jacobson NS, Truax P" in page and "3.76" in page
    assert "SD 3.92, reliability 0.88 (metric score): a change of more than 3.76 points is reliable." in page
    assert "A change of more than 2.45 points (raw score) is reliable. Applies to: the mean over goals." in page
    assert "None configured: reliable recovery is not reported." in page
    assert "Not loaded: the form asks for each numbered item" in page


def test_the_instruments_page_in_welsh(client_for, manager):
    with translation.override("cy"):
        url = reverse("outcomes:instrument_list")
    assert url.startswith("/cy/")
    page = client_for(manager).get(url).content.decode()
    assert "Graddfa Fer Warwick-Caeredin ar gyfer Llesiant Meddyliol (SWEMWBS)" in page


def test_others_may_not_see_the_instruments_page(client_for, alice, commissioner):
    for user in (alice, commissioner):
        assert client_for(user).get(reverse("outcomes:instrument_list")).status_code == 404


def test_the_managers_home_page_links_to_the_instruments(client_for, manager, alice):
    link = f'href="{reverse("outcomes:instrument_list")}"'
    assert link in client_for(manager).get(reverse("core:home")).content.decode()
    assert link not in client_for(alice).get(reverse("core:home")).content.decode()
