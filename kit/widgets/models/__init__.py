"""The logic of each app as a plain Python object: no ipywidgets here.

A model holds the app's state, validates a change before it takes effect (a
bad value raises and leaves the old state in force), computes what to show
and updates its matplotlib figure in place.  Tests drive models directly.
"""
