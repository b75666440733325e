"""What the outcomes contribute to the plan review page: beside each of the plan's goals its
Goal Based Outcomes ratings (first, latest, change), and the other measures' first, latest,
change and category with the CORC category across measures and the paired n.

The plan review belongs to ``plans``; the scores, their scope and their scoring belong here. So
``outcomes`` contributes the fragment – this typed function and the template
``outcomes/includes/plan_review.html`` – as the apps contribute the home page's panels, and the
plans view only passes it on. Reads only, through the reader's whole-record scope (the review
page is the care team's), in a fixed number of queries whatever the number of results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from outcomes.summary import GoalRow, Summary, for_child, latest_episode

if TYPE_CHECKING:
    from accounts.models import User
    from episodes.models import Episode
    from people.models import Child
    from plans.models import Goal


@dataclass(frozen=True)
class GoalChange:
    """One of the plan's goals and its ratings' row (None when it has no rating yet)."""

    goal: Goal
    row: GoalRow | None


@dataclass(frozen=True)
class PlanReviewOutcomes:
    episode: Episode
    summary: Summary
    goals: list[GoalChange]


def for_plan_review(user: User, child: Child, goals: Sequence[Goal]) -> PlanReviewOutcomes | None:
    """The latest episode's change since start for the plan review, with ``goals`` (the plan's,
    in the plan's order) each matched to its ratings by the goal's stable ``uuid``; None when
    support has not started."""
    episode = latest_episode(user, child)
    summary = for_child(user, child, episode)
    if episode is None or summary is None:
        return None
    rows = {row.goal_id: row for row in summary.goals}
    return PlanReviewOutcomes(
        episode=episode, summary=summary, goals=[GoalChange(goal=goal, row=rows.get(goal.uuid)) for goal in goals]
    )
