"""The public referral limit holds across gunicorn worker processes (issue 10, section 3)."""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import signing

from core.tests.servers import SECRET, Gunicorn, manage, scratch_env, wait_for_http
from referrals.tests.test_referrals import public_post

LIMIT = 5
SENT = 14


class LA:
    pk = None


@pytest.fixture
def server(tmp_path):
    env = scratch_env(tmp_path, NYTH_PUBLIC_REFERRALS_PER_HOUR=str(LIMIT))
    manage(env, "migrate", "--no-input", "-v", "0")
    la_pk = manage(
        env, "shell", "-c",
        "from accounts.models import Organisation as O;"
        "O.objects.create(code='SVC-SCRATCH', name_en='Scratch Service', name_cy='Gwasanaeth Crafu', type='service');"
        "print(O.objects.get(code='W06000015').pk)",
    ).strip().splitlines()[-1]
    gunicorn = Gunicorn(tmp_path, env, workers=2)
    try:
        wait_for_http(gunicorn.url + "/healthz")
        yield gunicorn, la_pk
    finally:
        gunicorn.stop()


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _started_token() -> str:
    # The form's own token, signed as the server signs it, a minute old (past the robot check).
    return signing.dumps({"t": time.time() - 60, "n": secrets.token_hex(8)}, key=SECRET, salt="public-referral")


def test_one_address_gets_exactly_the_limit_across_two_workers(server):
    gunicorn, la_pk = server
    opener = _opener()
    page = opener.open(gunicorn.url + "/en/refer/", timeout=20).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    la = LA()
    la.pk = la_pk

    def send(n: int) -> int:
        data = public_post(la, needs=f"Worry number {n}", started=_started_token(), csrfmiddlewaretoken=csrf)
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(gunicorn.url + "/en/refer/", data=body, headers={"Referer": gunicorn.url + "/en/refer/"})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # Concurrent, one connection per request: a busy worker cannot take the next one.
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, range(SENT)))
    assert statuses.count(302) == LIMIT, statuses
    assert statuses.count(429) == SENT - LIMIT, statuses
    deadline = time.monotonic() + 20
    while True:  # the access log is written a moment after each answer: poll with a deadline
        posts = [line for line in gunicorn.log_lines() if line[2] == "POST /en/refer/"]
        if len(posts) >= SENT or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(posts) == SENT, gunicorn.access_log.read_text()[:600]
    assert len({pid for pid, *_ in posts}) >= 2, posts  # at least two processes did the counting
