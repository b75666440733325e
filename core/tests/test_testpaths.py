"""Every app's tests run: an app added without its folder in pytest.ini's testpaths would have
its tests silently never collected (found: jobs/tests, 12 worker and recovery tests)."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_folder_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.name
        for path in ROOT.glob("*/tests")
        if path.is_dir() and any(path.glob("test_*.py")) and not path.parent.name.startswith(".")
    }
    with_tests |= {path.name for path in ROOT.iterdir() if path.is_dir() and any(path.glob("test_*.py"))}
    # config/test_settings.py is the settings module, not a test; benchmarks print figures (bench/README.md).
    with_tests -= {"bench", "config"}
    assert with_tests - testpaths == set()
