"""Fixtures of the widget and plot tests."""

from __future__ import annotations

import pytest
from widget_plugins import PLUGINS

import kit


@pytest.fixture
def plugins():
    """Register the test activations at run time; unregister them afterwards."""
    names = [kit.register(cls) for cls in PLUGINS]
    yield names
    for name in names:
        kit.unregister(name)
