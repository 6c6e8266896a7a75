"""activation-kit: does gradient descent need a differentiable activation?

The core: the :class:`Activation` contract, the entry-point registry and the
conformance checks.  ``import kit`` imports numpy only; :mod:`kit.plot` and
:mod:`kit.widgets` import matplotlib and ipywidgets when they are used.

Examples
--------
>>> import kit
>>> relu = kit.get("relu")
>>> relu.left_derivative(0.0), relu.right_derivative(0.0)
(0.0, 1.0)
"""

from kit.activation import (
    FRAMEWORKS,
    KINK_RULES,
    SATURATION_TOL,
    Activation,
    Fixed,
    KinkRule,
    Rule,
    as_float_array,
    validate_kink,
    within,
)
from kit.conformance import Report, check
from kit.registry import (
    PluginError,
    Problem,
    UnknownActivation,
    entries,
    get,
    names,
    plugin_problems,
    refresh,
    register,
    resolve,
    unregister,
)

__version__ = "0.1.0"

__all__ = [
    "FRAMEWORKS",
    "KINK_RULES",
    "SATURATION_TOL",
    "Activation",
    "Fixed",
    "KinkRule",
    "PluginError",
    "Problem",
    "Report",
    "Rule",
    "UnknownActivation",
    "as_float_array",
    "check",
    "entries",
    "get",
    "names",
    "plugin_problems",
    "refresh",
    "register",
    "resolve",
    "unregister",
    "validate_kink",
    "within",
]
