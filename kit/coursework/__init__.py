"""Coursework: the check helpers students' notebooks call, the student version, and grading a class.

Three layers, each importing only those before it:

* :mod:`kit.coursework.checks` (with :mod:`~kit.coursework.agent` and
  :mod:`~kit.coursework.plain`): the ``check_*`` helpers a notebook imports
  (``from kit.coursework import check_close``) and the judges behind them;
* :mod:`kit.coursework.notebook`: nbgrader's solution and hidden-test
  markers, the student version (``kit coursework release``), check cells,
  merging a submission into the teacher's notebook;
* :mod:`kit.coursework.sandbox`, :mod:`~kit.coursework.remote` and
  :mod:`kit.coursework.grading`: isolated kernels and grading a class
  (``kit coursework grade``).

``import kit.coursework`` imports the helpers only; :func:`release`,
:func:`grade` and the rest are loaded when first used.

Examples
--------
>>> from kit.coursework import check_close
>>> check_close(2 * 3.0, 6.0, "double(3)")
✔ double(3) (tolerance 1e-06)
"""

from __future__ import annotations

import importlib
from typing import Any

from kit.coursework.checks import (
    HELPERS,
    CheckFailed,
    check_activation,
    check_close,
    check_kinks,
    check_moments,
    check_one_sided,
    check_training,
)

__all__ = [
    "HELPERS",
    "CheckFailed",
    "CheckResult",
    "CourseworkError",
    "Grade",
    "Grading",
    "check_activation",
    "check_close",
    "check_kinks",
    "check_moments",
    "check_one_sided",
    "check_training",
    "grade",
    "merge",
    "release",
    "student_version",
    "table",
    "to_csv",
]

_LAZY = {
    "CourseworkError": "kit.coursework.notebook",
    "merge": "kit.coursework.notebook",
    "release": "kit.coursework.notebook",
    "student_version": "kit.coursework.notebook",
    "CheckResult": "kit.coursework.grading",
    "Grade": "kit.coursework.grading",
    "Grading": "kit.coursework.grading",
    "grade": "kit.coursework.grading",
    "table": "kit.coursework.grading",
    "to_csv": "kit.coursework.grading",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kit.coursework' has no attribute {name!r}")
