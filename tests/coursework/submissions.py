"""A small coursework notebook and the submissions graded against it: honest ones and hostile ones.

Each hostile submission is written as a student trying to cheat (or to harm)
would write it, from the attacks found in issue 11.  Answers are keyed by the
answer cell's nbgrader ``grade_id``; ``added`` cells are put after the cell
whose ``grade_id`` is given (``None``: at the top).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

RIGHT = {
    "double": "def double(x):\n    return 2 * x",
    "sides": "left, right = 0.0, 1.0",
    "ramp": (
        "class Ramp(kit.Activation):\n"
        "    def value(self, z):\n        return np.maximum(z, np.zeros_like(z))\n"
        "    def left_derivative(self, z):\n        return np.where(np.isnan(z), z, (z > 0).astype(z.dtype))\n"
        "    def right_derivative(self, z):\n        return np.where(np.isnan(z), z, (z >= 0).astype(z.dtype))\n"
        "    def kinks(self, lo=-np.inf, hi=np.inf):\n        return kit.within([0.0], lo, hi)"
    ),
    "settings": 'settings = {"activation": "relu", "bias": 0.1, "lr": 0.1}',
}
WRONG = {
    "double": "def double(x):\n    return 3 * x",
    "sides": "left, right = 5.0, 5.0",
    "ramp": RIGHT["ramp"].replace("(z > 0)", "(z >= 0)"),  # left derivative 1 at the kink: wrong
    "settings": 'settings = {"activation": "relu", "bias": -3.0, "lr": 5.0}',
}
POINTS = {"check-double": 2, "check-sides": 1, "check-ramp": 2, "check-train": 3}
MAX = sum(POINTS.values())


def teacher_notebook() -> nbformat.NotebookNode:
    """The teacher's notebook: four answers, four check cells (one with hidden tests), one manual answer."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    def code(source: str, gid: str | None = None, grade: bool = False, solution: bool = False, points: int = 0):
        c = nbformat.v4.new_code_cell(source)
        if gid:
            c.metadata["nbgrader"] = {"grade": grade, "grade_id": gid, "locked": grade, "solution": solution,
                                      "schema_version": 3, **({"points": points} if grade else {})}
        return c

    def answer(gid: str, body: str, before: str = "") -> nbformat.NotebookNode:
        return code(f"{before}### BEGIN SOLUTION\n{body}\n### END SOLUTION", gid, solution=True)

    md = nbformat.v4.new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    md.metadata["nbgrader"] = {"grade": True, "grade_id": "why", "locked": False, "points": 1, "schema_version": 3,
                               "solution": True}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Exercise"),
        code("import numpy as np\nimport kit\nfrom kit.lab import datasets\n"
             "from kit.coursework import check_activation, check_close, check_kinks, check_one_sided, check_training"),
        answer("double", RIGHT["double"]),
        code('check_close(double(3.0), 6.0, "double(3)")\n### BEGIN HIDDEN TESTS\n'
             'check_close(double(-7.5), -7.5 * 2, "double(-7.5)")\n### END HIDDEN TESTS',
             "check-double", grade=True, points=POINTS["check-double"]),
        answer("sides", RIGHT["sides"], "left = right = None\n"),
        code('check_one_sided("relu", 0.0, left, right)', "check-sides", grade=True, points=POINTS["check-sides"]),
        answer("ramp", RIGHT["ramp"]),
        code("check_kinks(Ramp(), -5, 5, [0.0])\ncheck_activation(Ramp)", "check-ramp", grade=True,
             points=POINTS["check-ramp"]),
        code('X, y = datasets.make("moons", n=60, noise=0.1, seed=0)'),
        answer("settings", RIGHT["settings"]),
        code('check_training(settings, X, y, "the units stay alive", sizes=[2, 8, 1], steps=60, seed=0,\n'
             '               dead_at_most=1, accuracy_at_least=0.8)', "check-train", grade=True,
             points=POINTS["check-train"]),
        md,
    ]
    for i, c in enumerate(nb.cells):
        c.id = f"cell-{i}"
    return nb


@dataclass
class Submission:
    """A student's notebook: the released copy with ``answers`` filled in and ``added`` cells."""

    answers: dict[str, str]
    added: list[tuple[str | None, str]] = field(default_factory=list)
    lose_ids: bool = False

    def notebook(self, released: nbformat.NotebookNode) -> nbformat.NotebookNode:
        nb = copy.deepcopy(released)
        for c in nb.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid in self.answers:
                c.source = ("left = right = None\n" if gid == "sides" else "") + self.answers[gid]
        for after, source in reversed(self.added):
            at = 0 if after is None else 1 + next(
                i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == after)
            nb.cells.insert(at, nbformat.v4.new_code_cell(source))
        if self.lose_ids:
            for i, c in enumerate(nb.cells):
                c.id = f"converted-{i}"
                c.metadata.pop("nbgrader", None)
        return nb


def hostile_stealer() -> str:
    """Search the machine for a notebook with solutions (through /proc, the temp folders, the home) and run its answers."""
    return r'''
import glob, json, os
found = []
roots = {"/tmp", os.path.expanduser("~"), "/", os.getcwd(), os.path.dirname(os.getcwd())}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            roots.add(os.readlink(f"/proc/{pid}/cwd"))
            roots.update(a for a in open(f"/proc/{pid}/cmdline").read().split("\0") if a.startswith("/"))
        except OSError:
            pass
for root in roots:
    for path in glob.glob(os.path.join(root, "**", "*.ipynb"), recursive=True)[:2000]:
        try:
            text = open(path).read()
        except OSError:
            continue
        if "BEGIN SOLUTION" in text:
            found.append(path)
            for cell in json.loads(text)["cells"]:
                src = "".join(cell["source"])
                if cell["cell_type"] == "code" and "BEGIN SOLUTION" in src:
                    exec(src, globals())
print("solutions found:", len(found))
'''


def build(teacher_nb: nbformat.NotebookNode, released: nbformat.NotebookNode, root: Path,
          subs: dict[str, Submission], name: str = "ex.ipynb") -> None:
    """Write each submission as ``root/STUDENT/assignment/NAME``."""
    for student, sub in subs.items():
        folder = root / student / "assignment"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(sub.notebook(released), folder / name)
