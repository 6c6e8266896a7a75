"""Sizes that cannot fit and values beyond the dtype are refused before any work, and no warning leaks."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from kit import nn
from kit.nn import memory

X2 = np.zeros((10, 2))
Y01 = np.array([0, 1] * 5)


@pytest.fixture
def quiet():
    """Any warning is an error (as under ``python -W error``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- memory --------------------------------------------------------------------------


def test_a_network_larger_than_memory_is_refused_before_allocating(quiet):
    tracemalloc.start()
    try:
        with pytest.raises(MemoryError, match=r"MLP\(\[2, 1000000000000, 1\]\) in float32 .* needs about .* TB") as info:
            nn.MLP([2, 10**12, 1])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "available" in str(info.value) and "nothing was allocated" in str(info.value)
    assert peak < 10**7  # numpy reports its allocations to tracemalloc: nothing big was allocated


def test_the_estimate_is_compared_with_what_the_reader_says(monkeypatch, quiet):
    monkeypatch.setattr(memory, "available", lambda: (10**9, "MemAvailable in /proc/meminfo"))
    need = memory.network_bytes([2, 10**9, 1], "float32")
    assert need > 16 * 10**9  # 4e9 float32 parameters, and the float64 draw they come from
    with pytest.raises(MemoryError, match=r"needs about \d+ GB of memory, but only 1 GB is available "
                                          r"\(MemAvailable in /proc/meminfo\): use fewer or narrower layers"):
        nn.MLP([2, 10**9, 1])
    nn.MLP([2, 1000, 1])  # 16 kB: fits
    monkeypatch.setattr(memory, "available", lambda: None)  # unknown: no comparison
    assert nn.MLP([2, 1000, 1]).n_params == 4001


def test_training_buffers_beyond_memory_are_refused_and_the_network_is_left_alone(monkeypatch, quiet):
    net = nn.MLP([2, 2000, 1], dtype="float64", seed=0)
    before = [p.copy() for p in net.parameters()]
    X = np.random.default_rng(0).normal(size=(20_000, 2))
    y = (X[:, 0] > 0).astype(int)
    need = memory.training_bytes(net.sizes, net.dtype, len(X), 32, "adam", False, False)
    assert need > 20_000 * 2001 * 8  # the records' forward pass over every row
    monkeypatch.setattr(memory, "available", lambda: (need // 2, "the memory limit in /sys/fs/cgroup/memory.max"))
    with pytest.raises(MemoryError, match=r"training \[2, 2000, 1\] on 20,000 rows in batches of 32 with adam "
                                          r"needs about 1.28 GB of memory, but only 642 MB is available"):
        nn.train(net, X, y, optimizer="adam", steps=5)
    for p, q in zip(before, net.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
    assert net.preprocess is None
    monkeypatch.setattr(memory, "available", lambda: (need, "test"))
    assert len(nn.train(net, X[:100], y[:100], optimizer="adam", steps=2)) == 3  # fits: trains


def test_the_available_memory_reader_reads_proc_meminfo():
    got = memory.available()
    if got is None:
        pytest.skip("no memory information on this system")
    room, source = got
    assert room > 0 and source


# -- values beyond the dtype -----------------------------------------------------------

BEYOND = [
    (dict(lr=1e39), "float32", r"lr=1e\+39 is beyond float32 \(largest finite value 3.4e\+38\)"),
    (dict(lr=1e5), "float16", r"lr=1e\+05 is beyond float16 \(largest finite value 6.55e\+04\)"),
    (dict(lr=1e-50), "float32", r"lr=1e-50 rounds to 0 in float32"),
    (dict(lr=1e38, optimizer="adam"), "float32", r"Adam's first step lr / \(1 - beta1\)=1e\+39 is beyond float32"),
    (dict(l2=1e39), "float32", r"l2=1e\+39 is beyond float32"),
    (dict(l1=1e5), "float16", r"l1=1e\+05 is beyond float16"),
    (dict(dropout=0.99999), "float16", r"dropout=0.99999: the scale of the kept units .* beyond float16"),
    (dict(y=np.full(10, 1e300), loss="mse"), "float32", r"mse: targets reach 1e\+300, beyond float32 .*scale them"),
    (dict(y=np.full(10, 1e5), loss="mse"), "float16", r"mse: targets reach 1e\+05, beyond float16"),
]


@pytest.mark.parametrize("kwargs, dtype, match", BEYOND)
def test_values_beyond_the_dtype_are_refused_before_any_work(kwargs, dtype, match, quiet):
    net = nn.MLP([2, 3, 1], dtype=dtype, seed=0)
    before = [p.copy() for p in net.parameters()]
    args = {"y": Y01, **kwargs}
    with pytest.raises(ValueError, match=match):
        nn.train(net, X2, args.pop("y"), steps=5, **args)
    for p, q in zip(before, net.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_network_settings_beyond_the_dtype_are_refused(quiet):
    with pytest.raises(ValueError, match=r"bias=1e\+39 is beyond float32"):
        nn.MLP([2, 3, 1], bias=1e39)
    with pytest.raises(ValueError, match=r"initial weights of layer 1 are beyond float16"):
        nn.MLP([2, 3, 1], init=("normal", {"std": 1e6}), dtype="float16")
    with pytest.raises(ValueError, match=r"lr=1e\+39 is beyond float32"):
        nn.optim.get("sgd", [np.zeros(2, dtype=np.float32)], lr=1e39)


def test_values_within_the_dtype_still_train(quiet):
    hist = nn.train(nn.MLP([2, 3, 1], dtype="float16", seed=0), X2, Y01, lr=6e4, steps=1, loss="mse")
    assert len(hist) == 2  # accepted (whatever it does next)


def test_an_input_map_beyond_the_dtype_is_refused_quietly(quiet):
    X = np.full((10, 2), 1e10)
    with pytest.raises(ValueError, match=r"X overflows float32 after the input map .* mapped to x \* 1e\+300"):
        nn.train(nn.MLP([2, 3, 1]), X, Y01, steps=2, input_scale=1e300)
    net = nn.MLP([2, 3, 1], dtype="float64", seed=0)
    net.preprocess = (np.full(2, 1e300), np.zeros(2))
    assert not np.isfinite(net.forward(X)).all()  # forward: inf, as documented, without a warning


def test_a_cgroup_limit_lowers_what_is_available_and_its_file_cache_counts_as_free(monkeypatch, tmp_path):
    files = {"/proc/meminfo": "MemTotal: 100000000 kB\nMemAvailable: 90000000 kB\n",
             "/sys/fs/cgroup/memory.max": "2000000000\n", "/sys/fs/cgroup/memory.current": "1900000000\n",
             "/sys/fs/cgroup/memory.stat": "anon 400000000\ninactive_file 1000000000\n"}
    real_open = open

    def fake_open(path, *args, **kwargs):
        if path in files:
            target = tmp_path / path.strip("/").replace("/", "_")
            target.write_text(files[path])
            return real_open(target, *args, **kwargs)
        if str(path).startswith(("/proc/", "/sys/")):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    assert memory.available() == (1_100_000_000, "the memory limit in /sys/fs/cgroup/memory.max")
    files["/sys/fs/cgroup/memory.max"] = "max\n"  # no limit: MemAvailable
    assert memory.available() == (90_000_000 * 1024, "MemAvailable in /proc/meminfo")
