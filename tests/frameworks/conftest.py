"""The frameworks' own autodiff, live: PyTorch, JAX and TensorFlow in their own environment.

They do not share the test environment: ``make frameworks`` installs
``torch==2.13.0``, ``jax jaxlib`` and ``tensorflow-cpu`` into ``.venv-frameworks``
beside it, and ``worker.py`` runs there, one process per framework, answering in
JSON.  A missing environment or framework skips with the reason, and fails
instead under ``KIT_REQUIRE_FRAMEWORKS=1`` (set by ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")
HINT = "make frameworks (torch==2.13.0, jax, jaxlib and tensorflow-cpu in .venv-frameworks)"


def frameworks_python() -> Path | None:
    """The interpreter of the frameworks' environment: $KIT_FRAMEWORKS_PYTHON or .venv-frameworks/bin/python."""
    given = os.environ.get("KIT_FRAMEWORKS_PYTHON")
    path = Path(given) if given else ROOT / ".venv-frameworks" / "bin" / "python"
    return path if path.exists() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("KIT_REQUIRE_FRAMEWORKS") == "1":
        pytest.fail(f"KIT_REQUIRE_FRAMEWORKS=1 but {reason}: {HINT}")
    pytest.skip(f"{reason}: {HINT}")


class Frameworks:
    """Runs the worker once per framework with every case asked for in the session, and caches the answers."""

    def __init__(self) -> None:
        self._answers: dict[str, dict[str, Any]] = {}

    def ask(self, framework: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        key = framework + json.dumps(cases, sort_keys=True)
        if key not in self._answers:
            python = frameworks_python()
            if python is None:
                _unavailable("the frameworks' environment .venv-frameworks is not there")
            request = json.dumps({"framework": framework, "cases": cases})
            run = subprocess.run([str(python), str(WORKER)], input=request, capture_output=True, text=True,
                                 timeout=900, env={**os.environ, "PYTHONHASHSEED": "0"})
            if run.returncode != 0 or not run.stdout.strip():
                pytest.fail(f"the {framework} worker failed (exit {run.returncode}): {run.stderr[-2000:]}")
            self._answers[key] = json.loads(run.stdout)
        answer = self._answers[key]
        if "unavailable" in answer:
            _unavailable(f"{framework} is not installed there ({answer['unavailable']})")
        if "crashed" in answer:
            pytest.fail(f"the {framework} worker crashed:\n{answer['crashed']}")
        return answer


@pytest.fixture(scope="session")
def frameworks() -> Frameworks:
    return Frameworks()
