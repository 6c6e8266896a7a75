"""Activations for the widget tests, registered at run time as a student would in a notebook."""

from __future__ import annotations

import math

import numpy as np

import kit


class KitTestBent(kit.Activation):
    """Two kinks: slope 0 below 0, ``slope`` on [0, 1], ``top`` above 1 (continuous)."""

    name = "kit_test_bent"
    defaults = {"slope": 2.0, "top": 0.5}

    def value(self, z):
        return np.where(z < 0, 0 * z, np.where(z <= 1, self.slope * z, self.slope + self.top * (z - 1)))

    def left_derivative(self, z):
        return np.where(z <= 0, 0 * z, np.where(z <= 1, self.slope + 0 * z, self.top + 0 * z))

    def right_derivative(self, z):
        return np.where(z < 0, 0 * z, np.where(z < 1, self.slope + 0 * z, self.top + 0 * z))

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([0.0, 1.0], lo, hi)


class KitTestStep(kit.Activation):
    """Heaviside step with f(0) = 1: a jump, so the left derivative at 0 is +inf."""

    name = "kit_test_step"

    def value(self, z):
        return (z >= 0).astype(z.dtype)

    def left_derivative(self, z):
        return np.where(z == 0, np.inf, 0.0).astype(z.dtype)

    def right_derivative(self, z):
        return np.zeros_like(z)

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([0.0], lo, hi)


class KitTestLogistic(kit.Activation):
    """The logistic sigmoid, written independently of the kit's built-in."""

    name = "kit_test_logistic"

    def value(self, z):
        return 0.5 * (1 + np.tanh(z / 2))

    def left_derivative(self, z):
        s = 0.5 * (1 + np.tanh(z / 2))
        return s * (1 - s)

    right_derivative = left_derivative


class KitTestBroken(kit.Activation):
    """Registers fine, fails when used on anything but its defaults check."""

    name = "kit_test_broken"

    def value(self, z):
        if np.ndim(z) and np.size(z) > 1:
            raise RuntimeError("kit_test_broken cannot evaluate arrays")
        return z

    def left_derivative(self, z):
        return np.ones_like(z)

    right_derivative = left_derivative


PLUGINS = (KitTestBent, KitTestStep, KitTestLogistic, KitTestBroken)


def no_vertical_segments(x: np.ndarray, y: np.ndarray) -> bool:
    """True if no two consecutive drawn points share x but differ in y (a jump drawn as a wall)."""
    ok = np.isfinite(x[:-1]) & np.isfinite(x[1:]) & np.isfinite(y[:-1]) & np.isfinite(y[1:])
    wall = ok & (x[:-1] == x[1:]) & (y[:-1] != y[1:])
    return not wall.any()
