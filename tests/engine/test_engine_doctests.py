"""The examples in the engine's docstrings run and print what they show (one test per module)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
from pathlib import Path

import pytest

MODULES = ["nn", "network", "diagnostics", "history", "training", "experiments", "datasets", "init", "losses", "optim"]
BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"kit.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


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
