"""The built-in activations.

They register through activation-kit's own ``pyproject.toml`` in the
``kit.activations`` entry-point group, exactly as a user's plugin does; this
package is imported only when one of them is first asked for.
"""
