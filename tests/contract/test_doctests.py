"""Every docstring example of the core is true: doctest over each module, one test per module.

The examples are the plugin author's manual (numpydoc, showing the kinks and the
limits), so they run as tests.  ELLIPSIS is on for long messages and versions.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kit",
    "kit.activation",
    "kit.registry",
    "kit.checks",
    "kit.testing",
    "kit.scaffold",
    "kit.cli",
    "kit.activations.piecewise",
    "kit.activations.jumps",
    "kit.activations.exponential",
    "kit.activations.smooth",
    "kit.activations.gaussian",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (see the output above)"
