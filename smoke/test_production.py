"""Production settings under gunicorn serve real pages (see smoke/conftest.py for the server)."""

from __future__ import annotations

import datetime
import json
import re

from smoke.support import HASHED_CSS, Browser, form_with


def test_readyz_on_the_real_server(server):
    browser = Browser(server.url)
    page = browser.get("/readyz")
    assert page.status == 200, page.text
    body = json.loads(page.text)
    assert body["checks"]["templates"] == "ok"  # the manifest collectstatic wrote is in use
    assert body["checks"]["database"] == "ok"
    assert body["tasks"]["waiting"] is not None


def test_the_child_record_page_shows_the_seeded_child(signed_in, server):
    page = signed_in.get_signed_in(f"/en/children/{server.child_pk}/")
    assert server.child_name in page.text
    assert re.search(r"<h1[^>]*>[^<]*" + re.escape(server.child_name.split()[0]), page.text)
    # Security headers of the production configuration, as behind the proxy.
    assert "max-age=31536000" in page.headers.get("Strict-Transport-Security", "")
    assert "script-src 'self'" in page.headers.get("Content-Security-Policy", "")


def test_recording_a_contact_is_stored_and_shown(signed_in, server):
    path = f"/en/contacts/children/{server.child_pk}/new/"
    page = signed_in.get_signed_in(path)
    form = form_with(page.text, "summary")
    # Yesterday at 10:30 has happened whenever the suite runs: "today at 10:30" is in the future
    # before half past ten, and the form rightly refuses a past-tense contact in the future.
    held_on = datetime.date.today() - datetime.timedelta(days=1)  # noqa: DTZ011 - the date a practitioner types
    summary = f"Smoke test session {held_on.isoformat()}: talked about school."
    fields = {
        **form["fields"],
        "date_day": str(held_on.day),
        "date_month": str(held_on.month),
        "date_year": str(held_on.year),
        "time": "10:30",
        "summary": summary,
        "duration_minutes": "45",
        # Nothing is preselected (an untouched form records nothing): say what happened.
        "kind": "individual",
        "attendance": "attended",
        "location": "home",
    }
    for name, first_choice in _first_radio_choices(page.text).items():
        fields.setdefault(name, first_choice)  # any other question: its first answer
    result = signed_in.post(path, fields)
    assert result.status == 200, result.text[:3000]
    assert result.url == f"/en/contacts/children/{server.child_pk}/", (
        f"the form did not save: {result.url}\n{_errors(result.text)}"
    )
    assert "The contact was recorded." in result.text
    stored = server.database.query(
        "SELECT c.summary, c.duration_minutes FROM contacts_contact c WHERE c.child_id = ? AND c.summary = ?",
        (server.child_pk, summary),
    )
    assert stored == [(summary, 45)]


def test_a_hashed_static_file_is_served_with_a_long_cache(signed_in):
    page = signed_in.get_signed_in("/en/")
    match = HASHED_CSS.search(page.text)
    assert match, "the page does not use the hashed stylesheet name from the manifest"
    response = signed_in.session.get(signed_in.base_url + match.group(1), timeout=10)
    assert response.status_code == 200
    assert "text/css" in response.headers["Content-Type"]
    cache = response.headers.get("Cache-Control", "")
    max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
    assert max_age >= 365 * 24 * 3600 and "immutable" in cache, cache


def test_access_and_request_logs_carry_no_query_string(signed_in, server):
    assert signed_in.get_signed_in("/en/?q=secret-search-term").status == 200
    missing = signed_in.get("/en/no-such-page/?q=secret-not-found")
    assert missing.status == 404
    log = server.wait_for_log('"GET /en/no-such-page/ HTTP/1.1" 404')
    server.wait_for_log("Not Found: /en/no-such-page/")  # django.request's warning
    assert '"GET /en/ HTTP/1.1" 200' in log
    assert "secret" not in server.log()


def test_signed_out_visitors_are_sent_to_sign_in_over_https(server):
    # The proxy says HTTPS: no redirect loop to https://, the sign-in page itself is served.
    page = Browser(server.url).get("/en/children/")
    assert page.redirects and page.redirects[-1].startswith("/en/account/sign-in/")
    assert page.status == 200


def _first_radio_choices(html: str) -> dict[str, str]:
    choices: dict[str, str] = {}
    for match in re.finditer(r'<input[^>]*type="radio"[^>]*>', html):
        tag = match.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value and value.group(1):
            choices.setdefault(name.group(1), value.group(1))
    return choices


def _errors(html: str) -> str:
    # The message follows the hidden "Error:" prefix inside the same element.
    messages = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', html, re.S)
    return "\n".join(re.sub(r"<[^>]+>", "", m).strip() for m in messages) or html[:2000]
