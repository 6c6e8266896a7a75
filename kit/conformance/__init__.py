"""Conformance: does an activation keep the contract?  :func:`check` and the named checks.

* :mod:`kit.conformance.checks`: every check, a plain function
  ``check_x(act, options) -> list[str]`` returning one sentence per problem, and
  :func:`run_check`, which runs one (also one pytest test each:
  :func:`kit.testing.parametrize_with_checks`);
* :mod:`kit.conformance.differences`: the one-sided finite differences they judge with;
* :mod:`kit.conformance.evaluate`: calling plugin code safely, and where to probe;
* :mod:`kit.conformance.report`: :func:`check` (``kit.check``), :class:`Report`, :func:`describe`.

Examples
--------
>>> import kit
>>> kit.check("relu").ok
True
"""

from kit.conformance.checks import CHECKS, CheckResult, run_check
from kit.conformance.evaluate import Options
from kit.conformance.report import Report, check, describe, gaussian_mean, saturation_text

__all__ = ["CHECKS", "CheckResult", "Options", "Report", "check", "describe", "gaussian_mean", "run_check", "saturation_text"]
