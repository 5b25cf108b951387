"""Helpers shared by the test suites (pytest plugins and process helpers)."""
