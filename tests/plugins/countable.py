"""Activations with countably many kinks, written as an outside author would: nothing overridden but kinks().

``Floor`` is floor(z): a jump at every integer, so at every float from 2^52 on.
``FineStairs`` is w floor(z / w) with w = 2^-19: 10,485,761 kinks in [-10, 10].
"""

from __future__ import annotations

import math

import numpy as np

import kit


class Floor(kit.Activation):
    """floor(z): right-continuous jumps of 1 at the integers, derivative 0 between them."""

    def value(self, z):
        return np.floor(z)

    def left_derivative(self, z):
        return np.where(np.isnan(z), z, np.where(z == np.floor(z), np.inf, 0.0)).astype(z.dtype)

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, 0.0).astype(z.dtype)

    def kinks(self, lo=-math.inf, hi=math.inf):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError("floor has a kink at every integer: ask about a finite window")
        first, last = math.ceil(lo), math.floor(hi)
        if last - first > 10**8:
            raise ValueError(f"floor has {last - first + 1} kinks in [{lo}, {hi}]: ask about a smaller window")
        return kit.within(first + np.arange(max(last - first + 1, 0), dtype=np.float64), lo, hi)


class FloorForgetsBigOnes(Floor):
    """Floor whose kinks() stops at 1e15, though every float beyond 2^52 is an integer, hence a jump."""

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within(Floor.kinks(self, max(lo, -1e15), min(hi, 1e15)) if max(lo, -1e15) <= min(hi, 1e15)
                          else [], lo, hi)


class FineStairs(kit.Activation):
    """w floor(z / w) with w = 2^-19, computed exactly with fmod; counts how often it lists many kinks."""

    W = 2.0**-19
    big_listings = 0  # kinks() calls answering with more than a million points

    def _rem(self, z):
        with np.errstate(invalid="ignore"):
            return np.where(np.isinf(z), z.dtype.type(0), np.fmod(z, z.dtype.type(self.W)))

    def value(self, z):
        r = self._rem(z)
        down = z - r
        return np.where(r < 0, down - z.dtype.type(self.W), down)

    def left_derivative(self, z):
        on = (self._rem(z) == 0) & np.isfinite(z)
        return np.where(np.isnan(z), z, np.where(on, np.inf, 0.0).astype(z.dtype))

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    def kinks(self, lo=-math.inf, hi=math.inf):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError("fine_stairs has a kink every 2^-19: ask about a finite window")
        if (hi - lo) / self.W > 1e8:
            raise ValueError(f"fine_stairs has over 10^8 kinks in [{lo}, {hi}]: ask about a smaller window")
        first = lo - math.fmod(lo, self.W)
        pts = np.unique(first + self.W * np.arange(-1, int((hi - first) / self.W) + 2))
        out = kit.within(pts[np.fmod(pts, self.W) == 0], lo, hi)
        if out.size > 10**6:
            type(self).big_listings += 1
        return out
