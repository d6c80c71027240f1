"""`manage.py backup` and `restore`: a round trip into a fresh PostgreSQL database
brings every row and every file back byte for byte; a damaged backup, a database
that is not empty and SQLite are refused with a message saying why.

The restore runs as an operator runs it: `manage.py restore` in its own process,
with DATABASE_URL naming the new database and DJANGO_MEDIA_ROOT a new folder.
"""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from services import actions
from services.models import Attachment, RequestEvent, ServiceRequest
from tests.files import image_upload, pdf_upload

TABLES = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`python manage.py …` in a fresh process with the development settings."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "HUAGANG_"))
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "huagang.settings.base", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def database_url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{name}"


def rows_of(cursor, table: str) -> list[str]:
    """Each row as PostgreSQL writes it out (the same text for the same values,
    whatever types the client library would make of them), sorted."""
    cursor.execute(f'SELECT "{table}"::text FROM "{table}" ORDER BY 1')
    return [row for (row,) in cursor.fetchall()]


def snapshot(cursor) -> dict[str, list]:
    """Every row of every table, and every sequence's position."""
    cursor.execute(TABLES)
    tables = [name for (name,) in cursor.fetchall()]
    rows = {table: rows_of(cursor, table) for table in tables}
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
    rows["(sequences)"] = cursor.fetchall()
    return rows


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Uploads on disk under a folder of this test's own (the suite keeps them in
    memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def postgresql_clients(db):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore need PostgreSQL; set DATABASE_URL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("needs pg_dump and pg_restore (Debian: postgresql-client)")


@pytest.fixture
def fresh_database(postgresql_clients):
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_brings_back_every_row_and_file(
    fresh_database, media, full_case, village_clerk, tmp_path
):
    for upload in (pdf_upload(unique=True), image_upload("照片.jpg", "JPEG")):
        actions.attachment_add(
            service_request=full_case["home"], by=village_clerk, upload=upload
        )
    assert Attachment.objects.count() == 2 and RequestEvent.objects.count() > 10
    assert ServiceRequest.objects.count() == 2

    out = StringIO()
    call_command("backup", to=str(tmp_path / "backups"), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("huagang-20260310-") and str(folder) in out.getvalue()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.name for p in folder.iterdir()} == {
        "database.dump",
        "materials",
        "backup.json",
        "SHA256SUMS",
    }
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert files_in(folder / "materials") == files_in(media)
    assert len(files_in(media)) == 2

    restored_media = tmp_path / "restored-media"
    target = {
        "DATABASE_URL": database_url(fresh_database),
        "DJANGO_MEDIA_ROOT": str(restored_media),
    }
    # a damaged copy is refused before anything is touched
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    material = next((damaged / "materials").rglob("*.pdf"))
    material.write_bytes(material.read_bytes()[:-1] + b"!")
    refused = manage("restore", str(damaged), **target)
    assert refused.returncode != 0
    assert material.relative_to(damaged).as_posix() in refused.stderr

    restored = manage("restore", str(folder), **target)
    assert restored.returncode == 0, restored.stderr

    with (
        connection.cursor() as source,
        psycopg2.connect(target["DATABASE_URL"]) as copy,
        copy.cursor() as cursor,
    ):
        original = snapshot(source)
        assert snapshot(cursor) == original
    copy.close()
    assert len(original["services_requestevent"]) == RequestEvent.objects.count()
    assert len(original["services_attachment"]) == 2
    assert files_in(restored_media) == files_in(media)

    # a database that is not empty is refused, unless --replace
    again = manage("restore", str(folder), **target)
    assert again.returncode != 0 and fresh_database in again.stderr
    assert "--replace" in again.stderr
    replaced = manage("restore", str(folder), "--replace", **target)
    assert replaced.returncode == 0, replaced.stderr
    with psycopg2.connect(target["DATABASE_URL"]) as copy, copy.cursor() as cursor:
        assert snapshot(cursor) == original
    copy.close()


def test_sqlite_is_refused_with_a_clear_message(tmp_path):
    sqlite = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    backup = manage("backup", "--to", str(tmp_path), **sqlite)
    assert backup.returncode != 0 and "PostgreSQL" in backup.stderr
    assert "Traceback" not in backup.stderr
    assert not list(tmp_path.glob("huagang-*"))
    restore = manage("restore", str(tmp_path), **sqlite)
    assert restore.returncode != 0 and "PostgreSQL" in restore.stderr


def test_a_backup_needs_a_place_to_go():
    result = manage("backup", DATABASE_URL="postgres://root@127.0.0.1:5432/none")
    assert result.returncode != 0
    assert "--to" in result.stderr and "HUAGANG_BACKUP_DIR" in result.stderr


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    result = manage(
        "restore", str(tmp_path), DATABASE_URL="postgres://root@127.0.0.1:5432/none"
    )
    assert result.returncode != 0 and "SHA256SUMS" in result.stderr
