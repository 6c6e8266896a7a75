"""Lets activation-kit's own test run check the template in place.

Not copied by ``kit new-plugin``: a scaffolded plugin is installed with
``pip install -e .`` and found through its entry point instead.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "src"))

from kit_my_activation import MyActivation

import kit


@pytest.fixture(autouse=True)
def _registered():
    """Stand in for the entry point while a template test runs."""
    kit.register(MyActivation)
    yield
    kit.unregister("my_activation")
