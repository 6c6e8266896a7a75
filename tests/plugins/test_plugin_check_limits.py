"""kit.check on what used to defeat it: countably many kinks, 10^7 of them, a value that never returns,
a plugin that exits in the middle of a check."""

from __future__ import annotations

import math
import os
import sys
import threading
import time

import numpy as np
import pytest
from countable import FineStairs, Floor, FloorForgetsBigOnes

import kit
from kit.activation import numerical_saturation
from kit.conformance import limits
from kit.conformance.evaluate import extreme_inputs


def test_an_outside_floor_with_no_overrides_passes_every_check():
    report = kit.check(Floor)
    assert report.ok, report.problems
    assert report.info["dead region (tol=0)"].startswith("[(-inf, inf)] almost everywhere")
    assert report.info["discontinuous"].startswith("yes: jumps at z=-10, -9, -8")


def test_the_finite_check_accepts_infinite_derivatives_at_declared_kinks_even_at_huge_floats():
    floor = Floor()
    for dtype, top in ((np.float32, 3.4028235e38), (np.float64, 1.7976931348623157e308)):
        z = extreme_inputs(dtype)
        assert z.max() == dtype(top) and z.min() == -dtype(top)
        assert floor.left_derivative(z[[0, -1]]).tolist() == [np.inf, np.inf]  # every float there is an integer
        assert floor.kinks(float(top), float(top)).tolist() == [float(top)]
    assert kit.check(Floor, checks="check_finite", info=False).ok
    # a kinks() that stops declaring them is caught: the check is not vacuous
    problems = kit.check(FloorForgetsBigOnes, checks="check_finite", info=False).problems
    assert problems[0].startswith("check_finite: left_derivative(z) is inf at z=-3.40282e+38 (float32); expected a number "
                                  "(infinite only at a declared kink)")


def test_ten_million_declared_kinks_are_listed_a_few_times_not_dozens():
    FineStairs.big_listings = 0
    report = kit.check(FineStairs(), time_limit=None)  # in this process, so the count below is seen
    assert report.ok, report.problems
    assert FineStairs().kinks(-10, 10).size == 10_485_761
    assert report.info["differentiable almost everywhere"].startswith("yes: 10485761 kinks in [-10, 10]")
    # every window is asked once and narrower ones are answered from it: [-10, 10] twice (its own check
    # compares two answers of the plugin), [-11, 11], [0, 10] and [-12, 12] (describe): 10^7 points each
    FineStairs.big_listings -= 1  # the call just above
    assert FineStairs.big_listings <= 6, FineStairs.big_listings


class NeverReturns(kit.Activation):
    """value() loops forever in Python; the derivatives are fine."""

    def value(self, z):
        while True:
            pass

    def left_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    right_derivative = left_derivative


class SleepsInSaturation(kit.Activation):
    def value(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    def left_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    right_derivative = left_derivative

    def saturation(self, tol=1e-3):
        time.sleep(3600)  # in C: no exception can stop it, only killing the process
        return [(-np.inf, np.inf)]


def test_a_check_that_runs_out_of_time_is_reported_by_name_and_the_others_still_run():
    report = kit.check(SleepsInSaturation, time_limit=1.0)
    failed = {r.check: r.problems for r in report.results if not r.ok}
    assert set(failed) == {"check_saturation"}, failed
    assert failed["check_saturation"] == ("check_saturation: ran out of time: no answer within 1 s; a method of the "
                                          "activation may never return",)
    assert report.info["information"] == "unavailable: no answer within 1 s"  # describe() asks saturation too
    report = kit.check(NeverReturns, time_limit=0.5, info=False)
    timed_out = [r.check for r in report.results if r.problems and "ran out of time" in r.problems[0]]
    assert "check_shape_and_dtype" in timed_out and "check_params" not in timed_out
    assert [p for p in report.problems if "ran out of time" not in p] == []


class ExitsWhenCalled(kit.Activation):
    def value(self, z):
        os._exit(3)

    def left_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    right_derivative = left_derivative


class RaisesSystemExit(ExitsWhenCalled):
    def value(self, z):
        sys.exit("bye")


def test_a_plugin_ending_the_process_in_a_check_ends_only_the_child():
    result = kit.conformance.run_check("check_shape_and_dtype", ExitsWhenCalled())
    assert result.problems == ("check_shape_and_dtype: the activation ended the check: the process running it "
                               "exited with status 3 (os._exit?)",)
    report = kit.check(RaisesSystemExit, info=False)
    assert not report.ok and report.problems[1] == "check_finite: the activation called sys.exit('bye') during the check"
    from kit.cli import main

    assert main(["check", "countable:Floor"]) == 0
    assert main(["check", "test_plugin_check_limits:ExitsWhenCalled"]) == 1


def test_without_fork_a_thread_keeps_the_time_limit(monkeypatch):
    monkeypatch.setattr(limits, "forking", lambda: False)
    before = threading.active_count()
    report = kit.check(NeverReturns, checks=["check_shape_and_dtype", "check_params"], time_limit=0.5, info=False)
    assert [r.ok for r in report.results] == [False, True]
    assert "ran out of time: no answer within 0.5 s (still running in the background)" in report.problems[0]
    for _ in range(100):  # the injected exception stops the loop in Python code
        if threading.active_count() == before:
            break
        time.sleep(0.05)
    assert threading.active_count() == before


@pytest.mark.parametrize("limit", [0.0, -1.0, float("nan"), float("inf"), "1"])
def test_a_bad_time_limit_is_refused(limit):
    with pytest.raises(ValueError, match="time_limit must be a finite number > 0"):
        kit.check("relu", time_limit=limit)


def test_numerical_saturation_of_countably_many_jumps_is_one_interval_with_infinite_ends():
    # beyond 2^52 every float is an integer, so a declared jump: the interval is not split there either
    assert numerical_saturation(Floor(), 0.0) == [(-math.inf, math.inf)]
    assert Floor().saturation(0.0) == [(-math.inf, math.inf)]
