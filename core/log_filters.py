"""Logging filters: nothing a user typed into a query string reaches the logs.

Search forms use GET (``/en/children/?q=<a child's name>``), so a URL's query string is
personal data. Django's own ``django.request`` messages use the path without the query, but
other loggers (``django.server``, ``django.security``, exceptions that quote a URL) do not, so
the filter sits on the handler and cleans every record that passes through it.
"""

from __future__ import annotations

import logging
import re

# A path or URL followed by a query string: keep the path, drop "?…" up to whitespace or a quote.
_QUERY = re.compile(r"((?:https?://[^\s/?\"']+)?/[^\s?\"']*)\?[^\s\"']*")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    """Rewrites the record's message without query strings (the record is then pre-formatted:
    args are folded into msg, so a handler cannot re-insert them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is, not dropped
            return True
        if "?" in message:
            record.msg = strip_query_strings(message)
            record.args = ()
        if record.exc_info and not record.exc_text:
            # Format the traceback once, here, so its text can be cleaned too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "?" in record.exc_text:
            record.exc_text = strip_query_strings(record.exc_text)
        return True
