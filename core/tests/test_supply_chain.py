"""tools/supply_chain.py: parsing recorded outputs of pip-audit and npm audit, and the decision."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from tools import supply_chain as sc

RECORDED = Path(__file__).parent / "supply_chain"
TODAY = datetime.date(2026, 12, 2)


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


def test_pip_audit_that_skipped_every_package_is_not_checked_although_it_said_no_vulnerabilities():
    # Recorded on this machine: PyPI unreachable, exit 0, "No known vulnerabilities found".
    result = sc.parse_pip_audit(recorded("pip-audit-all-skipped.json"), 0)
    assert result.status == sc.NOT_CHECKED
    assert "not audited" in result.reason and result.packages == 0


def test_pip_audit_with_every_package_answered_is_checked():
    result = sc.parse_pip_audit(recorded("pip-audit-clean.json"), 0)
    assert (result.status, result.packages, result.advisories) == (sc.CHECKED, 2, [])


def test_pip_audit_advisories_carry_their_aliases():
    result = sc.parse_pip_audit(recorded("pip-audit-found.json"), 1)
    assert result.status == sc.CHECKED
    [advisory] = result.advisories
    assert advisory.package == "django" and advisory.ids == ("PYSEC-2026-1", "CVE-2026-0001", "GHSA-aaaa-bbbb-cccc")


@pytest.mark.parametrize("stdout", ["", "Traceback (most recent call last):", "[]"])
def test_pip_audit_without_a_report_is_not_checked(stdout):
    assert sc.parse_pip_audit(stdout, 1).status == sc.NOT_CHECKED


def test_npm_audit_refused_by_the_registry_is_not_checked():
    # Recorded on this machine: the advisory endpoint answered 405.
    result = sc.parse_npm_audit(recorded("npm-error.json"), 1)
    assert result.status == sc.NOT_CHECKED and "405" in result.reason


def test_npm_audit_lists_each_advisory_once_by_its_ids():
    result = sc.parse_npm_audit(recorded("npm-found.json"), 1)
    assert result.status == sc.CHECKED and result.packages == 30
    [advisory] = result.advisories  # chokidar is affected through sass: one advisory
    assert advisory.ids == ("GHSA-xxxx-yyyy-zzzz", "npm:1099999")


def test_npm_audit_clean_is_checked():
    result = sc.parse_npm_audit(recorded("npm-clean.json"), 0)
    assert (result.status, result.advisories) == (sc.CHECKED, [])


def found(tool="pip-audit"):
    if tool == "pip-audit":
        return sc.parse_pip_audit(recorded("pip-audit-found.json"), 1)
    return sc.parse_npm_audit(recorded("npm-found.json"), 1)


def test_an_advisory_found_fails():
    code, lines = sc.decide([found(), found("npm")], [], [], TODAY)
    assert code == 1 and lines[-1] == "supply chain: FAILED"
    assert any("PYSEC-2026-1" in line and "FAILS" in line for line in lines)


def test_an_advisory_ignored_with_a_reason_in_date_passes():
    ignores = [
        sc.Ignore("CVE-2026-0001", "Only the dev server", datetime.date(2026, 12, 31)),  # an alias is enough
        sc.Ignore("GHSA-xxxx-yyyy-zzzz", "Build tool only", TODAY),  # the last day still counts
    ]
    code, lines = sc.decide([found(), found("npm")], [], ignores, TODAY)
    assert code == 0, lines
    assert any("ignored until 2026-12-31: Only the dev server" in line for line in lines)


def test_an_expired_ignore_stops_counting():
    ignores = [sc.Ignore("PYSEC-2026-1", "Waiting for 5.2.20", datetime.date(2026, 12, 1))]
    code, lines = sc.decide([found()], [], ignores, TODAY)
    assert code == 1
    assert any("ignore expired on 2026-12-01" in line for line in lines)


def test_not_checked_is_loud_but_does_not_fail_unless_strict():
    results = [
        sc.parse_pip_audit(recorded("pip-audit-all-skipped.json"), 0),
        sc.parse_npm_audit(recorded("npm-error.json"), 1),
    ]
    code, lines = sc.decide(results, [], [], TODAY)
    assert code == 0
    text = "\n".join(lines)
    assert "pip-audit: NOT CHECKED" in text and "npm audit: NOT CHECKED" in text
    assert "no vulnerabilities" not in text.lower() and "CHECKED (" not in text
    assert lines[-1].startswith("supply chain: passed, but NOT CHECKED: pip-audit, npm audit")
    assert sc.decide(results, [], [], TODAY, strict=True)[0] == 1


def test_checked_results_say_checked():
    results = [
        sc.parse_pip_audit(recorded("pip-audit-clean.json"), 0),
        sc.parse_npm_audit(recorded("npm-clean.json"), 0),
    ]
    code, lines = sc.decide(results, [], [], TODAY)
    assert code == 0 and "pip-audit: CHECKED (2 packages)" in lines and "npm audit: CHECKED (30 packages)" in lines


def test_a_medium_bandit_finding_fails_and_a_missing_report_fails():
    findings, error = sc.parse_bandit(
        '{"results": [{"filename": "./x.py", "line_number": 3, "test_id": "B310", "issue_severity": "MEDIUM", "issue_text": "urlopen"},'
        ' {"filename": "./y.py", "line_number": 1, "test_id": "B101", "issue_severity": "LOW", "issue_text": "assert"}]}'
    )
    assert error == "" and [f["test_id"] for f in findings] == ["B310"]
    assert sc.decide([], findings, [], TODAY)[0] == 1
    assert sc.decide([], [], [], TODAY, bandit_error="bandit gave no report")[0] == 1
    assert sc.parse_bandit("not json")[1]


def test_an_ignore_without_a_reason_or_date_is_refused(tmp_path):
    path = tmp_path / "ignore.toml"
    path.write_text('[[ignore]]\nid = "GHSA-1"\nreason = "x"\nuntil = "soon"\n')
    with pytest.raises(ValueError, match="until date"):
        sc.load_ignores(path)
    path.write_text('[[ignore]]\nid = "GHSA-1"\nreason = "x"\nuntil = 2027-01-31\n')
    assert sc.load_ignores(path) == [sc.Ignore("GHSA-1", "x", datetime.date(2027, 1, 31))]


def test_the_project_ignore_file_parses():
    assert isinstance(sc.load_ignores(), list)


def test_a_tool_that_hangs_is_not_checked(monkeypatch):
    monkeypatch.setattr(sc, "_run", lambda command, timeout: ("", -1, f"timed out after {timeout:.0f} s"))
    result = sc.run_pip_audit(1)
    assert result.status == sc.NOT_CHECKED and "timed out" in result.reason
