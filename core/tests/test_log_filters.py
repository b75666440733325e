"""No query string (a searched-for name) reaches the logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from core.log_filters import StripQueryStrings, strip_query_strings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"GET /en/children/?q=Secret+Name HTTP/1.1" 200', '"GET /en/children/ HTTP/1.1" 200'),
        ("Not Found: /en/nope?q=secret&page=2", "Not Found: /en/nope"),
        (
            "Forbidden (Referer checking failed - https://nyth.example.org/en/?q=secret)",
            "Forbidden (Referer checking failed - https://nyth.example.org/en/",
        ),  # the query runs to a space: its ")" goes too
        ("no query here: /en/children/12/ and a question? yes", "no query here: /en/children/12/ and a question? yes"),
    ],
)
def test_strip_query_strings(text, expected):
    assert strip_query_strings(text) == expected


def _capture(logger_name: str) -> tuple[logging.Logger, list[str], logging.Handler]:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(StripQueryStrings())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return logger, lines, handler


def test_args_and_tracebacks_are_cleaned():
    logger, lines, handler = _capture("nyth.test.logfilter")
    try:
        logger.warning("request %s failed", "/en/children/?q=secret")
        try:
            raise ValueError("bad page /en/?q=secret")
        except ValueError:
            logger.exception("boom at %s", "/en/x?token=secret")
    finally:
        logger.removeHandler(handler)
    assert lines and all("secret" not in line for line in lines)
    assert "request /en/children/ failed" in lines[0]
    assert "ValueError: bad page /en/" in lines[1]


@pytest.mark.django_db
def test_django_request_404_and_500_logs_carry_no_query_string(client_for, alice, settings):
    logger, lines, handler = _capture("django.request")
    client: Client = client_for(alice)
    client.raise_request_exception = False
    try:
        assert client.get("/en/children/999999/?q=secret").status_code == 404
        from unittest import mock

        with mock.patch("dashboard.views.render", side_effect=RuntimeError("render failed for /en/?q=secret")):
            assert client.get("/en/?q=secret").status_code == 500
    finally:
        logger.removeHandler(handler)
    assert any("Not Found" in line for line in lines)
    assert any("Internal Server Error" in line and "RuntimeError" in line for line in lines)
    assert all("secret" not in line for line in lines), lines


def test_the_settings_put_the_filter_on_the_console_handler():
    root = logging.getLogger()
    console = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, StripQueryStrings) for f in h.filters)
    ]
    assert console, "LOGGING's console handler must strip query strings"
