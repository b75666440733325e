from __future__ import annotations

import datetime

import pytest

from selfassess import services
from selfassess.models import Framework, Level, Rating, Round, Statement


@pytest.fixture
def framework(db) -> Framework:
    return Framework.objects.get(is_current=True)


def rate_all(round_: Round, by, level_value: int | dict[str, int]) -> Round:
    """Rate every statement: one level, or a level per domain code."""
    levels = {level.value: level for level in Level.objects.filter(framework_id=round_.framework_id)}
    values = {}
    for statement in Statement.objects.filter(domain__framework_id=round_.framework_id).select_related("domain"):
        value = level_value if isinstance(level_value, int) else level_value[statement.domain.code]
        values[statement.pk] = services.RatingValues(level=levels[value], evidence="Seen in files", links=[])
    return services.save_ratings(by=by, round_=round_, expected_version=round_.version, values=values)


def completed_round(service, by, on: datetime.date, level_value) -> Round:
    round_ = services.start_round(by=by, service=service, assessed_on=on)
    round_ = rate_all(round_, by, level_value)
    return services.complete_round(by=by, round_=round_, expected_version=round_.version)


__all__ = ["Rating", "completed_round", "rate_all"]
