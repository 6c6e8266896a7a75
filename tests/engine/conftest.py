"""Fixtures for the engine tests: small local activations (torch comes from tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

import kit


class Cube(kit.Activation):
    """z³: smooth, no kinks; a notebook-style plugin for the tests."""

    name = "engine_test_cube"

    def value(self, z):
        return z * z * z

    def left_derivative(self, z):
        return 3 * z * z

    right_derivative = left_derivative


class Bent(kit.Activation):
    """A ReLU-like kink at ``at`` with slopes 0.5 and 2 (so every kink rule differs)."""

    name = "engine_test_bent"
    defaults = {"at": 0.0}

    def value(self, z):
        at = z.dtype.type(self.at)
        return np.where(z < at, z.dtype.type(0.5) * (z - at), z.dtype.type(2) * (z - at))

    def left_derivative(self, z):
        return np.where(z <= z.dtype.type(self.at), z.dtype.type(0.5), z.dtype.type(2)).astype(z.dtype)

    def right_derivative(self, z):
        return np.where(z < z.dtype.type(self.at), z.dtype.type(0.5), z.dtype.type(2)).astype(z.dtype)

    def kinks(self, lo=-np.inf, hi=np.inf):
        return kit.within([self.at], lo, hi)


@pytest.fixture(scope="session")
def local_activations():
    """Register Cube and Bent at run time (as a notebook would) for the session."""
    names = []
    for cls in (Cube, Bent):
        if cls.name not in kit.names():
            kit.register(cls)
            names.append(cls.name)
    yield {"cube": Cube.name, "bent": Bent.name}
    for name in names:
        kit.unregister(name)
