"""What every browser journey uses: the axe accessibility check, the tests' authenticator app,
the sign-in steps, keyboard-only steps, and the set-up the outcome, plan and goal journeys
share. Everything goes through the browser: no Django models are read here."""

from __future__ import annotations

import base64
import datetime
import re
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django_otp.oath import TOTP

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import BrowserContext, Locator, Page, Route

DEMO_PASSWORD = "nyth-demo-2026"  # seed_demo's password for every synthetic account
PRACTITIONER_2FA_KEY_HEX = "48656c6c6f21deadbeef"  # seed_demo's confirmed device for practitioner2fa

HOME_URL = re.compile(r"/(en|cy)/$")
TWO_FACTOR_URL = re.compile(r"/(en|cy)/account/two-factor/(\?.*)?$")
TWO_FACTOR_SETUP_URL = re.compile(r"/(en|cy)/account/two-factor/setup/(\?.*)?$")
ANY_TWO_FACTOR_URL = re.compile(r"/(en|cy)/account/two-factor/(setup/)?(\?.*)?$")
RECORD_URL = re.compile(r"/(en|cy)/children/\d+/$")

# --- Accessibility ----------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
_TARGETS_SHOWN = 3

# Contexts created with JavaScript off: axe cannot run inside them (its timers never fire).
_WITHOUT_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def mark_without_javascript(context: BrowserContext) -> None:
    _WITHOUT_JAVASCRIPT.add(context)


# Every page a journey loads must be checked: documents loaded since the last check, by page.
_UNCHECKED: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def watch_page_loads(page: Page) -> None:
    """Remember each document this page loads, so a journey cannot skip an accessibility check."""
    unchecked: list[str] = []
    _UNCHECKED[page] = unchecked
    page.on("load", lambda loaded: unchecked.append(loaded.url))


def pages_left_unchecked(page: Page) -> list[str]:
    """Documents loaded since the last ``check_accessibility`` (for the end of a journey)."""
    return list(_UNCHECKED.get(page, []))


def describe_violations(violations: list[dict], where: str) -> str:
    lines = [f"axe found {len(violations)} accessibility violation(s) (WCAG 2.2 A/AA) on {where}:"]
    for violation in violations:
        nodes = violation.get("nodes", [])
        targets = [" ".join(map(str, node.get("target", []))) for node in nodes[:_TARGETS_SHOWN]]
        more = f" (+{len(nodes) - _TARGETS_SHOWN} more)" if len(nodes) > _TARGETS_SHOWN else ""
        lines.append(
            f"  - {violation['id']} [{violation.get('impact') or 'unknown impact'}]: {violation['help']}\n"
            f"      targets: {', '.join(targets) or '(none)'}{more}\n"
            f"      see {violation.get('helpUrl', '')}"
        )
    return "\n".join(lines)


def _axe_violations(page: Page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


class _Inspector:
    """A JavaScript-enabled page beside a no-JavaScript context, where axe checks copies of
    that context's pages: the same HTML at the same address with the same stylesheets, and
    none of the page's own scripts."""

    def __init__(self, watched: BrowserContext, viewport: dict | None) -> None:
        self.html = ""
        self.url = ""
        self.context = watched.browser.new_context(java_script_enabled=True, viewport=viewport)
        self.context.route("**/*", self._serve)
        self.page = self.context.new_page()
        watched.on("close", lambda _closed: self.context.close())

    def _serve(self, route: Route) -> None:
        request = route.request
        if request.resource_type == "document":
            if request.url == self.url:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)
            else:
                route.abort()  # a copy never navigates away
        elif request.resource_type == "script":
            route.abort()  # the page's own scripts stay off, as they were for the user
        else:
            route.continue_()

    def violations(self, page: Page) -> list[dict]:
        self.html = page.content()
        self.url = page.url.split("#")[0]
        self.page.goto(self.url)
        return _axe_violations(self.page)


_INSPECTORS: weakref.WeakKeyDictionary[BrowserContext, _Inspector] = weakref.WeakKeyDictionary()


def _axe_violations_without_javascript(page: Page) -> list[dict]:
    inspector = _INSPECTORS.get(page.context)
    if inspector is None:
        inspector = _INSPECTORS[page.context] = _Inspector(page.context, page.viewport_size)
    return inspector.violations(page)


