"""What the smoke tests use to talk to the server like a browser behind a TLS proxy: a requests
session that says HTTPS, follows redirects itself and reads forms out of pages."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from django_otp.oath import TOTP

REQUEST_TIMEOUT = 15  # seconds for any one request
MAX_REDIRECTS = 10


@dataclass
class Page:
    url: str  # the final URL (path and query, as requested from the server)
    status: int
    text: str
    headers: dict[str, str]
    redirects: list[str] = field(default_factory=list)


class Browser:
    """One visitor: cookies, X-Forwarded-Proto: https on every request, Origin on every POST
    (Django's CSRF check for HTTPS requests wants it, as a browser sends it)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        split = urlsplit(self.base_url)
        self.public_origin = f"https://{split.netloc}"  # what the browser sees in front of the proxy
        self.session = requests.Session()
        self.secure_cookies: set[str] = set()  # names of the cookies the server marked Secure
        self.session.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "nyth-smoke"})

    def _local(self, location: str) -> str:
        """A redirect target as a path on this server; refuses to leave it."""
        absolute = urljoin(self.public_origin + "/", location)
        split = urlsplit(absolute)
        if f"{split.scheme}://{split.netloc}" != self.public_origin:
            raise AssertionError(f"redirected off the site to {location!r}")
        return split.path + (f"?{split.query}" if split.query else "")

    def _behind_tls_proxy(self) -> None:
        """The server sets Secure cookies (production). The test talks plain HTTP to loopback, as
        the proxy does after terminating TLS, so the jar must send them back anyway: note which
        were Secure (a test asserts it), then clear the flag."""
        for cookie in self.session.cookies:
            if cookie.secure:
                self.secure_cookies.add(cookie.name)
                cookie.secure = False

    def request(self, method: str, path: str, data: dict | None = None, files: dict | None = None) -> Page:
        redirects: list[str] = []
        headers = {"Origin": self.public_origin, "Referer": self.public_origin + path} if method == "POST" else {}
        response = self.session.request(
            method,
            self.base_url + path,
            data=data,
            files=files,
            headers=headers,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        self._behind_tls_proxy()
        while response.is_redirect:
            if len(redirects) >= MAX_REDIRECTS:
                raise AssertionError(f"too many redirects: {redirects}")
            path = self._local(response.headers["Location"])
            redirects.append(path)
            response = self.session.get(self.base_url + path, allow_redirects=False, timeout=REQUEST_TIMEOUT)
            self._behind_tls_proxy()
        return Page(
            url=path,
            status=response.status_code,
            text=response.text,
            headers=dict(response.headers),
            redirects=redirects,
        )

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, data: dict, files: dict | None = None) -> Page:
        return self.request("POST", path, data, files)

    def get_signed_in(self, path: str) -> Page:
        """A page that must be served to the signed-in user: a redirect to sign-in fails."""
        page = self.get(path)
        assert not any("/account/sign-in/" in hop or "/account/two-factor/" in hop for hop in page.redirects), (
            f"{path} sent us to sign in again: {page.redirects}"
        )
        assert page.status == 200, f"{path}: HTTP {page.status}\n{page.text[:2000]}"
        return page


class _FormParser(HTMLParser):
    """The fields of every <form> as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "file"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"][self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_in(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field_name: str) -> dict:
    for form in forms_in(html):
        if field_name in form["fields"]:
            return form
    raise AssertionError(f"no form with a {field_name!r} field on the page")


def totp_code(key_hex: str) -> str:
    """The authenticator app: the current 6-digit code. Waits for the next 30 s window when
    this one is about to end, so the code cannot expire between here and the server."""
    step = 30
    left = step - (time.time() % step)
    if left < 3:
        time.sleep(left + 0.05)  # a TOTP window boundary, not a wait for the server
    totp = TOTP(bytes.fromhex(key_hex), step=step, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


HASHED_CSS = re.compile(r'href="(/static/govuk/nyth\.[0-9a-f]{12}\.css)"')
