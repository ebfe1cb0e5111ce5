#!/usr/bin/env python
"""Django's command-line utility, with start-up failures reported as one clear line."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.startup import run_command_line

    sys.exit(run_command_line(sys.argv))


if __name__ == "__main__":
    main()
