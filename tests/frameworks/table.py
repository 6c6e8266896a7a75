"""Print the catalogue's kink conventions against live autodiff, as a markdown table.

``.venv/bin/python tests/frameworks/table.py`` (after ``make frameworks``): for each
activation with kinks (parameters as in ``test_frameworks_live.CASES``), each
framework and each kink in [-25, 25], the rule the kit records, what it gives,
and what the framework's own autodiff returns there (``-`` where the framework
has no such function, ``n/a`` where it has no derivative).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_frameworks_live import CASES, FRAMEWORKS, _kit_params, _not_comparable  # noqa: E402

import kit  # noqa: E402
from conftest import WORKER, frameworks_python  # noqa: E402


def _rule(act: kit.Activation, framework: str, at: float) -> str:
    rule = act.frameworks.get(framework)
    if isinstance(rule, dict):
        rule = rule.get(at, "left")
    return "-" if rule is None else (f"Fixed({rule.value:g})" if isinstance(rule, kit.Fixed) else str(rule))


def main() -> None:
    python = frameworks_python()
    if python is None:
        sys.exit("no .venv-frameworks: run make frameworks")
    kinked = [(n, p) for n, p in CASES if kit.get(n, **p).kinks(-25.0, 25.0).size]
    answers = {}
    for fw in FRAMEWORKS:
        cases = [{"name": n, "params": kit.get(n, **p).params, "z": kit.get(n, **p).kinks(-25.0, 25.0).tolist()}
                 for n, p in kinked]
        run = subprocess.run([str(python), str(WORKER)], input=json.dumps({"framework": fw, "cases": cases}),
                             capture_output=True, text=True, check=True)
        answers[fw] = json.loads(run.stdout)
    print("| activation | framework (version) | z | recorded rule | kit gives | live autodiff | agree |")
    print("|---|---|---|---|---|---|---|")
    for i, (name, params) in enumerate(kinked):
        label = name + "".join(f", {k}={v:g}" for k, v in params.items())
        for fw in FRAMEWORKS:
            answer = answers[fw]
            result = answer["results"][i]
            act = kit.get(name, **_kit_params(name, params, fw))
            for j, z in enumerate(act.kinks(-25.0, 25.0).tolist()):
                rule = _rule(act, fw, z)
                try:
                    ours = f"{act.derivative(z, kink=fw):.10g}"
                except ValueError:
                    ours = "-"
                if _not_comparable(name, params, fw) or "missing" in result:
                    live = "-"
                else:
                    grads = [impl["grad"][j] for impl in result["impl"] if "grad" in impl]
                    live = " / ".join(f"{g:.10g}" for g in grads) if grads else "n/a"
                agree = "yes" if live in ("-", "n/a") and ours == "-" else (
                    "yes" if live not in ("-", "n/a") and all(float(g) == float(ours) for g in live.split(" / "))
                    else ("" if live == "-" else "NO"))
                print(f"| {label} | {fw} {answer['version']} | {z:g} | {rule} | {ours} | {live} | {agree} |")


if __name__ == "__main__":
    main()
