"""Every activation registered when the tests start, built-in or plugin, passes every check."""

import kit
from kit.testing import parametrize_with_checks

kit.refresh()


@parametrize_with_checks(kit.names())
def test_registered_activation(activation, check):
    check(activation)
