"""The registry with outside plugins: broken ones, name clashes, run-time registration, real installs."""

from __future__ import annotations

import pytest

import kit
from kit.registry import status

GOOD_MODULE = """
import numpy as np
import kit

class Doubler(kit.Activation):
    name = "doubler"
    def value(self, z): return 2 * z
    def left_derivative(self, z): return np.where(np.isnan(z), z, 2 + 0 * np.nan_to_num(z))
    right_derivative = left_derivative

class FakeRelu(Doubler):
    name = "relu"

class RaisesInInit(Doubler):
    def __init__(self, **params):
        raise RuntimeError("no GPU found")

NOT_AN_ACTIVATION = 42

class NotAnActivation:
    pass
"""


@pytest.fixture
def broken_dist(fake_site):
    fake_site.module("kit_test_good", GOOD_MODULE)
    fake_site.module("kit_test_broken_import", "raise ImportError('needs a compiler')\n")
    fake_site.distribution(
        "kit-test-broken",
        {
            "doubler": "kit_test_good:Doubler",
            "cannot_import": "kit_test_broken_import:Thing",
            "raises_in_init": "kit_test_good:RaisesInInit",
            "not_an_activation": "kit_test_good:NotAnActivation",
            "a_number": "kit_test_good:NOT_AN_ACTIVATION",
        },
    )
    return fake_site


def _problems_by_name():
    return {p.name: p for p in kit.plugin_problems()}


def test_broken_plugins_are_listed_and_named(broken_dist):
    names = kit.names()  # imports nothing, lists all
    for name in ("doubler", "cannot_import", "raises_in_init", "not_an_activation", "a_number", "relu"):
        assert name in names
    problems = _problems_by_name()
    assert set(problems) == {"cannot_import", "raises_in_init", "not_an_activation", "a_number"}
    for p in problems.values():
        assert p.distribution == "kit-test-broken"
        assert f"plugin {p.name!r} from kit-test-broken" in p.error
    assert "cannot import kit_test_broken_import:Thing: ImportError: needs a compiler" in problems["cannot_import"].error
    assert "RuntimeError: no GPU found" in problems["raises_in_init"].error
    assert "not a subclass of kit.Activation" in problems["not_an_activation"].error
    assert "42" in problems["a_number"].error


def test_everything_else_keeps_working(broken_dist):
    assert kit.get("doubler").value(1.5) == 3.0
    assert kit.get("relu").right_derivative(0.0) == 1.0
    assert kit.check("doubler").ok


@pytest.mark.parametrize("name", ["cannot_import", "raises_in_init", "not_an_activation"])
def test_get_of_a_broken_plugin_names_plugin_and_distribution(broken_dist, name):
    with pytest.raises(kit.PluginError, match=f"plugin '{name}' from kit-test-broken"):
        kit.get(name)


def test_status_shows_each_plugin(broken_dist):
    rows = {entry.key: state for entry, state in status()}
    assert rows["doubler"] == "ok"
    assert rows["relu"] == "ok"
    assert "needs a compiler" in rows["cannot_import"]


def test_check_of_a_broken_plugin_reports_the_load_error(broken_dist):
    report = kit.check("cannot_import")
    assert not report.ok
    assert report.problems[0].startswith("load: plugin 'cannot_import' from kit-test-broken")


def test_clash_with_a_builtin_keeps_the_builtin(fake_site):
    fake_site.module("kit_test_good", GOOD_MODULE)
    fake_site.distribution("kit-test-clash", {"relu": "kit_test_good:FakeRelu"})
    assert type(kit.get("relu")).__module__.startswith("kit.activations")
    other = kit.get("relu@kit-test-clash")
    assert other.value(1.0) == 2.0
    assert "relu@kit-test-clash" in kit.names()
    [clash] = [p for p in kit.plugin_problems() if p.name == "relu"]
    assert clash.distribution == "kit-test-clash"
    assert "activation-kit" in clash.error and "kit-test-clash" in clash.error
    assert "'relu@kit-test-clash'" in clash.error


def test_clash_between_two_outside_plugins_gives_neither_the_name(fake_site):
    fake_site.module("kit_test_good", GOOD_MODULE)
    fake_site.distribution("kit-test-one", {"twin": "kit_test_good:Doubler"})
    fake_site.distribution("kit-test-two", {"twin": "kit_test_good:Doubler"})
    names = kit.names()
    assert "twin" not in names
    assert {"twin@kit-test-one", "twin@kit-test-two"} <= set(names)
    with pytest.raises(kit.UnknownActivation, match="more than one plugin"):
        kit.get("twin")
    assert kit.get("twin@kit-test-two").value(2.0) == 4.0
    clashes = [p for p in kit.plugin_problems() if p.name == "twin"]
    assert {p.distribution for p in clashes} == {"kit-test-one", "kit-test-two"}
    for p in clashes:
        assert "kit-test-one" in p.error and "kit-test-two" in p.error


def test_register_at_run_time():
    from broken_plugins import GoodLeaky, GoodTanh

    try:
        assert kit.register(GoodTanh) == "good_tanh"
        assert "good_tanh" in kit.names()
        assert kit.entries()["good_tanh"].source == "<runtime>"
        assert kit.check("good_tanh").ok
        kit.register(GoodLeaky, name="good_tanh")  # a notebook cell run again replaces it
        assert kit.get("good_tanh").left_derivative(0.0) == pytest.approx(0.1)
        with pytest.raises(ValueError, match="already provided by activation-kit"):
            kit.register(GoodTanh, name="relu")
        with pytest.raises(TypeError, match=r"subclass of kit\.Activation"):
            kit.register(object)
    finally:
        kit.unregister("good_tanh")
    assert "good_tanh" not in kit.names()


@pytest.mark.parametrize(
    ("name", "distribution"), [("swish_beta", "kit-smooth-extras"), ("gelu_tanh", "kit-smooth-extras"),
                               ("staircase", "kit-staircase")]
)
def test_the_real_plugin_distributions_are_installed_and_named(name, distribution):
    kit.refresh()
    assert name in kit.names()
    entry = kit.entries()[name]
    assert entry.distribution == distribution
    assert entry.source.startswith(distribution + " ") and not entry.builtin
    assert kit.get(name).name == name
    assert not [p for p in kit.plugin_problems() if p.distribution == distribution]
