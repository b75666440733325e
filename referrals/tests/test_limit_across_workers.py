"""The public referral limit holds across gunicorn worker processes (issue 10, section 3)."""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import signing

from core.tests.servers import (
    SECRET,
    Gunicorn,
    ScratchDatabase,
    free_port,
    manage,
    nginx_binary,
    scratch_env,
    wait_for_http,
)
from referrals.tests.test_referrals import public_post

LIMIT = 5
SENT = 14


class LA:
    pk = None


@pytest.fixture
def server(tmp_path, request):
    extra = getattr(request, "param", {})
    database = ScratchDatabase(tmp_path, label="limits")
    database.create()
    gunicorn = None
    try:
        env = scratch_env(database, NYTH_PUBLIC_REFERRALS_PER_HOUR=str(LIMIT), **extra)
        manage(env, "migrate", "--no-input", "-v", "0")
        la_pk = (
            manage(
                env,
                "shell",
                "-c",
                "from accounts.models import Organisation as O;"
                "O.objects.create(code='SVC-SCRATCH', name_en='Scratch Service', name_cy='Gwasanaeth Crafu', type='service');"
                "print(O.objects.get(code='W06000015').pk)",
            )
            .strip()
            .splitlines()[-1]
        )
        gunicorn = Gunicorn(tmp_path, env, workers=2)
        wait_for_http(gunicorn.url + "/healthz")
        yield gunicorn, la_pk
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        database.drop()


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _started_token() -> str:
    # The form's own token, signed as the server signs it, a minute old (past the robot check).
    return signing.dumps({"t": time.time() - 60, "n": secrets.token_hex(8)}, key=SECRET, salt="public-referral")


def _sender(base_url: str, la_pk: str):
    opener = _opener()
    page = opener.open(base_url + "/en/refer/", timeout=20).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    la = LA()
    la.pk = la_pk

    def send(n: int, headers: dict[str, str] | None = None) -> int:
        data = public_post(la, needs=f"Worry number {n}", started=_started_token(), csrfmiddlewaretoken=csrf)
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(
            base_url + "/en/refer/", data=body, headers={"Referer": base_url + "/en/refer/", **(headers or {})}
        )
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    return send


def test_one_address_gets_exactly_the_limit_across_two_workers(server):
    gunicorn, la_pk = server
    send = _sender(gunicorn.url, la_pk)

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


@pytest.fixture
def nginx(server, tmp_path):
    binary = nginx_binary()
    if binary is None:
        pytest.fail("nginx is not installed (apt-get install nginx-light; .ci/run installs it)")
    gunicorn, la_pk = server
    port = free_port()
    conf = tmp_path / "nginx.conf"
    temp = " ".join(
        f"{name}_temp_path {tmp_path / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"worker_processes 1; pid {tmp_path / 'nginx.pid'}; error_log {tmp_path / 'nginx.err'};\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; {temp}\n"
        f"  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass {gunicorn.url}; proxy_bind 127.0.0.2;"
        "    proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } } }\n"
    )
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/healthz")
        yield url, gunicorn, la_pk
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("server", [{"NYTH_TRUSTED_PROXIES": "127.0.0.2"}], indirect=True)
def test_a_forged_forwarded_for_through_a_real_proxy_is_not_believed(nginx):
    url, gunicorn, la_pk = nginx
    send = _sender(url, la_pk)
    # The proxy reaches gunicorn from 127.0.0.2 (the only trusted proxy); the client is 127.0.0.1.
    # Each post forges a different left-most address; nginx appends the real one (127.0.0.1).
    statuses = [send(n, {"X-Forwarded-For": f"198.51.100.{n + 1}"}) for n in range(LIMIT + 3)]
    assert statuses.count(302) == LIMIT and statuses.count(429) == 3, statuses
    deadline = time.monotonic() + 20
    while True:
        posts = [line for line in gunicorn.log_lines() if line[2] == "POST /en/refer/"]
        if len(posts) >= LIMIT + 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert posts and all(xff.startswith("198.51.100.") and xff.endswith(", 127.0.0.1") for *_, xff in posts), posts
