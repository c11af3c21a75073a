"""Every test runs with its own config and cache folders and no token from the environment."""

import pytest


def pytest_configure(config):
    """Register the marks the suite uses."""
    config.addinivalue_line("markers", "fuzz: Hypothesis property tests of hostile input (~20 s)")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Keep tests away from the user's real config, cache and API settings."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    monkeypatch.delenv("FOLLOWAUDIT_API_URL", raising=False)
