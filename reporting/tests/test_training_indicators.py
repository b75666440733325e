"""Training indicators on small hand-made data: carers' (nest) and professionals' training by
topic and Trauma-Informed Wales level, the service and region filters (and only those),
constant queries, and both reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import UserFactory
from people.models import NestTraining
from people.tests.factories import ChildFactory, RelatedPersonFactory
from reporting import periods
from reporting.filters import Filters
from reporting.queries import Stat
from reporting.queries import training as t
from workforce.models import StaffProfile, StaffTraining

pytestmark = pytest.mark.django_db
D = datetime.date
Q1 = periods.quarter(2026, 1)  # April to June 2026


def staff(organisation, level=None):
    user = UserFactory(organisation=organisation, role=Role.PRACTITIONER)
    if level is not None:
        StaffProfile.objects.create(user=user, practice_level=level)
    return user


def course(user, topic, day, hours, by):
    StaffTraining.objects.create(user=user, topic=topic, completed_on=day, provider="Provider", hours=Decimal(hours),
                                 recorded_by=by)  # fmt: skip


def nest(person, topic, level, day, by):
    NestTraining.objects.create(related_person=person, topic=topic, practice_level=level, given_on=day, recorded_by=by)


@pytest.fixture
def courses(south, north, manager):
    skilled, aware, unknown, far = staff(south, "skilled"), staff(south, "aware"), staff(south), staff(north, "aware")
    course(skilled, "attachment", D(2026, 4, 1), "3.0", manager)
    course(skilled, "impact_of_trauma", D(2026, 6, 30), "6.5", manager)
    course(aware, "attachment", D(2026, 5, 5), "2.0", manager)
    course(unknown, "brain_development", D(2026, 5, 6), "1.5", manager)  # no staff record: level ""
    course(aware, "attachment", D(2026, 7, 1), "2.0", manager)  # next quarter
    course(far, "attachment", D(2026, 5, 5), "4.0", manager)  # another service


def test_professionals_training_by_topic_and_level_with_people_and_hours(courses, south):
    mine = Filters(service_id=south.pk)
    assert t.staff_training(Q1, mine) == {"attachment": 2, "impact_of_trauma": 1, "brain_development": 1}
    assert t.staff_training(Q1, mine, by="practice_level") == {"skilled": 2, "aware": 1, "": 1}
    # 3 people in south; hours 3.0 + 6.5 + 2.0 + 1.5 = 13.0.
    assert t._staff_figures(Q1, mine) == {"sessions": 4, "people": 3, "hours": Stat(13.0, 3)}
    assert t.staff_training(Q1, Filters()) == {"attachment": 3, "impact_of_trauma": 1, "brain_development": 1}
    # A young person's filter is not applied to staff (said beside the indicator).
    assert t.staff_training(Q1, Filters(service_id=south.pk, gender="female")) == t.staff_training(Q1, mine)


def test_professionals_training_by_region(courses, south, north):
    from accounts.models import Organisation

    region = Organisation.objects.get(code="RPB-CV")
    south.region = region
    south.save()
    assert sum(t.staff_training(Q1, Filters(region_id=region.pk)).values()) == 4
    assert t.staff_training(Q1, Filters(region_id=region.pk, service_id=north.pk)) == {}


def test_carers_training_by_topic_and_level_with_people(south, north, alice):
    carer = RelatedPersonFactory(child=ChildFactory(service=south))
    other = RelatedPersonFactory(child=ChildFactory(service=south))
    far = RelatedPersonFactory(child=ChildFactory(service=north))
    nest(carer, "trauma_attachment", "aware", D(2026, 4, 10), alice)
    nest(carer, "responding", "skilled", D(2026, 5, 10), alice)
    nest(other, "responding", "", D(2026, 6, 10), alice)  # level not recorded
    nest(other, "responding", "skilled", D(2026, 3, 31), alice)  # last quarter
    nest(far, "safety_plan", "aware", D(2026, 5, 1), alice)
    mine = Filters(service_id=south.pk)
    assert t.carer_training(Q1, mine) == {"trauma_attachment": 1, "responding": 2}
    assert t.carer_training(Q1, mine, by="practice_level") == {"aware": 1, "skilled": 1, "": 1}
    assert t._carer_figures(Q1, mine) == {"sessions": 3, "people": 2}
    assert t._carer_figures(Q1, Filters()) == {"sessions": 4, "people": 3}
    with pytest.raises(ValueError):
        t.carer_training(Q1, mine, by="gender")


def test_training_costs_the_same_queries_whatever_the_data_size(courses, south, manager, alice):
    def cost() -> list[int]:
        found = []
        for run in (
            lambda: t.staff_training(Q1, Filters(), by="practice_level"),
            lambda: t._staff_figures(Q1, Filters()),
            lambda: t.carer_training(Q1, Filters()),
            lambda: t._carer_figures(Q1, Filters()),
        ):
            with CaptureQueriesContext(connection) as queries_run:
                run()
            found.append(len(queries_run))
        return found

    small = cost()
    for _ in range(4):
        course(staff(south, "enhanced"), "trauma_informed", D(2026, 4, 20), "1.0", manager)
        nest(RelatedPersonFactory(child=ChildFactory(service=south)), "responding", "aware", D(2026, 4, 20), alice)
    assert cost() == small


def test_training_goes_through_the_suppressed_and_internal_reports(courses, south):
    from reporting.report import internal_report, suppressed_report

    report = suppressed_report(Q1, Filters(), ["staff_training", "carer_training"])
    sections = {s.indicator.code: s for s in report.sections}
    staff_section = sections["staff_training"]
    assert str(staff_section.release.total) == "5"
    assert staff_section.release.breakdowns["topic"]["impact_of_trauma"].suppressed
    assert str(staff_section.figures["sessions"]) == "5"
    assert staff_section.figures["people"].suppressed  # 4 people
    assert staff_section.figures["hours"].value is None  # a total over fewer than 5 people
    assert sections["carer_training"].release.total.value == 0
    internal = {s.indicator.code: s for s in internal_report(Q1, Filters(), ["staff_training"]).sections}
    assert internal["staff_training"].breakdowns["practice_level"] == {"skilled": 2, "aware": 2, "": 1}
    assert internal["staff_training"].figures["hours"] == Stat(17.0, 4)
