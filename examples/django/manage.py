#!/usr/bin/env python
"""Django's command-line utility for the booking_core example site."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command (``runserver``, ``migrate``, ``test``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
