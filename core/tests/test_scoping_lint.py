"""A lint, run as a test: views and template tags reach personal models only through
``visible_to``. Add every new personal model to PERSONAL_MODELS."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSONAL_MODELS = {
    "Child",
    "RelatedPerson",
    "Placement",
    "CareTeamMembership",
    "BreakGlassAccess",
    "MergeRecord",
    "Referral",
    "Decision",
    "InitialConsultation",
    "Contact",
    "SectionVersion",
    "SectionRestriction",
    "Assessment",
    "AssessmentShare",
    "AssessmentExport",
    "SafetyPlan",
    "NestTraining",
    "ConsentDecision",
    "SafeguardingShare",
    "SharingRefusal",
    "Episode",
    "EpisodeEvent",
    "Transition",
    "TransitionChecklistItem",
    "StaffProfile",
    "StaffTraining",
    "Supervision",
    "OptionOffer",
    "Plan",
    "Goal",
    "PlanAction",
    "PlanReview",
    "SpaceRequest",
    "MeasurementPoint",
    "Measurement",
    "GoalRating",
    "SpaceAccount",
    "NamedFeedback",
    "CheckIn",
    "Alert",
    "ReviewNote",
    "SignificantEvent",
    "RecordingPeriod",
    "CareTeamNotice",
    "AccessReview",
}
# Model managers that are not row access (history is reached from an already-scoped object).
ALLOWED_ATTRS = {"history"}


def view_files():
    for pattern in ("*/views.py", "*/*_views.py", "*/views/*.py", "*/templatetags/*.py", "*/api.py", "*/api/*.py"):
        yield from (p for p in ROOT.glob(pattern) if ".venv" not in p.parts)


def _model_name(node: ast.AST) -> str:
    """``Child`` for ``Child`` and for ``people.models.Child`` / ``pm.Child``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def violations_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        # Model.objects.<method>(...) must be Model.objects.visible_to(...)...
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            model = _model_name(inner.value)
            if model in PERSONAL_MODELS and inner.attr == "objects" and node.attr != "visible_to":
                found.append(f"line {node.lineno}: {model}.objects.{node.attr}")
    return found


def test_lint_catches_a_bypass():
    assert violations_in("Child.objects.filter(pk=1)") == ["line 1: Child.objects.filter"]
    assert violations_in("Child.objects.visible_to(user).filter(pk=1)") == []
    assert violations_in("pm.Child.objects.get(pk=1)") == ["line 1: Child.objects.get"]


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


def _is_a_class(node: ast.AST) -> bool:
    """A bare class name (``Child``, ``pm.Child``): models are capitalised, querysets are not."""
    name = _model_name(node)
    return isinstance(node, (ast.Name, ast.Attribute)) and name[:1].isupper()


