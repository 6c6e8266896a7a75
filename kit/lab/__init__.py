"""The lab: datasets to train on and the experiments the lessons run (``kit.lab.datasets``, ``kit.lab.experiments``).

A regular package (it was a namespace package by accident), so that the import
contract in ``pyproject.toml`` sees it and its modules have one name each.
"""
