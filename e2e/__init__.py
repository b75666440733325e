"""End-to-end browser journeys: real Chromium against a real Nyth server (see e2e/conftest.py)."""
