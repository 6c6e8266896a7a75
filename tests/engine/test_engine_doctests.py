"""The benchmark script's own examples and its crossover sentence (the kit's examples run under --doctest-modules)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


@pytest.fixture
def bench_engine():
    """benchmarks/bench_engine.py as a module (it sets BLAS thread variables on import: restored after)."""
    saved = dict(os.environ)
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_benchmark_docstring_examples_and_crossover(bench_engine):
    result = doctest.testmod(bench_engine)
    assert result.attempted > 0 and result.failed == 0
    # the run that printed "PyTorch is faster nowhere" beside a row with ratio 0.76
    text = bench_engine.crossover([(128, 1.2), (256, 1.1), (512, 0.76), (1024, 1.04), (2048, 1.02)])
    assert "512 (0.76)" in text and "consistently faster from: none" in text
    assert "from width 1024 on" in bench_engine.crossover([(512, 1.1), (1024, 0.8), (2048, 0.7)])