def direct_fetches_in(source: str) -> list[str]:
    """``get_object_or_404`` (or ``get_list_or_404``) on a personal model or scoped queryset: the
    404 would not be recorded as a refused attempt. Use ``people.access.get_visible_or_404``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in ("get_object_or_404", "get_list_or_404"):
            continue
        if _names_a_scoped_queryset(node.args[0]):
            found.append(f"line {node.lineno}: {name}")
        elif _is_a_class(node.args[0]):
            # A model class, personal or not, is every row: pass a queryset that says whose.
            found.append(f"line {node.lineno}: {name} on the model {_model_name(node.args[0])}")
    return found


def test_the_fetch_lint_catches_a_direct_404():
    assert direct_fetches_in("get_object_or_404(Child.objects.visible_to(user), pk=1)") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("get_object_or_404(Contact, pk=1)") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("shortcuts.get_object_or_404(qs.visible_to(u))") == ["line 1: get_object_or_404"]
    assert direct_fetches_in("get_visible_or_404(request, Child.objects.visible_to(user), pk=1)") == []
    assert direct_fetches_in("get_object_or_404(DirectoryService.objects.all(), pk=1)") == []  # not personal
    # A model class rather than a queryset, personal or not, under any name (issue 12 A3).
    assert direct_fetches_in("get_object_or_404(C, pk=1)") == ["line 1: get_object_or_404 on the model C"]
    assert direct_fetches_in("get_object_or_404(pm.Child, pk=1)") == ["line 1: get_object_or_404 on the model Child"]
    assert direct_fetches_in("get_object_or_404(DirectoryService, pk=1)") == [
        "line 1: get_object_or_404 on the model DirectoryService"
    ]
    assert direct_fetches_in("get_object_or_404(manageable_users(request.user), pk=1)") == []


def test_views_fetch_one_record_through_get_visible_or_404():
    problems = {}
    for path in view_files():
        found = direct_fetches_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Use people.access.get_visible_or_404 so refused attempts are recorded: {problems}"


# --- The audit trail is read through audit.queries only (issue 12 A3) -----------------------------

#: Not application code: the bench times the audit internals; tests and migrations build rows.
_AUDIT_READER_EXEMPT = {"tests", "migrations", "e2e", "smoke", "bench", ".venv", "node_modules", "var"}


def _app_modules_outside_audit():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] != "audit" and not _AUDIT_READER_EXEMPT & set(parts) and path.name != "conftest.py":
            yield path


def audit_reads_in(source: str) -> list[str]:
    """``AuditEvent`` imported (under any alias) or reached as ``audit.models.AuditEvent``
    outside ``audit/``: the events would be read without ``audit.queries``' scope. A type-only
    import (``if TYPE_CHECKING:``) reads nothing and is allowed."""
    tree = ast.parse(source)
    type_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for sub in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("audit"):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name in ("AuditEvent", "*")]
        elif isinstance(node, ast.Attribute) and node.attr == "AuditEvent":
            found.append(f"line {node.lineno}: .AuditEvent")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "get_model"
            and any(
                isinstance(arg, ast.Constant) and str(arg.value).lower() in ("auditevent", "audit.auditevent")
                for arg in node.args
            )
        ):
            found.append(f"line {node.lineno}: get_model(AuditEvent)")
    return found


def test_the_audit_reader_lint_catches_a_bypass():
    assert audit_reads_in("from audit.models import Action, AuditEvent") == ["line 1: import AuditEvent"]
    assert audit_reads_in("from audit.models import AuditEvent as Trail") == ["line 1: import AuditEvent"]
    assert audit_reads_in("from audit.models import *") == ["line 1: import *"]
    assert audit_reads_in("import audit.models\naudit.models.AuditEvent.objects.all()") == ["line 2: .AuditEvent"]
    assert audit_reads_in("apps.get_model('audit', 'AuditEvent')") == ["line 1: get_model(AuditEvent)"]
    assert audit_reads_in("if TYPE_CHECKING:\n    from audit.models import AuditEvent") == []
    assert audit_reads_in("from audit import queries\nqueries.child_trail(user, child)") == []


def test_the_audit_trail_is_read_only_through_audit_queries():
    problems = {}
    for path in _app_modules_outside_audit():
        found = audit_reads_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Read AuditEvent through audit.queries: {problems}"
    assert any(path.name == "seen.py" for path in _app_modules_outside_audit())  # the lint looks there


# --- One rule for changing a record: routes are named only in people.access (issue 12 A1) --------

#: The built-in access routes. Outside people/access.py code asks ``can_change``,
#: ``record_access``, ``audit_route``… and uses ``people.access.CARE_TEAM`` etc. for labels.
ROUTE_NAMES = {"care_team", "service_manager", "break_glass"}


def project_files():
    """Every project module except people/access.py itself, tests and migrations."""
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "node_modules", "var") or parts[0].startswith("."):
            continue
        if "migrations" in parts or "tests" in parts or path.name == "conftest.py":
            continue
        if parts == ("people", "access.py"):
            continue
        yield path


def route_uses_in(source: str) -> list[str]:
    """Calls of ``access_routes`` and route names used as values to compare or collect (``==
    "break_glass"``, ``{"care_team", "service_manager"} & …``): each is the "may change"
    rule re-derived. A string that happens to equal a route name elsewhere – an enum value
    (``Role.SERVICE_MANAGER``, ``audit.Route.BREAK_GLASS``), a relation or URL name, a template
    context key – is not a route and not flagged."""
    found = []
    tree = ast.parse(source)
    # ``SERVICE_MANAGER = "service_manager", _("Service manager")`` in a class: a choice's value.
    choices = {
        id(statement.value)
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        for statement in cls.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple)
    }
    for node in ast.walk(tree):
        if id(node) in choices:
            continue
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "access_routes":
                found.append(f"line {node.lineno}: access_routes()")
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            operands = list(node.elts)
        else:
            continue
        for operand in operands:
            for sub in ast.walk(operand) if isinstance(operand, (ast.List, ast.Tuple, ast.Set)) else [operand]:
                if isinstance(sub, ast.Constant) and sub.value in ROUTE_NAMES:
                    found.append(f"line {sub.lineno}: route {sub.value!r}")
    return sorted(set(found))


def test_the_route_lint_catches_a_re_derived_rule():
    assert route_uses_in("routes = access_routes(user, child)") == ["line 1: access_routes()"]
    assert route_uses_in("people.access.access_routes(u, c)") == ["line 1: access_routes()"]
    assert route_uses_in('ok = {"care_team", "service_manager"} & set(routes)') == [
        "line 1: route 'care_team'",
        "line 1: route 'service_manager'",
    ]
    assert route_uses_in('if routes == ["break_glass"]:\n    pass') == ["line 1: route 'break_glass'"]
    assert route_uses_in('x = "break_glass" in routes') == ["line 1: route 'break_glass'"]
    assert route_uses_in('W = frozenset({"care_team"})') == ["line 1: route 'care_team'"]
    # Not routes: a relation name, a context key, a URL name, a keyword argument.
    assert route_uses_in('Prefetch("care_team", queryset=qs)') == []
    assert route_uses_in('render(r, "t.html", {"break_glass": access})') == []
    assert route_uses_in('path("x/", view, name="care_team")') == []
    assert route_uses_in("can_change(user, child, purpose=Purpose.OUT_OF_HOURS_CONTACT)") == []
    assert route_uses_in('class Route(TextChoices):\n    BREAK_GLASS = "break_glass", _("Emergency")') == []


def test_the_route_lint_looks_at_the_services_too():
    files = {str(p.relative_to(ROOT)) for p in project_files()}
    assert {"plans/services.py", "assessments/access.py", "people/views.py"} <= files
    assert "people/access.py" not in files


def test_only_people_access_names_the_routes():
    problems = {}
    for path in project_files():
        found = route_uses_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Ask people.access (can_change, record_access, audit_route) instead: {problems}"


# --- The bypasses the lint missed (issue 12 A3) ------------------------------------------------


def manager_bypasses_in(source: str, *, view: bool = False) -> list[str]:
    """``Model._default_manager`` / ``_base_manager`` reach every row whatever the scope: only
    people/access.py (``unscoped_rows``, ``get_visible_or_404``) and migrations use them. A view
    may not call ``unscoped_rows`` either."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("_default_manager", "_base_manager"):
            found.append(f"line {node.lineno}: {node.attr}")
        if view and isinstance(node, ast.Name) and node.id == "unscoped_rows":
            found.append(f"line {node.lineno}: unscoped_rows")
        if view and isinstance(node, ast.Attribute) and node.attr == "unscoped_rows":
            found.append(f"line {node.lineno}: unscoped_rows")
    return sorted(set(found))


