"""activation-kit on JupyterHub: the lessons for every user, limits, culling, coursework collection.

Modules: ``lessons`` (release and per-user sync), ``spawner`` (local spawners with the lessons
copy and rlimits), ``systemd`` (the systemd spawner; needs the ``systemd`` extra), ``collect``
(coursework into the grader's layout), ``localhub`` (a throw-away hub on 127.0.0.1 for tests,
benchmarks and try-outs), ``client`` (log in, start servers, run a notebook over the kernel
websocket), ``cli`` (``kit-hub``). ``import kit_hub`` imports none of them.
"""

__version__ = "0.1.0"
