"""A lint, run as a test: every email Nyth sends goes through the outbox (``jobs/email.py``).

A direct ``send_mail`` in a request would send inside the request's transaction (an email for a
change that then rolls back) and without a sent-marker (sent again on every retry)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTBOX = ROOT / "jobs" / "email.py"
MAIL_NAMES = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}
SKIP = {".venv", "node_modules", "tests", "e2e", "smoke", "migrations"}


def project_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if not SKIP.intersection(rel.parts) and path != OUTBOX:
            yield path


def mail_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found += [f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}" for a in node.names if a.name.startswith("django.core.mail")
            ]
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_the_lint_catches_a_direct_send():
    assert mail_uses("from django.core.mail import send_mail\nsend_mail('s', 'b', None, ['x'])")
    assert mail_uses("import django.core.mail\ndjango.core.mail.send_mail('s', 'b', None, ['x'])")
    assert mail_uses("from django.core import mail\nmail.EmailMessage('s').send()")
    assert not mail_uses("from jobs.email import send_once\nsend_once(event_key='k', to='x', subject='s', body='b')")


def test_no_project_code_sends_email_outside_the_outbox():
    files = list(project_files())
    assert any(p.name == "throttle.py" for p in files)  # the walk reaches the apps
    problems = {str(p.relative_to(ROOT)): uses for p in files if (uses := mail_uses(p.read_text(encoding="utf-8")))}
    assert problems == {}, f"send email through jobs.email.send_once (or deliver_once in a task): {problems}"


def test_not_sent_queues_nothing_inside_and_everything_outside(db, mailoutbox, django_capture_on_commit_callbacks):
    from jobs.email import not_sent, send_once

    with django_capture_on_commit_callbacks(execute=True):
        with not_sent("synthetic demo data"):
            send_once(event_key="test:suppressed", to="a@example.org", subject="S", body="B")
        send_once(event_key="test:sent", to="b@example.org", subject="S", body="B")
    assert [message.to for message in mailoutbox] == [["b@example.org"]]
