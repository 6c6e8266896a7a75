"""pytest at the top of the repository: every module's docstring examples run (``--doctest-modules``).

``kit/__main__.py`` runs the command line when imported; conftest files are fixtures, not examples.
"""

collect_ignore = ["kit/__main__.py"]
collect_ignore_glob = ["**/conftest.py"]
