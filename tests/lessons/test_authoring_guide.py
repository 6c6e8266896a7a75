"""docs/lessons.md: its worked example runs, prints what is stored, and does so under another machine's rounding.

The example notebook is re-executed twice in a fresh kernel without writing
(the comparison nbval makes: every compared output must be as stored): as
stored, and with :func:`kit.lessons.perturbed_environment`.  The script that
earned its bands must measure what the notebook's band comment says.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from kit import lessons

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "lessons.md"
EXAMPLES = ROOT / "docs" / "examples"
NOTEBOOK = EXAMPLES / "wider_learns_better.ipynb"


@pytest.mark.parametrize("perturbed", [False, True], ids=["as-stored", "perturbed"])
def test_the_worked_example_prints_what_is_stored(tmp_path, perturbed):
    for name in (NOTEBOOK.name, "earn_bands.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    run = lessons.execute(tmp_path / NOTEBOOK.name, timeout=300, write=False,
                          env=lessons.perturbed_environment() if perturbed else None)
    assert run.ok, str(run)
    assert run.changed == [], "\n".join(run.changed)


def test_the_worked_example_states_claims_that_hold():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    verdicts = [line for line in printed.splitlines() if line.startswith(("✔", "✘"))]
    assert len(verdicts) >= 4 and all(v.startswith("✔ ") for v in verdicts)
    for kind in ("exact", "mean_within", "increasing", "indistinguishable"):
        assert f"claims.{kind}(" in "".join(c.source for c in nb.cells)


def test_the_band_comment_is_what_the_script_measures():
    """The notebook says its width-16 band was earned from a mean 0.8385 and a range [0.78, 0.9075]: re-measure."""
    spec = importlib.util.spec_from_file_location("earn_bands", EXAMPLES / "earn_bands.py")
    earn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(earn)
    acc = earn.accuracies(widths=(16,))[0]
    source = NOTEBOOK.read_text()
    mean, lo, hi = map(float, re.search(r"width 16: mean ([\d.]+), range \[([\d.]+), ([\d.]+)\]", source).groups())
    assert acc.mean() == pytest.approx(mean, abs=5e-5)
    assert (acc.min(), acc.max()) == pytest.approx((lo, hi), abs=5e-5)
    band = re.search(r"band \[([\d.]+), ([\d.]+)\] for the mean", source).groups()
    assert float(band[0]) < lo and hi < float(band[1])  # room to spare on both sides
    assert not float(band[0]) <= 0.5 <= float(band[1])  # excludes chance


def test_the_guide_is_linked_and_names_files_that_exist():
    text = GUIDE.read_text()
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert (GUIDE.parent / target).exists(), target
    assert "docs/lessons.md" in (ROOT / "README.md").read_text()
    assert "docs/lessons.md" in (ROOT / "lessons" / "README.md").read_text()
    for name in ("exact", "that", "close", "within", "mean_within", "rate_below", "greater", "increasing",
                 "indistinguishable", "spread"):
        assert f"claims.{name}(" in text, name

