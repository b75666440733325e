"""The self-assessment's rules: one draft at a time, levels and evidence (links validated),
the action plan's owner from the service, completion only when every statement has a level,
completed rounds read-only, stale saves refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from core.errors import StaleEditError
from selfassess import services
from selfassess.models import Action, ActionStatus, Domain, Level, Rating, Round, Statement
from selfassess.tests.conftest import completed_round, rate_all

DAY = datetime.date(2026, 9, 1)


def test_the_shipped_framework_is_nyths_reading_in_both_languages(framework):
    assert framework.is_nyth_reading
    assert "Nyth's reading" in framework.name_en and "dehongliad Nyth" in framework.name_cy
    assert "not the official" in framework.description_en
    domains = list(framework.domains.all())
    assert [d.code for d in domains][:4] == ["nurturing", "empowering", "safe", "trusted"]
    assert {"welsh-language", "outcomes", "long-term-transitions"} <= {d.code for d in domains}
    assert [level.value for level in framework.levels.all()] == [1, 2, 3, 4]
    for statement in Statement.objects.filter(domain__framework=framework):
        assert statement.text_en and statement.text_cy and statement.text_en != statement.text_cy


def test_starting_makes_one_empty_rating_per_statement_and_a_second_start_returns_the_draft(south, manager, framework):
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    assert Rating.objects.filter(round=round_, level__isnull=True).count() == 14
    again = services.start_round(by=manager, service=south, assessed_on=DAY)
    assert again.pk == round_.pk and Round.objects.count() == 1
    assert (
        AuditEvent.objects.filter(object_type="selfassess.round", object_id=str(round_.pk), action="create").count()
        == 1
    )


def test_only_the_services_own_manager_may_start_or_change(
    south, north, manager, alice, charlie, commissioner, framework
):
    for user in (alice, charlie, commissioner):
        with pytest.raises(PermissionDenied):
            services.start_round(by=user, service=south, assessed_on=DAY)
    with pytest.raises(PermissionDenied):
        services.start_round(by=manager, service=north, assessed_on=DAY)
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    with pytest.raises(PermissionDenied):
        services.save_ratings(by=alice, round_=round_, expected_version=round_.version, values={})


def test_a_save_based_on_an_older_version_is_refused_and_nothing_is_overwritten(south, manager, framework):
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    opened_at = round_.version
    statement = Statement.objects.filter(domain__framework=framework).first()
    two, three = Level.objects.get(framework=framework, value=2), Level.objects.get(framework=framework, value=3)
    services.save_ratings(
        by=manager, round_=round_, expected_version=opened_at,
        values={statement.pk: services.RatingValues(level=two, evidence="First", links=[])},
    )  # fmt: skip
    with pytest.raises(StaleEditError) as caught:
        services.save_ratings(
            by=manager, round_=round_, expected_version=opened_at,
            values={statement.pk: services.RatingValues(level=three, evidence="Second", links=[])},
        )  # fmt: skip
    assert caught.value.current.version == opened_at + 1
    rating = Rating.objects.get(round=round_, statement=statement)
    assert (rating.level_id, rating.evidence) == (two.pk, "First")


def test_links_must_be_web_addresses():
    assert services.parse_links(" https://example.org/a \n\nhttp://example.org/b\n") == [
        "https://example.org/a",
        "http://example.org/b",
    ]
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "www.example.org", "not a link"):
        with pytest.raises(ValidationError):
            services.parse_links(bad)


def test_completing_needs_every_level_and_then_the_round_is_read_only(south, manager, alice, framework):
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    with pytest.raises(ValidationError, match="14 still without one"):
        services.complete_round(by=manager, round_=round_, expected_version=round_.version)
    round_ = rate_all(round_, manager, 2)
    done = services.complete_round(by=manager, round_=round_, expected_version=round_.version)
    assert done.is_completed and done.completed_by == manager
    with pytest.raises(ValidationError, match="completed"):
        rate_all(done, manager, 3)
    with pytest.raises(ValidationError, match="completed"):
        services.add_action(
            by=manager, round_=done, expected_version=done.version,
            values=services.ActionValues(text="Late", owner=alice, due_on=DAY, status="not_started", domain=None),
        )  # fmt: skip
    # A new draft may now be started.
    assert services.start_round(by=manager, service=south, assessed_on=DAY).pk != done.pk


def test_an_action_is_owned_by_staff_of_the_service(south, manager, alice, charlie, partner, framework):
    round_ = services.start_round(by=manager, service=south, assessed_on=DAY)
    domain = Domain.objects.get(framework=framework, code="welsh-language")
    for stranger in (charlie, partner):
        with pytest.raises(ValidationError) as caught:
            services.add_action(
                by=manager, round_=round_, expected_version=round_.version,
                values=services.ActionValues(text="Offer Welsh", owner=stranger, due_on=DAY, status="not_started", domain=domain),
            )  # fmt: skip
        assert "owner" in caught.value.message_dict
    action = services.add_action(
        by=manager, round_=round_, expected_version=round_.version,
        values=services.ActionValues(text="  Offer Welsh  ", owner=alice, due_on=DAY, status="not_started", domain=domain),
    )  # fmt: skip
    assert action.text == "Offer Welsh"
    round_.refresh_from_db()
    updated = services.update_action(
        by=manager, action=action, expected_version=round_.version,
        values=services.ActionValues(text="Offer Welsh", owner=alice, due_on=DAY, status=ActionStatus.IN_PROGRESS, domain=domain),
    )  # fmt: skip
    assert Action.objects.get(pk=updated.pk).status == ActionStatus.IN_PROGRESS
    event = AuditEvent.objects.filter(object_type="selfassess.action", action="update").get()
    assert event.detail["fields"] == ["status"]


def test_a_completed_round_can_be_made_from_the_helpers(south, manager, framework):
    round_ = completed_round(south, manager, DAY, 3)
    assert set(Rating.objects.filter(round=round_).values_list("level__value", flat=True)) == {3}


def test_a_services_own_framework_is_loaded_and_earlier_rounds_keep_theirs(tmp_path, south, manager, framework):
    import copy
    import json

    from django.core.management import CommandError, call_command

    from selfassess.framework_data import STARTING
    from selfassess.models import Framework

    earlier = completed_round(south, manager, DAY, 2)
    own = copy.deepcopy(STARTING)
    own.update(code="our-service", version="1", is_nyth_reading=False)
    own["domains"][0]["statements"][0]["text_cy"] = ""
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(own), encoding="utf-8")
    with pytest.raises(CommandError, match="text_cy is missing"):
        call_command("load_selfassess_framework", str(path))
    assert Framework.objects.get(is_current=True).pk == framework.pk  # nothing written
    own["domains"][0]["statements"][0]["text_cy"] = "Ein datganiad"
    path.write_text(json.dumps(own), encoding="utf-8")
    call_command("load_selfassess_framework", str(path))
    current = Framework.objects.get(is_current=True)
    assert current.code == "our-service" and not current.is_nyth_reading
    earlier.refresh_from_db()
    assert earlier.framework_id == framework.pk
    assert services.start_round(by=manager, service=south, assessed_on=DAY).framework_id == current.pk
