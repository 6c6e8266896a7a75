"""The worked example of docs/plugins.md is real code that passes every check."""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path

import pytest

import kit

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


@pytest.fixture(scope="module")
def worked_example(tmp_path_factory):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    [code] = [b for b in blocks if b.startswith("# worked example")]
    path = tmp_path_factory.mktemp("doc") / "soft_threshold_doc.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("soft_threshold_doc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lam", [1.0, 0.5, 0.0, 3.25])
def test_the_worked_example_passes_every_check(worked_example, lam):
    report = kit.check(worked_example.SoftThreshold(lam=lam))
    assert report.ok, report.problems


def test_the_worked_example_docstring_is_right(worked_example):
    result = doctest.testmod(worked_example, verbose=False)
    assert result.attempted == 5 and result.failed == 0


def test_its_numbers(worked_example):
    act = worked_example.SoftThreshold(lam=0.5)
    assert act.value([-2.0, -0.5, 0.25, 0.75]).tolist() == [-1.5, 0.0, 0.0, 0.25]
    assert act.derivative([-0.5, 0.5], kink="pytorch").tolist() == [0.0, 0.0]
    assert act.derivative([-0.5, 0.5], kink="mean").tolist() == [0.5, 0.5]
    assert kit.check(act).info["dead region (tol=0)"] == "[(-0.5, 0.5)]"
