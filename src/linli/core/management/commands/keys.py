"""``linli keys generate``: a fresh key pair for encrypting and hashing personal data.

Prints two lines ready for an environment file (``/etc/linli/env``)::

    LINLI_DATA_KEY=...
    LINLI_HASH_KEY=...

Keep them with the database backups' keys: data encrypted with a lost key cannot be read.
See docs/personal-data.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core.crypto import generate_keys


class Command(BaseCommand):
    help = "Print a fresh LINLI_DATA_KEY / LINLI_HASH_KEY pair (personal data encryption)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="print a fresh key pair for the environment file")

    def handle(self, *args: Any, **options: Any) -> None:
        data_key, hash_key = generate_keys()
        self.stdout.write(f"LINLI_DATA_KEY={data_key}")
        self.stdout.write(f"LINLI_HASH_KEY={hash_key}")
