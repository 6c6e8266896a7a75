"""The examples in the docstrings of kit.plot and kit.widgets run and show what they say (one test per module)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kit.plot", "kit.plot.functions", "kit.plot.measured", "kit.plot.style", "kit.plot.training",
    "kit.widgets", "kit.widgets.models.base", "kit.widgets.models.descent", "kit.widgets.models.explorer",
    "kit.widgets.models.training", "kit.widgets.models.dead_units", "kit.widgets.models.saturation",
    "kit.widgets.models.playground", "kit.widgets.views.base", "kit.widgets.views.training",
    "kit.widgets.views.explorer", "kit.widgets.views.descent", "kit.widgets.views.dead_units",
    "kit.widgets.views.saturation", "kit.widgets.views.playground",
]
WITH_EXAMPLES = {"kit.plot", "kit.plot.functions", "kit.plot.measured", "kit.plot.style", "kit.plot.training", "kit.widgets",
                 "kit.widgets.models.descent", "kit.widgets.models.explorer", "kit.widgets.models.playground",
                 "kit.widgets.models.saturation"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert (result.attempted > 0) == (name in WITH_EXAMPLES)
