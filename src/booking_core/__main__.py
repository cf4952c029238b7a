"""``python -m booking_core``: the ``booking-core`` command."""

from __future__ import annotations

import sys

from booking_core.cli import main

sys.exit(main())
