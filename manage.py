#!/usr/bin/env python
"""Django's command-line utility; `alianza` is the same thing, installed as a console script."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
