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
    "MeasurementPoint", "Measurement", "GoalRating",
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


# --- Refused attempts are recorded only if views fetch through people.access (issue 11 §3) ------


def _names_a_scoped_queryset(node: ast.AST) -> bool:
    """Whether an expression is (built on) a scoped queryset or a personal model."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "visible_to":
            return True
        if isinstance(sub, ast.Name) and (sub.id in PERSONAL_MODELS or sub.id == "staff_visible_to"):
            return True
    return False


def direct_fetches_in(source: str) -> list[str]:
    """``get_object_or_404`` (or ``get_list_or_404``) on a personal model or scoped queryset: the
    404 would not be recorded as a refused attempt. Use ``people.access.get_visible_or_404``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in ("get_object_or_404", "get_list_or_404") and _names_a_scoped_queryset(node.args[0]):
            found.append(f"line {node.lineno}: {name}")
    return found


def test_the_fetch_lint_catches_a_direct_404():
    assert direct_fetches_in("get_object_or_404(Child.objects.visible_to(user), pk=1)") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("get_object_or_404(Contact, pk=1)") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("shortcuts.get_object_or_404(qs.visible_to(u))") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("get_visible_or_404(request, Child.objects.visible_to(user), pk=1)") == []
    assert direct_fetches_in("get_object_or_404(DirectoryService, pk=1)") == []  # not personal


def test_views_fetch_one_record_through_get_visible_or_404():
    problems = {}
    for path in view_files():
        found = direct_fetches_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Use people.access.get_visible_or_404 so refused attempts are recorded: {problems}"