def _project_package(module: str) -> bool:
    top = module.split(".")[0]
    return (ROOT / top / "models.py").exists() or (ROOT / top / "models").is_dir()


def alias_bypasses_in(source: str) -> list[str]:
    """A personal model renamed on import (``from people.models import Child as C``), or an
    app's models module imported whole (``import people.models as pm``, ``from people import
    models``): the model is then reached under a name the other rules may not recognise."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if alias.name in PERSONAL_MODELS and alias.asname and alias.asname != alias.name:
                    found.append(f"line {node.lineno}: {alias.name} as {alias.asname}")
                if alias.name == "models" and _project_package(node.module):
                    found.append(f"line {node.lineno}: from {node.module} import models")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".models") and _project_package(alias.name):
                    found.append(f"line {node.lineno}: import {alias.name}")
    return found


def test_the_manager_lint_catches_a_bypass():
    assert manager_bypasses_in("Child._default_manager.filter(pk=1)") == ["line 1: _default_manager"]
    assert manager_bypasses_in("model._base_manager.all()") == ["line 1: _base_manager"]
    assert manager_bypasses_in("unscoped_rows(model).filter(pk=1)") == []
    assert manager_bypasses_in("unscoped_rows(model).filter(pk=1)", view=True) == ["line 1: unscoped_rows"]
    assert manager_bypasses_in("access.unscoped_rows(Child)", view=True) == ["line 1: unscoped_rows"]
    assert manager_bypasses_in("Child.objects.visible_to(user)", view=True) == []


def test_the_alias_lint_catches_a_renamed_model():
    assert alias_bypasses_in("from people.models import Child as C") == ["line 1: Child as C"]
    assert alias_bypasses_in("import people.models as pm") == ["line 1: import people.models"]
    assert alias_bypasses_in("import people.models") == ["line 1: import people.models"]
    assert alias_bypasses_in("from people import models") == ["line 1: from people import models"]
    assert alias_bypasses_in("from people import models as m") == ["line 1: from people import models"]
    # Not bypasses: the model under its own name, Django's models module, a non-personal alias.
    assert alias_bypasses_in("from people.models import Child, Placement") == []
    assert alias_bypasses_in("from django.db import models") == []
    assert alias_bypasses_in("from audit.models import Route as AuditRoute") == []


def test_no_module_reaches_every_row_through_a_manager():
    views = {path.resolve() for path in view_files()}
    problems = {}
    for path in project_files():
        found = manager_bypasses_in(path.read_text(), view=path.resolve() in views)
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Use a scoped queryset (or people.access.unscoped_rows outside views): {problems}"


def test_no_module_renames_a_personal_model_or_imports_models_whole():
    problems = {}
    for path in project_files():
        found = alias_bypasses_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Import personal models under their own names: {problems}"


def test_views_fetch_no_model_class_anywhere_in_the_project():
    """The direct-fetch rule over every module, not only the view files."""
    problems = {}
    for path in project_files():
        found = direct_fetches_in(path.read_text())
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"get_object_or_404 on a model or a scoped queryset: {problems}"


# --- Reporting: aggregates through one reviewed door (issue 15) ----------------------------------

#: The modules of ``reporting/`` that may read personal models, each with why. Everything else
#: in ``reporting/`` (pages, forms, charts, exports, access rules…) reads no personal model at
#: all – not even through ``visible_to``: a report is built from the door's counts only.
REPORTING_ALLOWED = {
    # The one reviewed door for aggregates: reads whole tables on purpose and returns only
    # counts, percentages, means and medians (never a record, a name or a child's id).
    "reporting/queries": "the aggregate door (reporting/queries/__init__.py)",
}
#: Modules of ``reporting/`` that show records, not figures: held to the views' rule instead
#: (personal models only through ``visible_to``).
REPORTING_SCOPED = {
    "reporting/quality.py": "the data-quality lists: the manager's own service's records, through the scope",
}


def reporting_modules():
    for path in sorted((ROOT / "reporting").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if any(relative == allowed or relative.startswith(allowed + "/") for allowed in REPORTING_ALLOWED):
            continue
        yield path


def personal_reads_in(source: str) -> list[str]:
    """Any ``PersonalModel.objects…`` (``visible_to`` included) or import of a personal model."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and _model_name(node.value) in PERSONAL_MODELS:
            found.append(f"line {node.lineno}: {_model_name(node.value)}.objects")
        if isinstance(node, ast.ImportFrom):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name in PERSONAL_MODELS]
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if any(str(n) in PERSONAL_MODELS for n in names):
                found.append(f"line {node.lineno}: get_model({', '.join(map(str, names))})")
    return found


def test_the_reporting_lint_catches_a_personal_read():
    assert personal_reads_in("Child.objects.visible_to(user).count()") == ["line 1: Child.objects"]
    assert personal_reads_in("from people.models import Child") == ["line 1: import Child"]
    assert personal_reads_in("apps.get_model('people', 'Child')") == ["line 1: get_model(people, Child)"]
    assert personal_reads_in("from accounts.models import Organisation\nOrganisation.objects.all()") == []


def test_the_reporting_lint_looks_at_every_module_but_the_door():
    files = {p.relative_to(ROOT).as_posix() for p in reporting_modules()}
    assert {"reporting/views.py", "reporting/access.py", "reporting/report.py", "reporting/filters.py"} <= files
    assert not any(f.startswith("reporting/queries/") for f in files)


def test_reporting_reads_personal_models_only_through_its_door():
    problems = {}
    for path in reporting_modules():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text()
        found = violations_in(source) if relative in REPORTING_SCOPED else personal_reads_in(source)
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}, f"Reporting modules read figures from reporting.queries only: {problems}"
