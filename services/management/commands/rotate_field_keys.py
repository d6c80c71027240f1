"""Re-encrypt residents' ID numbers under the current key (the first of
HUAGANG_FIELD_KEYS) and recompute their keyed hashes under HUAGANG_HASH_KEY.

Rotation (docs/operations.md): put a new key first in HUAGANG_FIELD_KEYS, keeping the
old ones after it; restart; run this; then drop the old keys. ``--new-key`` prints a
new key to put first.
"""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from huagang.crypto import decrypt, lookup_hash, rotate
from services.models import ServiceRequest

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers under the current key (or --new-key)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key", action="store_true", help="print a new key and change nothing"
        )

    def handle(self, *args, new_key: bool = False, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        table = ServiceRequest._meta.db_table
        done, last = 0, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT id, applicant_id_number FROM "{table}" '
                    "WHERE id > %s AND applicant_id_number <> '' ORDER BY id LIMIT %s "
                    "FOR UPDATE"
                    if connection.vendor == "postgresql"
                    else f'SELECT id, applicant_id_number FROM "{table}" '
                    "WHERE id > %s AND applicant_id_number <> '' ORDER BY id LIMIT %s",
                    [last, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(
                    f'UPDATE "{table}" SET applicant_id_number = %s, '
                    "applicant_id_hash = %s WHERE id = %s",
                    [
                        (rotate(token), lookup_hash(decrypt(token)), pk)
                        for pk, token in rows
                    ],
                )
            done += len(rows)
            last = rows[-1][0]
        self.stdout.write(f"{done} ID number(s) re-encrypted under the current key.")
