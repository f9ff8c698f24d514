"""The ``linli`` command: Django's manage.py under the project's own name.

Every command runs in an audit context (source ``cli``, actor ``cli:<OS user>``, the command
line as path), so whatever it changes is in the audit trail.
"""

from __future__ import annotations

import getpass
import os
import sys


def os_user() -> str:
    """The operating-system user running the command (``unknown`` when none can be found)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    from linli.core.audit import audit_context

    args = ["linli", *(sys.argv[1:] if argv is None else argv)]
    with audit_context(source="cli", actor_username=f"cli:{os_user()}", path=" ".join(args)):
        execute_from_command_line(args)


if __name__ == "__main__":
    main()
