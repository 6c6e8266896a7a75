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


# -- nothing a plugin does at import or when built takes the catalogue (or the kernel) down ---------

HOSTILE = {
    "kit_test_sysexit": "import sys\nsys.exit(3)\n",
    "kit_test_osexit": "import os\nos._exit(0)\n",
    "kit_test_posixexit": "import posix\nposix._exit(4)\n",
    "kit_test_baseexc": "class Boom(BaseException):\n    pass\nraise Boom('at import')\n",
}
EXITS_WHEN_BUILT = """
import os, sys
import numpy as np
import kit

class Doubler(kit.Activation):
    def value(self, z): return 2 * z
    def left_derivative(self, z): return np.where(np.isnan(z), z, 2 + 0 * np.nan_to_num(z))
    right_derivative = left_derivative

class SysExitInInit(Doubler):
    def __init__(self, **params):
        sys.exit("no GPU")

class OsExitInInit(Doubler):
    def __init__(self, **params):
        os._exit(1)
"""


@pytest.fixture
def hostile_dist(fake_site):
    for module, source in HOSTILE.items():
        fake_site.module(module, source)
    fake_site.module("kit_test_exits_built", EXITS_WHEN_BUILT)
    fake_site.module("kit_test_good", GOOD_MODULE)
    fake_site.distribution(
        "kit-test-hostile",
        {
            "exits_at_import": "kit_test_sysexit:Thing",
            "os_exits_at_import": "kit_test_osexit:Thing",
            "posix_exits_at_import": "kit_test_posixexit:Thing",
            "base_exception": "kit_test_baseexc:Thing",
            "exits_when_built": "kit_test_exits_built:SysExitInInit",
            "os_exits_when_built": "kit_test_exits_built:OsExitInInit",
            "Bad-Name": "kit_test_good:Doubler",
            "malformed": "kit_test_good:Doubler extra words!",
            "doubler": "kit_test_good:Doubler",
        },
    )
    return fake_site


def test_exits_and_base_exceptions_at_import_are_that_plugins_problem(hostile_dist):
    problems = _problems_by_name()  # must not raise SystemExit, must not end the process
    where = "plugin {!r} from kit-test-hostile"
    assert problems["exits_at_import"].error == (
        where.format("exits_at_import") + " called sys.exit(3) while kit_test_sysexit:Thing was being imported")
    assert problems["os_exits_at_import"].error == (
        where.format("os_exits_at_import")
        + " called os._exit(0) while kit_test_osexit:Thing was being imported; the kit stopped it")
    assert "called os._exit(4)" in problems["posix_exits_at_import"].error
    assert problems["base_exception"].error == (
        where.format("base_exception") + ": cannot import kit_test_baseexc:Thing: Boom: at import")
    assert "called sys.exit('no GPU') while being built" in problems["exits_when_built"].error
    assert "called os._exit(1) while being built; the kit stopped it" in problems["os_exits_when_built"].error
    import os

    assert os._exit.__module__ == "posix" and os._exit.__name__ == "_exit"  # the real one is back
    assert kit.get("doubler").value(2.0) == 4.0  # the good plugin beside them works
    with pytest.raises(kit.PluginError, match=r"called sys\.exit"):
        kit.get("exits_at_import")


def test_invalid_names_and_malformed_entry_points_are_shown_with_a_sentence(hostile_dist, capsys):
    rows = {entry.key: state for entry, state in status()}
    assert rows["Bad-Name"] == ("plugin 'Bad-Name' from kit-test-hostile: invalid activation name 'Bad-Name' "
                                "(use [a-z][a-z0-9_]*, e.g. 'bad_name'); it is not loaded")
    assert "Bad-Name" not in kit.names()  # it cannot be asked for
    assert rows["malformed"] == (
        "plugin 'malformed' from kit-test-hostile: its entry point reads malformed = 'kit_test_good:Doubler extra "
        "words!', which is not 'package.module:Class'; fix [project.entry-points.\"kit.activations\"] in its "
        "pyproject.toml and reinstall it")
    from kit.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("Bad-Name", "malformed", "exits_at_import", "os_exits_at_import", "doubler"):
        assert any(line.startswith(name + " ") for line in out.splitlines()), name
    assert "invalid activation name 'Bad-Name'" in out and "is not 'package.module:Class'" in out


def test_check_of_something_that_exits_is_a_failure_not_a_silent_success(hostile_dist, capsys):
    from kit.cli import main

    assert main(["check", "sys:exit"]) != 0
    assert "sys:exit names a builtin_function_or_method" in capsys.readouterr().err  # refused, never called
    assert main(["check", "exits_at_import"]) != 0
    assert main(["check", "os_exits_when_built"]) != 0
    report = kit.check("kit_test_exits_built:OsExitInInit")
    assert not report.ok and "called os._exit(1) while being built" in report.problems[0]


_PROBE = """
import sys
sys.path.insert(0, {site!r})
import kit
problems = kit.plugin_problems()
print("\\n".join(map(str, problems)))
sys.exit(bool(problems))
"""


def test_the_install_check_fails_loudly_when_a_plugin_calls_os_exit(hostile_dist):
    # the Makefile's check after installing: before, os._exit(0) at import made it pass silently
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _PROBE.format(site=str(hostile_dist.root))],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "os_exits_at_import (kit-test-hostile): plugin 'os_exits_at_import' from kit-test-hostile called " \
           "os._exit(0)" in run.stdout
    for cmd in (["list"], ["check", "os_exits_at_import"]):
        run = subprocess.run([sys.executable, "-m", "kit", *cmd], capture_output=True, text=True, timeout=120,
                             env={**__import__("os").environ, "PYTHONPATH": str(hostile_dist.root)})
        assert ("os._exit(0)" in run.stdout + run.stderr), (cmd, run.stdout, run.stderr)
        assert run.returncode == (0 if cmd == ["list"] else 2), (cmd, run.returncode)


def test_a_clash_loser_keeps_its_qualified_name_in_reports_and_plots(fake_site):
    fake_site.module("kit_test_good", GOOD_MODULE)
    fake_site.distribution("kit-test-clash", {"relu": "kit_test_good:FakeRelu"})
    other = kit.get("relu@kit-test-clash")
    assert other.name == "relu@kit-test-clash" and repr(other) == "relu@kit-test-clash()"
    assert kit.get(other).name == "relu@kit-test-clash"
    report = kit.check("relu@kit-test-clash")
    assert report.name == "relu@kit-test-clash()" and report.ok, report.problems
    assert str(report).startswith("kit.check relu@kit-test-clash(): ok")
    assert kit.get("relu").name == "relu"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kit import plot

    fig = plot.activation(other)
    texts = [t.get_text() for ax in fig.axes for t in [ax.title, *ax.texts, *(ax.get_legend().get_texts() if ax.get_legend() else [])]]
    plt.close(fig)
    assert any("relu@kit-test-clash" in t for t in texts), texts
    assert not any(t.startswith("relu(") or t == "relu" for t in texts), texts
