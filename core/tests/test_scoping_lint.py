"""A lint, run as a test: views and template tags reach personal models only through
``visible_to``. Add every new personal model to PERSONAL_MODELS."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSONAL_MODELS = {
    "Child", "RelatedPerson", "Placement", "CareTeamMembership", "BreakGlassAccess", "MergeRecord",
    "Referral", "Decision", "InitialConsultation", "Contact",
    "SectionVersion", "SectionRestriction", "Assessment", "AssessmentShare", "AssessmentExport",
    "SafetyPlan", "NestTraining",
    "ConsentDecision", "SafeguardingShare",
    "Episode", "EpisodeEvent", "Transition", "TransitionChecklistItem",
    "StaffProfile", "StaffTraining", "Supervision",
    "OptionOffer", "Plan", "Goal", "PlanAction", "PlanReview",
}
# Model managers that are not row access (history is reached from an already-scoped object).
ALLOWED_ATTRS = {"history"}


def view_files():
    for pattern in ("*/views.py", "*/*_views.py", "*/views/*.py", "*/templatetags/*.py", "*/api.py", "*/api/*.py"):
        yield from (p for p in ROOT.glob(pattern) if ".venv" not in p.parts)


def violations_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        # Model.objects.<method>(...) must be Model.objects.visible_to(...)...
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            if (
                isinstance(inner.value, ast.Name)
                and inner.value.id in PERSONAL_MODELS
                and inner.attr == "objects"
                and node.attr != "visible_to"
            ):
                found.append(f"line {node.lineno}: {inner.value.id}.objects.{node.attr}")
    return found


def test_lint_catches_a_bypass():
    assert violations_in("Child.objects.filter(pk=1)") == ["line 1: Child.objects.filter"]
    assert violations_in("Child.objects.visible_to(user).filter(pk=1)") == []


def test_views_reach_personal_data_only_through_visible_to():
    problems = {}
    for path in view_files():
        found = violations_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Personal models reached without visible_to: {problems}"


def test_the_lint_looks_at_the_views():
    files = list(view_files())
    assert any(p.name == "views.py" and p.parent.name == "people" for p in files)
    assert any(p.name == "share_views.py" for p in files)  # views in a second module count too
