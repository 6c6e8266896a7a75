"""Fixtures shared by every test folder: PyTorch as an optional reference."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def torch():
    """The torch module (CPU, one thread), or a visible skip when it is not installed.

    With KIT_REQUIRE_TORCH=1 (set by .ci/run) a missing torch fails instead of skipping.
    """
    try:
        import torch as _torch
    except ImportError:
        if os.environ.get("KIT_REQUIRE_TORCH") == "1":
            pytest.fail("KIT_REQUIRE_TORCH=1 but torch is not installed (pip install torch==2.13.0)")
        pytest.skip("torch is not installed: pip install torch==2.13.0 (or KIT_WITH_TORCH=1 make test)")
    _torch.set_num_threads(1)
    return _torch
