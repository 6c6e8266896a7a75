"""Every (activation, framework) pair the frameworks have, against their own autodiff, live.

For each activation of the catalogue, with its default and other parameters,
and each of PyTorch 2.13, JAX 0.10 and TensorFlow 2.21 / Keras 3.15 that ships
it (both APIs where TensorFlow has two, ``tf.nn`` and ``keras.activations``):

* the value and ``derivative(z, kink=framework)`` agree with the framework's
  value and reverse-mode gradient in float64 at every declared kink, just
  beside each kink (1e-7 away on both sides) and at ordinary points, to
  ``rtol = 1e-12`` and ``atol = 1e-15`` (a few hundred ulp; most agree
  exactly; the absolute part covers frameworks' cancellation near 0, e.g.
  Keras' ``alpha * (exp(z) - 1)`` for elu where the kit uses ``expm1``);
* at the kinks also in float32, to ``rtol = 1e-6``;
* the recorded ``frameworks`` table claims a rule for exactly the frameworks
  that have the function, whenever the function has kinks.

What a framework does differently, and why, is listed in ``DEVIATIONS`` with
the exact value it returns, and asserted: if a framework changes, the test
fails and the entry must go.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit

FRAMEWORKS = ("pytorch", "jax", "tensorflow")

# (name, params): every built-in the frameworks could have, with parameters where they move a kink or a slope
CASES: list[tuple[str, dict[str, float]]] = [
    ("identity", {}), ("relu", {}), ("relu6", {}), ("hard_tanh", {}), ("abs", {}), ("sign", {}), ("step", {}),
    ("leaky_relu", {}), ("leaky_relu", {"alpha": 0.2}), ("leaky_relu", {"alpha": 2.0}),
    ("leaky_relu", {"alpha": -0.5}), ("elu", {}), ("elu", {"alpha": 2.0}), ("elu", {"alpha": 0.5}), ("selu", {}),
    ("celu", {}), ("celu", {"alpha": 2.0}), ("hard_sigmoid", {}), ("sigmoid", {}), ("tanh", {}),
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 10.0}), ("softplus", {"threshold": 40.0}),
    ("silu", {}), ("swish", {}), ("mish", {}), ("gelu", {}), ("softsign", {}), ("hard_swish", {}),
    ("hard_shrink", {}), ("hard_shrink", {"lam": 2.0}), ("soft_shrink", {}), ("soft_shrink", {"lam": 2.0}),
    ("tanh_shrink", {}), ("threshold", {}), ("threshold", {"threshold": 2.0, "default_value": 5.0}),
    ("threshold", {"threshold": 0.0, "default_value": 0.0}), ("log_sigmoid", {}), ("squareplus", {}),
    ("squareplus", {"b": 1.0}), ("sparse_plus", {}), ("sparse_sigmoid", {}), ("exponential", {}),
]  # fmt: skip
ORDINARY = [-11.5, -7.25, -4.5, -3.1, -2.2, -1.3, -0.6, -0.05, 0.0, 0.3, 0.9, 1.7, 2.6, 4.1, 5.5, 7.5, 11.5]


def _not_comparable(name: str, params: dict[str, float], framework: str) -> str | None:
    """Why ``framework``'s function is not this parametrisation of the kit's, or None."""
    if name == "softplus" and framework != "pytorch":
        if params.get("beta", 1.0) != 1.0:
            return "JAX's and TensorFlow's softplus have no beta"
    return None


def _points(act: kit.Activation, name: str, params: dict[str, float], framework: str) -> list[float]:
    kinks = act.kinks(-25.0, 25.0).tolist()
    beside = [k + s * 1e-7 * (1 + abs(k)) for k in kinks for s in (-1.0, 1.0)]
    pts = sorted(set(kinks + beside + ORDINARY))
    if name == "softplus" and framework != "pytorch":
        # no switch there: the same function as the kit's up to the switch, and everywhere beyond 36.74
        switch = params.get("threshold", 20.0)
        pts = [z for z in pts if z <= switch or switch > 36.74]
    return pts


def _case_id(case: tuple[str, dict[str, float]]) -> str:
    name, params = case
    return name + "".join(f"-{k}={v:g}" for k, v in params.items())


# Where a framework's autodiff or parameters are not the mathematics, measured, with the reason:
# (name, framework, api): {z: the gradient it returns}.  Strict: a change in the framework fails the test.
DEVIATIONS: dict[tuple[str, str, str], dict[float, float]] = {
    # Keras 3's celu is max(x, 0) + min(0, alpha expm1(x / alpha)): at 0 both the max and the min pass the
    # gradient to the branch that is tied, 1 + 1 = 2, where celu is differentiable with derivative 1
    ("celu", "tensorflow", "keras.activations.celu"): {0.0: 2.0},
}


# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, in float64 too (its forward is exact)
FLOAT32_SLOPES: dict[tuple[str, str], float] = {("hard_sigmoid", "pytorch"): 1 / 6}

# Less accurate than the kit in float64, by a measured amount: (rtol the comparison needs, reason).  Strict: the
# test also asserts the inaccuracy is still there (more than 1e-12), so a fixed framework fails it.
INACCURATE: dict[tuple[str, str], tuple[float, str]] = {
    ("gelu", "tensorflow"): (1e-5, "TensorFlow 2.21's float64 exact gelu (tf.nn.gelu and Keras') is off by 1.2e-8 "
                                   "relative at z = -0.6 and 2.2e-6 at z = -11.5; z Phi(z) with scipy's ndtr and "
                                   "Python's math.erfc agree with the kit to 1e-16"),
}


def _kit_params(name: str, params: dict[str, float], framework: str) -> dict[str, float]:
    """The kit's parameters that give the framework's function exactly."""
    if name == "leaky_relu" and framework == "tensorflow":
        # TensorFlow's LeakyRelu op takes alpha as a 32-bit float attribute, also in float64
        alpha = params.get("alpha", kit.get("leaky_relu").alpha)
        return {**params, "alpha": float(np.float32(alpha))}
    return params


def _requests() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {fw: [] for fw in FRAMEWORKS}
    for name, params in CASES:
        act = kit.get(name, **params)
        full = act.params
        for fw in FRAMEWORKS:
            pts = _points(act, name, params, fw)
            out[fw].append({"name": name, "params": full, "z": pts})
            kinks = act.kinks(-25.0, 25.0).tolist()
            if kinks:
                out[fw].append({"name": name, "params": full, "z": kinks, "dtype": "float32"})
    return out


REQUESTS = _requests()


def _answer(frameworks, framework: str, name: str, params: dict[str, float], dtype: str = "float64"):
    answer = frameworks.ask(framework, REQUESTS[framework])
    full = kit.get(name, **params).params
    for case, result in zip(REQUESTS[framework], answer["results"], strict=True):
        if case["name"] == name and case["params"] == full and case.get("dtype", "float64") == dtype:
            return answer["version"], case, result
    raise AssertionError(f"no request for {name} {params} {dtype}")


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_value_and_gradient_match_the_frameworks_autodiff(frameworks, case, framework):
    name, params = case
    why = _not_comparable(name, params, framework)
    if why:
        pytest.skip(why)
    version, request, result = _answer(frameworks, framework, name, params)
    if "missing" in result:
        act = kit.get(name, **params)
        assert framework not in act.frameworks, f"{name}: a {framework} rule is recorded but {result['missing']}"
        pytest.skip(f"{framework} {version}: {result['missing']}")
    act = kit.get(name, **_kit_params(name, params, framework))
    z = np.array(request["z"])
    compared = 0
    for impl in result["impl"]:
        if "grad" not in impl:
            continue  # torch.heaviside: no derivative at all (the consistency test below says so)
        assert impl["dtype"] == "float64", impl
        where = f"{impl['api']} ({framework} {version})"
        rtol, reason = INACCURATE.get((name, framework), (1e-12, ""))
        if reason:
            worst = max(_relative_error(act.value(z), impl["value"]), _relative_error(act.derivative(z), impl["grad"]))
            assert worst > 1e-12, f"{where} is now accurate (worst relative error {worst:.2g}): remove INACCURATE entry"
        np.testing.assert_allclose(act.value(z), impl["value"], rtol=rtol, atol=1e-15, err_msg=f"value, {where}")
        theirs = np.array(impl["grad"])
        if (name, framework) in FLOAT32_SLOPES:
            c = FLOAT32_SLOPES[(name, framework)]
            assert np.any(theirs == np.float32(c)), f"{where} no longer uses a float32 {c}: remove FLOAT32_SLOPES entry"
            theirs[theirs == np.float32(c)] = c
        deviation = DEVIATIONS.get((name, framework, impl["api"]), {})
        for at, grad in deviation.items():
            i = int(np.flatnonzero(z == at)[0])
            assert theirs[i] == grad, f"{where} at z={at}: {theirs[i]}, recorded as {grad}"
            theirs[i] = act.derivative(at, kink=framework)
        ours = act.derivative(z, kink=framework)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-15,
                                   err_msg=f"derivative(z, kink={framework!r}) vs {where} at z={z.tolist()}")
        compared += 1
    assert compared or name == "step", result


def _relative_error(ours, theirs) -> float:
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = np.maximum(np.abs(ours), 1e-300)
    with np.errstate(invalid="ignore"):
        return float(np.nanmax(np.abs(ours - theirs) / scale))


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case", [c for c in CASES if kit.get(c[0], **c[1]).kinks(-25.0, 25.0).size], ids=_case_id)
def test_gradient_at_kinks_in_float32(frameworks, case, framework):
    name, params = case
    why = _not_comparable(name, params, framework)
    if why:
        pytest.skip(why)
    version, request, result = _answer(frameworks, framework, name, params, "float32")
    if "missing" in result:
        pytest.skip(f"{framework} {version}: {result['missing']}")
    act = kit.get(name, **_kit_params(name, params, framework))
    z = np.array(request["z"], dtype=np.float32)
    for impl in result["impl"]:
        if "grad" in impl:
            assert impl["dtype"] == "float32", impl
            ours = act.derivative(z, kink=framework)
            assert ours.dtype == np.float32
            np.testing.assert_allclose(ours, impl["grad"], rtol=1e-6, atol=0, err_msg=f"{impl['api']} at {z}")


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("name", sorted({c[0] for c in CASES}))
def test_the_recorded_table_claims_exactly_the_frameworks_that_have_the_function(frameworks, name, framework):
    params = next(p for n, p in CASES if n == name)
    _, _, result = _answer(frameworks, framework, name, params)
    has_autodiff = "impl" in result and any("grad" in impl for impl in result["impl"])
    act = kit.get(name)
    kinked = any(kit.get(n, **p).kinks(-25.0, 25.0).size for n, p in CASES if n == name)
    if kinked:
        assert (framework in act.frameworks) == has_autodiff, (name, framework, result)
    else:
        assert framework not in act.frameworks  # a smooth function needs no rule: every rule gives f'
    if name == "step" and framework == "pytorch":
        assert result["impl"][0]["error"] == "RuntimeError: derivative for aten::heaviside is not implemented"


def test_the_catalogue_covers_every_activation_the_frameworks_ship(frameworks):
    # the worker's tables list each framework's elementwise activations; each is a kit name
    has = set()
    for fw in FRAMEWORKS:
        answer = frameworks.ask(fw, REQUESTS[fw])
        has |= {case["name"] for case, r in zip(REQUESTS[fw], answer["results"], strict=True) if "impl" in r}
    names = {n for n in has if n not in ("abs", "sign", "step", "swish")}  # functions, aliases: not counted
    assert len(names) == 26 and names <= set(kit.names()), sorted(names)
    assert math.isfinite(len(names))
