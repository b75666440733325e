"""Supply chain checks for CI: bandit on Nyth's code, pip-audit on the pinned Python
requirements, npm audit on the package lock.

Each advisory check prints CHECKED or NOT CHECKED. A check is CHECKED only when its advisory
service answered about every package; a run that could not reach it (network failure, timeout,
an error from the registry, a package it skipped) is NOT CHECKED – never "no vulnerabilities".
pip-audit, for one, prints "No known vulnerabilities found" and exits 0 when every package was
skipped because PyPI could not be reached; that is exactly the case this script exists for.

Decision (``decide``): exit 1 when bandit reports a medium or high finding, or when a CHECKED
audit found an advisory not listed (with a reason and a date not yet passed) in
``.ci/advisories-ignore.toml``. NOT CHECKED alone does not fail CI – the registries may be down
– but is printed loudly. ``--strict`` makes NOT CHECKED fail too. See docs/adr/008.

Usage: ``python tools/supply_chain.py [--strict] [--timeout SECONDS]`` (``make audit``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess  # nosec B404  # runs the fixed audit tools below, never a shell or user input
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IGNORE_FILE = ROOT / ".ci" / "advisories-ignore.toml"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
CHECKED = "CHECKED"
NOT_CHECKED = "NOT CHECKED"


@dataclass(frozen=True)
class Advisory:
    tool: str
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory's id and its aliases (PYSEC, CVE, GHSA, npm source)
    summary: str = ""


@dataclass
class AuditResult:
    tool: str
    status: str  # CHECKED or NOT_CHECKED
    advisories: list[Advisory] = field(default_factory=list)
    packages: int = 0
    reason: str = ""  # why NOT CHECKED


@dataclass(frozen=True)
class Ignore:
    id: str
    reason: str
    until: datetime.date


# --- Parsing recorded outputs --------------------------------------------------------------------
def parse_pip_audit(stdout: str, returncode: int) -> AuditResult:
    """pip-audit ``-f json``: CHECKED only if it answered for every dependency."""
    try:
        data = json.loads(stdout)
        dependencies = data["dependencies"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return AuditResult("pip-audit", NOT_CHECKED, reason=f"no report (exit {returncode})")
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    advisories = [
        Advisory(
            "pip-audit",
            dep["name"],
            dep.get("version", ""),
            (vuln["id"], *vuln.get("aliases", [])),
            (vuln.get("description") or "")[:120],
        )
        for dep in dependencies
        for vuln in dep.get("vulns", [])
    ]
    if skipped:
        return AuditResult(
            "pip-audit",
            NOT_CHECKED,
            advisories,
            len(dependencies) - len(skipped),
            reason=f"{len(skipped)} of {len(dependencies)} packages not audited: {skipped[0]['skip_reason']}",
        )
    if not dependencies:
        return AuditResult("pip-audit", NOT_CHECKED, reason="the report lists no packages")
    return AuditResult("pip-audit", CHECKED, advisories, len(dependencies))


_GHSA = re.compile(r"GHSA(?:-[0-9a-z]{4}){3}")


def parse_npm_audit(stdout: str, returncode: int) -> AuditResult:
    """``npm audit --json``: an ``error`` object (registry unreachable, refused) or no metadata
    is NOT CHECKED; otherwise each advisory found is listed once, by its GHSA id and npm source."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return AuditResult("npm audit", NOT_CHECKED, reason=f"no report (exit {returncode})")
    if not isinstance(data, dict) or "error" in data or "metadata" not in data:
        error = data.get("error") if isinstance(data, dict) else None
        message = (
            (data.get("message") if isinstance(data, dict) else "") or (error or {}).get("summary") or "no metadata"
        )
        return AuditResult("npm audit", NOT_CHECKED, reason=str(message)[:200])
    advisories: dict[tuple[str, ...], Advisory] = {}
    for name, entry in (data.get("vulnerabilities") or {}).items():
        for via in entry.get("via", []):
            if not isinstance(via, dict):
                continue  # a package affected through another one: its advisory is listed there
            ids = tuple(_GHSA.findall(via.get("url", ""))) + (f"npm:{via.get('source')}",)
            advisories.setdefault(
                ids, Advisory("npm audit", via.get("name", name), entry.get("range", ""), ids, via.get("title", ""))
            )
    total = data["metadata"].get("dependencies", {}).get("total", 0)
    return AuditResult("npm audit", CHECKED, list(advisories.values()), int(total))