def check_accessibility(page: Page, where: str | None = None) -> None:
    """axe-core on the page as it is now: zero violations of WCAG 2.0, 2.1 and 2.2 A and AA.

    Call it after every page the journey visits (and after showing an error state): it also
    fails when an earlier page was loaded and left without a check."""
    page.wait_for_load_state("load")
    if page.context in _WITHOUT_JAVASCRIPT:
        violations = _axe_violations_without_javascript(page)
    else:
        violations = _axe_violations(page)
    loaded = _UNCHECKED.get(page, [])
    skipped, loaded[:] = loaded[:-1], []
    assert not skipped, f"pages visited without an accessibility check (call check_accessibility after each): {skipped}"
    assert not violations, describe_violations(violations, where or page.url)


# --- Two-factor authentication ----------------------------------------------------------------


class Authenticator:
    """The tests' authenticator app: one TOTP secret per user name (30 s, 6 digits).

    django-otp accepts each time step once per device and refuses a code that is about to
    expire by the time it arrives, so ``code()`` waits for the next 30 s window when the current
    one was used already or has fewer than ``MARGIN`` seconds left. After a wrong code it waits
    out django-otp's one-second throttle before offering the right one.
    """

    STEP = 30
    MARGIN = 3.0
    THROTTLE = 2.0  # django-otp refuses any attempt within 1 s (x2 per failure) of a wrong one

    def __init__(self, enrolment_codes: Callable[[str], str] | None = None) -> None:
        # Where the holder gets a one-time enrolment code from (the operator, in these journeys).
        self._enrolment_codes = enrolment_codes
        self._keys: dict[str, bytes] = {}
        self._last_step: dict[str, int] = {}
        self._last_failure: dict[str, float] = {}

    def enrolment_code(self, username: str) -> str:
        assert self._enrolment_codes is not None, "this authenticator was made without a source of enrolment codes"
        return self._enrolment_codes(username)

    def knows(self, username: str) -> bool:
        return username in self._keys

    def add_hex(self, username: str, key_hex: str) -> None:
        self._keys[username] = bytes.fromhex(key_hex)

    def add_base32(self, username: str, secret: str) -> None:
        """The key as shown on the set-up page ("ABCD EFGH …")."""
        text = re.sub(r"\s+", "", secret).upper()
        self._keys[username] = base64.b32decode(text + "=" * (-len(text) % 8))

    def _totp(self, username: str, at: float) -> TOTP:
        totp = TOTP(self._keys[username], step=self.STEP, t0=0, digits=6)
        totp.time = at
        return totp

    def code(self, username: str) -> str:
        """A code the server will accept now; it counts as used from this moment."""
        failed_at = self._last_failure.get(username)
        if failed_at is not None and time.time() - failed_at < self.THROTTLE:
            time.sleep(self.THROTTLE - (time.time() - failed_at))
        while True:
            now = time.time()
            step = int(now // self.STEP)
            left = self.STEP - (now % self.STEP)
            if step > self._last_step.get(username, -1) and left >= self.MARGIN:
                break
            time.sleep(left + 0.05)  # a TOTP window boundary: the only waiting the journeys do
        self._last_step[username] = step
        return f"{self._totp(username, now).token():06d}"

    def wrong_code(self, username: str) -> str:
        """A 6-digit code matching none of the windows the server would accept around now."""
        now = time.time()
        valid = {self._totp(username, now + offset * self.STEP).token() for offset in (-1, 0, 1, 2)}
        wrong = next(n for n in range(123456, 1_000_000) if n not in valid)
        self._last_failure[username] = now
        return f"{wrong:06d}"


# --- Sign-in steps (language-neutral: fields are found by their ids) --------------------------


def submit_credentials(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def enter_enrolment_code(page: Page, code: str) -> None:
    """The first step of setting up two-factor: the one-time code the holder was given."""
    page.locator("#id_code").fill(code)  # (any language)
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("totp-secret").wait_for(state="attached")
    check_accessibility(page)


def read_totp_secret(page: Page) -> str:
    """Open "I cannot scan the QR code" and read the key, as someone without a camera would."""
    secret = page.get_by_test_id("totp-secret")
    if not secret.is_visible():
        page.locator("details.govuk-details > summary").first.click()
    return secret.inner_text()


def submit_security_code(page: Page, code: str) -> None:
    page.locator("#id_token").fill(code)
    page.locator("main form button[type=submit]").click()


def sign_in(page: Page, authenticator: Authenticator, username: str, *, language: str = "en") -> None:
    """Sign in through the real pages, setting up two-factor the first time this server sees
    the account, and end on the home page. Checks accessibility on every page on the way."""
    page.goto(f"/{language}/account/sign-in/")
    check_accessibility(page)
    submit_credentials(page, username)
    page.wait_for_url(ANY_TWO_FACTOR_URL)
    check_accessibility(page)
    if TWO_FACTOR_SETUP_URL.search(page.url):
        enter_enrolment_code(page, authenticator.enrolment_code(username))
        authenticator.add_base32(username, read_totp_secret(page))
    else:
        assert authenticator.knows(username), f"{username} has an authenticator device this test session did not set up"
    submit_security_code(page, authenticator.code(username))
    page.wait_for_url(HOME_URL)
    check_accessibility(page)


# --- Keyboard only ----------------------------------------------------------------------------
#
# A journey "by keyboard" presses keys, as someone who cannot use a mouse or a touch screen does:
# Tab and Shift+Tab from one control to the next, the arrow keys within a group of radios, Space
# on a checkbox, Enter on a link or a button, and typing. Every stop on the way must show where
# the focus is (WCAG 2.2 SC 2.4.7 Focus Visible): GOV.UK Frontend draws every focus state in its
# focus colour, so a stop without it is a control someone would lose track of.

#: GOV.UK Frontend's focus colour ($govuk-focus-colour, #ffdd00) as computed styles write it.
FOCUS_COLOUR = "rgb(255, 221, 0)"
TAB_LIMIT = 200  # stops before giving up: a control further away than this is unreachable in practice

# The focused element, and whether it shows the focus colour: in its outline, border, background
# or shadow, or – for the GOV.UK radios and checkboxes, whose input is invisible – in the ring the
# label draws around the circle or box (``::before``).
_FOCUS_STATE_JS = """
(colour) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const seen = (s) => s.outlineStyle !== 'none' && s.outlineColor === colour
    || [s.boxShadow, s.backgroundColor, s.borderTopColor, s.borderBottomColor].some((v) => (v || '').includes(colour));
  let visible = seen(getComputedStyle(el));
  if (!visible && el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels.length) {
    visible = seen(getComputedStyle(el.labels[0], '::before')) || seen(getComputedStyle(el.labels[0], '::after'));
  }
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || el.id || '').trim();
  return {tag: el.tagName.toLowerCase(), text: text.slice(0, 60), visible};
}
"""


def focused_is(target: Locator) -> bool:
    return bool(target.evaluate("(el) => el === document.activeElement"))


def assert_focus_visible(page: Page) -> None:
    state = page.evaluate(_FOCUS_STATE_JS, FOCUS_COLOUR)
    assert state is not None, f"nothing has the keyboard focus on {page.url}"
    assert state["visible"], f"no visible focus indicator on <{state['tag']}> {state['text']!r} at {page.url}"


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab with ``backwards``) until ``target`` has the focus, checking that each
    stop on the way shows where the focus is. Fails when it is never reached: a control the
    keyboard cannot reach is an accessibility bug in the template, not in the journey."""
    page.wait_for_load_state("load")  # the focus styles come with the stylesheet
    target.wait_for(state="attached")
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(TAB_LIMIT):
        if focused_is(target):
            assert_focus_visible(page)
            return
        page.keyboard.press(key)
        if page.evaluate("document.activeElement && document.activeElement !== document.body"):
            assert_focus_visible(page)
    raise AssertionError(f"{target} was not reached with {key} in {TAB_LIMIT} presses on {page.url}")


def press(page: Page, target: Locator, key: str = "Enter", *, backwards: bool = False) -> None:
    """Tab to ``target`` and press ``key`` on it (Enter follows a link or presses a button)."""
    tab_to(page, target, backwards=backwards)
    page.keyboard.press(key)


def type_into(page: Page, field: Locator, text: str) -> None:
    """Tab to a text field, clear it (Ctrl+A, Delete) and type ``text``."""
    tab_to(page, field)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def choose_radio(page: Page, radio: Locator) -> None:
    """Choose a radio as a keyboard user does: Tab into its group (the focus lands on the
    chosen radio, or the first when none is), then the arrow keys, which move and choose."""
    name = radio.get_attribute("name")
    group = page.locator(f'input[type=radio][name="{name}"]')
    checked = page.locator(f'input[type=radio][name="{name}"]:checked')
    tab_to(page, checked if checked.count() else group.first)
    for _ in range(group.count()):
        if focused_is(radio):
            break
        page.keyboard.press("ArrowDown")
        assert_focus_visible(page)
    assert focused_is(radio), f"{radio} was not reached with the arrow keys"
    if not radio.is_checked():
        page.keyboard.press("Space")  # the first radio, focused by Tab while none was chosen
    assert radio.is_checked()


# --- Shared set-up: young people in a caseload, dates, support, measurement points, goals -----
#
# The outcome, plan and goal journeys set up the same things through the same pages: the young
# people in the practitioner's caseload, a GOV.UK date input, support opened today where none is
# current, a measurement point, every goal rated. One copy here, so a change to one of those pages
# is mended once.

LONDON = ZoneInfo("Europe/London")  # the server's time zone: its "today" and its diary weeks


def today() -> datetime.date:
    """The server's today."""
    return datetime.datetime.now(LONDON).date()


def fill_date(scope: Page | Locator, field_id: str, value: datetime.date) -> None:
    """A GOV.UK date input, by the ids of its day, month and year boxes."""
    scope.locator(f"#{field_id}_0").fill(str(value.day))
    scope.locator(f"#{field_id}_1").fill(str(value.month))
    scope.locator(f"#{field_id}_2").fill(str(value.year))


@dataclass(frozen=True)
class YoungPerson:
    name: str
    pk: int

    @property
    def record(self) -> str:
        return f"/en/children/{self.pk}/"

    @property
    def plan(self) -> str:
        return f"/en/plans/children/{self.pk}/"

    @property
    def safety_plan(self) -> str:
        return f"/en/safety/children/{self.pk}/"

    @property
    def contacts(self) -> str:
        return f"/en/contacts/children/{self.pk}/"

    @property
    def episodes(self) -> str:
        return f"/en/episodes/children/{self.pk}/"

    @property
    def timeline(self) -> str:
        return f"/en/episodes/children/{self.pk}/timeline/"

    def measurement_points(self, language: str = "cy") -> str:
        return f"/{language}/outcomes/children/{self.pk}/points/"


def caseload(page: Page) -> list[YoungPerson]:
    """The young people in the caseload table of the home page she is on."""
    from playwright.sync_api import expect

    links = page.get_by_role("table", name="Your caseload").locator('a[href^="/en/children/"]')
    expect(links.first).to_be_visible()
    people = []
    for link in links.all():
        found = re.fullmatch(r"/en/children/(\d+)/", link.get_attribute("href") or "")
        assert found, link.get_attribute("href")
        people.append(YoungPerson(name=link.inner_text().strip(), pk=int(found[1])))
    return people


def open_support_today(page: Page, young_person: YoungPerson) -> None:
    """Open support for them today (coming back without a new referral), from the episodes page."""
    page.goto(f"{young_person.episodes}open/")
    check_accessibility(page)
    page.get_by_label("Coming back without a new referral").check()
    fill_date(page, "id_opened_on", today())
    page.get_by_role("button", name="Open support").click()
    check_accessibility(page)


def with_current_support(page: Page, young_person: YoungPerson) -> None:
    """Their measurement points page in Welsh, with support current (opened today if it was not:
    only current support can be given a point)."""
    page.goto(young_person.measurement_points())
    check_accessibility(page)
    if page.get_by_role("heading", name="Ychwanegu pwynt mesur").count() == 0:
        open_support_today(page, young_person)
        page.goto(young_person.measurement_points())
        check_accessibility(page)


def add_measurement_point(page: Page, due_on: datetime.date, kind: str = "Adolygiad") -> None:
    """On the Welsh measurement points page: add a point of this kind (a review), due that day."""
    page.get_by_label(kind).check()
    fill_date(page, "id_due_on", due_on)
    page.get_by_role("button", name="Ychwanegu", exact=True).click()


def rate_goals(page: Page, rating: str) -> bool:
    """Rate every goal of the plan offered on the Welsh entry page (GBO), by the young person;
    False when the plan has no goal to rate."""
    fields = page.locator('input[id^="id_goal_"]')
    if fields.count() == 0:
        return False
    for field in fields.all():
        field.fill(rating)
    page.get_by_role("group", name="Pwy wnaeth sgorio'r nodau?").get_by_label("Y person ifanc").check()
    return True


# --- The young person's own space: invited, and the link used (by keyboard) -------------------

SPACE_PASSWORD = "a long walk on barry island 2026"  # passes Django's validators; lower case (no Shift)


def space_page(young_person: YoungPerson) -> str:
    """The staff page "Their own space" for this young person."""
    return f"/en/space-access/{young_person.pk}/"


def a_young_person_to_invite(page: Page, *, skip: int = 0) -> tuple[YoungPerson, str]:
    """From the practitioner's caseload (her home page), a young person of an age to be invited,
    with no account yet and a goal still being worked on; and that goal's words. ``skip`` passes
    over that many suitable young people first (journeys that must not meet in one run)."""
    from playwright.sync_api import expect

    people = caseload(page)
    middle = len(people) // 2  # the other journeys take theirs from either end of the caseload
    for young_person in people[middle:] + people[:middle]:
        page.goto(space_page(young_person))
        expect(page.get_by_role("heading", level=1)).to_have_text("Their own space")
        check_accessibility(page)
        no_account = page.locator(".govuk-summary-list__row", has_text="Account").locator("dd")
        if no_account.inner_text().strip() != "None":
            continue
        if page.get_by_role("button", name="Make an invitation link").count() == 0:
            continue  # too young or too old to be invited
        page.goto(young_person.plan)
        check_accessibility(page)
        goals = page.get_by_role("table", name="Goals").locator("tbody tr", has_text="Working on it")
        if goals.count() == 0:
            continue
        if skip:
            skip -= 1
            continue
        return young_person, goals.first.locator("td").first.inner_text().strip()
    raise AssertionError("no young person in the caseload can be invited and has a goal being worked on")


def invite_by_keyboard(page: Page, young_person: YoungPerson) -> str:
    """As their practitioner, from their record: "Their own space", then "Make an invitation
    link", by keyboard. Returns the link, as the page shows it once to hand over."""
    from playwright.sync_api import expect

    heading = page.get_by_role("heading", level=1)
    page.goto(young_person.record)  # (her caseload's link to the record: chosen by address)
    expect(heading).to_have_text(young_person.name)
    check_accessibility(page)
    press(page, page.locator(f'main a[href="{space_page(young_person)}"]'))
    expect(heading).to_have_text("Their own space")
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Make an invitation link"))
    expect(heading).to_have_text("Invitation link")
    check_accessibility(page)
    link = page.locator("main code").inner_text().strip()
    assert re.search(r"/my/invitation/[^/]+/$", link), link
    return link


def accept_by_keyboard(page: Page, link: str, *, username: str, language: str) -> None:
    """Open the invitation link (typed, or from the QR code: an address, not a key press), choose
    a user name, a password twice and the language, by keyboard, and continue: the account is
    made, signed in, and the space opens in the language chosen."""
    page.goto(link)
    check_accessibility(page)
    type_into(page, page.locator("#id_username"), username)
    type_into(page, page.locator("#id_password1"), SPACE_PASSWORD)
    type_into(page, page.locator("#id_password2"), SPACE_PASSWORD)
    choose_radio(page, page.locator(f'input[name="language"][value="{language}"]'))
    press(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(re.compile(rf"/{language}/my/$"))
    check_accessibility(page)


# --- A phone-sized screen ---------------------------------------------------------------------

_TOO_WIDE_JS = """
(width) => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > width + 0.5)
  .filter((el) => ![...el.children].some((child) => child.getBoundingClientRect().right > width + 0.5))
  .slice(0, 5)
  .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${(el.innerText || '').trim().slice(0, 60)}`)
"""


def assert_no_sideways_scrolling(page: Page, width: int = 320) -> None:
    """The document is no wider than the screen (WCAG 2.2 SC 1.4.10 Reflow); if it is, the
    message names the innermost elements that stick out."""
    # Measured once the page has loaded: before its stylesheet applies, a text box is as wide as
    # its default 40 columns (Playwright's evaluate does not wait for the stylesheet, the screen does).
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(_TOO_WIDE_JS, width)
        raise AssertionError(f"{page.url} is {scroll_width} px wide at a {width} px viewport: {culprits}")
