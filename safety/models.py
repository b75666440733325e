"""Models (being written: issue 5)."""