def parse_bandit(stdout: str) -> tuple[list[dict[str, Any]], str]:
    """The medium and high findings, and an error if bandit gave no report."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return [], "bandit gave no report"
    findings = [r for r in data.get("results", []) if r.get("issue_severity") in ("MEDIUM", "HIGH")]
    return findings, ""


def load_ignores(path: Path = IGNORE_FILE) -> list[Ignore]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ignores = []
    for entry in data.get("ignore", []):
        until = entry.get("until")
        if not entry.get("id") or not entry.get("reason") or not isinstance(until, datetime.date):
            raise ValueError(f"{path}: every ignore needs an id, a reason and an until date: {entry!r}")
        ignores.append(Ignore(str(entry["id"]), str(entry["reason"]), until))
    return ignores


# --- The decision ------------------------------------------------------------------------------------
def ignored_by(advisory: Advisory, ignores: list[Ignore], today: datetime.date) -> Ignore | None:
    """The ignore entry still in date that names one of the advisory's ids."""
    for ignore in ignores:
        if ignore.id in advisory.ids and today <= ignore.until:
            return ignore
    return None


def decide(
    results: list[AuditResult],
    bandit_findings: list[dict[str, Any]],
    ignores: list[Ignore],
    today: datetime.date,
    *,
    strict: bool = False,
    bandit_error: str = "",
) -> tuple[int, list[str]]:
    """The exit code and the lines to print."""
    lines: list[str] = []
    failed = False
    if bandit_error:
        lines.append(f"bandit: FAILED – {bandit_error}")
        failed = True
    elif bandit_findings:
        failed = True
        lines.append(f"bandit: {len(bandit_findings)} medium or high finding(s)")
        lines += [
            f"  {f['filename']}:{f['line_number']} {f['test_id']} {f['issue_severity']}: {f['issue_text']}"
            for f in bandit_findings
        ]
    else:
        lines.append("bandit: no medium or high findings")
    for result in results:
        if result.status == NOT_CHECKED:
            lines.append(f"{result.tool}: {NOT_CHECKED} !!! the advisory service did not answer: {result.reason}")
            lines.append(f"{result.tool}: !!! nothing is known about vulnerabilities in these packages from this run")
            failed = failed or strict
        else:
            lines.append(f"{result.tool}: {CHECKED} ({result.packages} packages)")
        for advisory in result.advisories:
            ignore = ignored_by(advisory, ignores, today)
            label = f"  {advisory.package} {advisory.version}: {', '.join(advisory.ids)} {advisory.summary}".rstrip()
            if ignore:
                lines.append(f"{label} – ignored until {ignore.until.isoformat()}: {ignore.reason}")
            else:
                expired = [i for i in ignores if i.id in advisory.ids]
                if expired:
                    label += f" (ignore expired on {max(i.until for i in expired).isoformat()})"
                lines.append(label + " – FAILS")
                failed = True
    unchecked = [result.tool for result in results if result.status == NOT_CHECKED]
    if failed:
        lines.append("supply chain: FAILED")
    elif unchecked:
        lines.append(
            f"supply chain: passed, but {NOT_CHECKED}: {', '.join(unchecked)} (run again when the registry answers)"
        )
    else:
        lines.append("supply chain: passed")
    return (1 if failed else 0), lines


# --- Running the tools ---------------------------------------------------------------------------------
def _run(command: list[str], timeout: float) -> tuple[str, int, str]:
    """stdout, exit code, and an error when the command could not run or timed out."""
    try:
        completed = subprocess.run(  # noqa: S603  # nosec B603  # a fixed argument list, no shell
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "", -1, f"timed out after {timeout:.0f} s"
    except OSError as error:
        return "", -1, str(error)
    return completed.stdout, completed.returncode, ""


def run_pip_audit(timeout: float) -> AuditResult:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--no-deps",
        "--disable-pip",
        "-f",
        "json",
        "--progress-spinner",
        "off",
    ]
    command += ["--timeout", str(max(5, int(timeout // 4)))]
    for name in REQUIREMENTS:
        command += ["-r", name]
    stdout, code, error = _run(command, timeout)
    if error:
        return AuditResult("pip-audit", NOT_CHECKED, reason=error)
    return parse_pip_audit(stdout, code)


def run_npm_audit(timeout: float) -> AuditResult:
    npm = shutil.which("npm")
    if npm is None:
        return AuditResult("npm audit", NOT_CHECKED, reason="npm is not installed")
    stdout, code, error = _run([npm, "audit", "--json", "--package-lock-only"], timeout)
    if error:
        return AuditResult("npm audit", NOT_CHECKED, reason=error)
    return parse_npm_audit(stdout, code)


def run_bandit(timeout: float) -> tuple[list[dict[str, Any]], str]:
    stdout, _code, error = _run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-f", "json", "-q"], timeout
    )
    if error:
        return [], error
    return parse_bandit(stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="NOT CHECKED fails too")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for each tool")
    args = parser.parse_args(argv)
    findings, bandit_error = run_bandit(args.timeout)
    results = [run_pip_audit(args.timeout), run_npm_audit(args.timeout)]
    code, lines = decide(
        results,
        findings,
        load_ignores(),
        datetime.datetime.now(datetime.UTC).date(),
        strict=args.strict,
        bandit_error=bandit_error,
    )
    print("\n".join(lines))  # noqa: T201 - a command-line tool's report
    return code


if __name__ == "__main__":
    sys.exit(main())
