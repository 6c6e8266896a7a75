"""Fixtures for deploy/: the kit_hub package, a lessons release, and what a real hub needs.

``hub_ready``
    Skips (with the reason) unless jupyterhub, jupyterhub-idle-culler, the ``kit_hub``
    package (``pip install -e ./deploy``) and configurable-http-proxy (``npm ci --prefix
    deploy``) are all there, on Linux; with ``KIT_REQUIRE_HUB=1`` (as ``.ci/run`` sets) it
    fails instead.
``release``
    ``kit-hub release`` of the repository's ``lessons/`` into a temporary folder (module-wide).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when KIT_REQUIRE_HUB=1."""
    if os.environ.get("KIT_REQUIRE_HUB") == "1":
        pytest.fail(f"hub test required (KIT_REQUIRE_HUB=1) but {reason}")
    pytest.skip(reason)


def _need_kit_hub() -> None:
    if importlib.util.find_spec("kit_hub") is None:
        unavailable("the kit_hub package is not installed (pip install -e ./deploy, as `make test` does)")


@pytest.fixture(scope="session")
def kit_hub_installed() -> None:
    """The deploy package is importable (else skip/fail)."""
    _need_kit_hub()


@pytest.fixture(scope="session")
def hub_ready(kit_hub_installed: None) -> str:
    """Everything a real hub needs is installed; returns the proxy's path."""
    if not sys.platform.startswith("linux"):
        unavailable("the hub test reads /proc: Linux only")
    for module, install in (("jupyterhub", "pip install -e ./deploy"),
                            ("jupyterhub_idle_culler", "pip install -e ./deploy")):
        if importlib.util.find_spec(module) is None:
            unavailable(f"{module} is not installed ({install})")
    from kit_hub.localhub import find_proxy

    proxy = find_proxy()
    if proxy is None:
        unavailable("configurable-http-proxy not found (npm ci --prefix deploy, as `make test` does when npm is there)")
    return proxy


@pytest.fixture(scope="module")
def release(kit_hub_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The students' release of lessons/ (coursework without solutions)."""
    from kit_hub.lessons import release as make_release

    out = tmp_path_factory.mktemp("release") / "lessons"
    make_release(LESSONS, out)
    return out


@pytest.fixture(scope="session")
def systemdspawner(kit_hub_installed):
    """jupyterhub-systemdspawner (pip install -e './deploy[systemd]', as `make test` does)."""
    if importlib.util.find_spec("systemdspawner") is None:
        unavailable("jupyterhub-systemdspawner is not installed (pip install -e './deploy[systemd]')")
    import systemdspawner

    return systemdspawner
