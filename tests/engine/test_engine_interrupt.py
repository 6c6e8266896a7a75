"""Ctrl-C during ``kit.nn.train`` returns the history so far, marked, and a network consistent with it."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import datasets

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, signal, sys
    import numpy as np
    from kit import nn
    from kit.lab import datasets

    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (a background job ignores it)
    X, y = datasets.make("moons", n=200, noise=0.1, seed=0)
    options = dict(loss="bce", optimizer="adam", lr=0.01, batch_size=32, record_every=10, seed=0)
    ready = []

    def callback(trainer):
        if not ready and trainer.steps_done >= 50:
            ready.append(True)
            print("READY", flush=True)

    net = nn.MLP([2, 16, 16, 1], dtype="float64", seed=0)
    hist = nn.train(net, X, y, steps=10**9, callback=callback, **options)
    loss = nn.losses.get("bce")
    now = float(loss.value(net.forward(X), loss.targets(y, 1, net.dtype)))
    again = nn.MLP([2, 16, 16, 1], dtype="float64", seed=0)  # the same run, uninterrupted, as long
    redo = nn.train(again, X, y, steps=hist.step[-1], **options)
    same = all(np.array_equal(p, q) for p, q in zip(net.parameters(), again.parameters(), strict=True))
    lengths = sorted({len(getattr(hist, k)) for k in
                      ("step", "loss", "accuracy", "dead", "saturated", "kink_hits", "grad_norm")})
    print(json.dumps({"interrupted": hist.interrupted, "stopped": hist.stopped, "stopped_at": hist.stopped_at,
                      "message": hist.message, "steps": hist.step, "loss": hist.loss, "loss_now": now,
                      "lengths": lengths, "same_weights": same, "redo_steps": redo.step, "redo_loss": redo.loss}))
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT is delivered this way on POSIX only")
def test_sigint_during_train_returns_the_history_and_a_consistent_network(tmp_path):
    script = tmp_path / "train_long.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 300)  # a safety net, not a measurement
        line = proc.stdout.readline() if ready else ""
        if line.strip() != "READY":
            proc.kill()
            pytest.fail(f"the training script did not start: {line!r} {proc.communicate()[1]}")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)  # a safety net, not a measurement
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    r = json.loads(out.strip().splitlines()[-1])
    assert r["interrupted"] and r["stopped"] and r["stopped_at"] == r["steps"][-1] >= 50
    assert r["message"].startswith(f"interrupted (KeyboardInterrupt) at step {r['steps'][-1]} of 1000000000")
    assert err.count("\n") == 1 and f"kit.nn.train: {r['message']}" in err  # the one-line note
    assert r["lengths"] == [len(r["steps"])]  # every series has every record
    assert r["steps"][:-1] == list(range(0, r["steps"][-2] + 1, 10))  # the schedule, then the last state
    assert r["loss_now"] == pytest.approx(r["loss"][-1], rel=1e-12)  # the last record is the network as left
    assert r["same_weights"]  # exactly the weights of that many uninterrupted steps
    assert r["redo_steps"] == r["steps"] and r["redo_loss"] == r["loss"]


class InterruptsOnce(kit.Activation):
    """ReLU that raises KeyboardInterrupt on its ``when``-th call (a stand-in for Ctrl-C in a plugin)."""

    name = "engine_test_interrupts_once"
    calls = 0
    when = 25

    def value(self, z):
        InterruptsOnce.calls += 1
        if InterruptsOnce.calls == InterruptsOnce.when:
            raise KeyboardInterrupt
        return np.maximum(z, 0)

    def left_derivative(self, z):
        return (z > 0).astype(z.dtype)

    right_derivative = left_derivative


def test_a_keyboard_interrupt_raised_inside_training_is_handled_the_same_way(capsys):
    X, y = datasets.make("xor", n=64, noise=0.1, seed=0)
    InterruptsOnce.calls = 0
    net = nn.MLP([2, 8, 1], activation=InterruptsOnce(), dtype="float64", seed=0)
    hist = nn.train(net, X, y, loss="bce", optimizer="sgd", lr=0.1, steps=1000, record_every=1)
    assert hist.interrupted and hist.stopped and 0 < hist.stopped_at < 1000
    assert hist.step == list(range(hist.stopped_at + 1))  # a record for every step done, none half-made
    assert len({len(hist.loss), len(hist.dead), len(hist.grad_norm), len(hist.kink_hits)}) == 1
    loss = nn.losses.get("bce")
    assert float(loss.value(net.forward(X), loss.targets(y, 1, net.dtype))) == hist.loss[-1]
    assert "interrupted (KeyboardInterrupt) at step" in capsys.readouterr().err
    assert "interrupted" in repr(hist)


def test_an_uninterrupted_run_is_not_marked():
    X, y = datasets.make("xor", n=64, noise=0.1, seed=0)
    before = signal.getsignal(signal.SIGINT)
    hist = nn.train(nn.MLP([2, 8, 1], seed=0), X, y, loss="bce", steps=20)
    assert not hist.interrupted and not hist.stopped
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_a_stepping_trainer_reraises_after_recording_the_network_and_can_go_on():
    X, y = datasets.make("xor", n=64, noise=0.1, seed=0)
    InterruptsOnce.calls = 0
    tr = nn.Trainer(nn.MLP([2, 8, 1], activation=InterruptsOnce(), dtype="float64", seed=0), X, y, loss="bce",
                    record_every=100)
    with pytest.raises(KeyboardInterrupt):
        tr.step(50)
    h = tr.history
    assert 0 < tr.steps_done < 50 and h.step == [0, tr.steps_done] and not h.stopped and not h.interrupted
    loss = nn.losses.get("bce")
    assert float(loss.value(tr.net.forward(X), loss.targets(y, 1, tr.net.dtype))) == h.loss[-1]
    done = tr.steps_done
    tr.step(5)
    assert tr.steps_done == done + 5 and h.step[-1] == done + 5


def test_a_callback_raising_keyboard_interrupt_returns_the_history(capsys):
    X, y = datasets.make("xor", n=64, noise=0.1, seed=0)

    def callback(trainer):
        if trainer.steps_done == 30:
            raise KeyboardInterrupt

    hist = nn.train(nn.MLP([2, 8, 1], seed=0), X, y, loss="bce", steps=100, record_every=10, callback=callback)
    assert hist.interrupted and hist.step == [0, 10, 20, 30] and hist.stopped_at == 30
    assert capsys.readouterr().err.startswith("kit.nn.train: interrupted (KeyboardInterrupt) at step 30 of 100")
