"""``python -m kit_hub`` is ``kit-hub``."""

import sys

from kit_hub.cli import main

sys.exit(main())
