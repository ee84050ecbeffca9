"""The `alianza` command line: Django's management commands under the platform's own name.

`alianza audit verify` is `manage.py audit verify`; every command lives in the app it belongs to,
so `alianza --help` lists them all. Settings default to the embedded configuration.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alianza.config.django.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["alianza", *argv])
    args[0] = "alianza"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
