"""Back up and restore the portal: the PostgreSQL database and the uploaded materials.

A backup is one folder::

    huagang-20260310-093000/
        database.dump      pg_dump's custom format (one consistent snapshot)
        materials/…        every file in the default storage (MEDIA_ROOT), same names
        backup.json        when, from which database, how many files
        SHA256SUMS         the SHA-256 of every file above (``sha256sum -c`` reads it)

It is written as ``….partial`` and renamed when complete, so a folder with the final
name is always whole. The database is dumped first and the files copied after: a
file is written only after the row naming it has committed (services/actions/
attachments.py), so every attachment in the dump has its file in the copy (a file
uploaded meanwhile is copied too, harmlessly: no row names it).

``restore`` checks every checksum before touching anything, then loads the dump into
an empty database with pg_restore and writes the files back through the storage.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

DUMP = "database.dump"
MATERIALS = "materials"
INFO = "backup.json"
SUMS = "SHA256SUMS"
PARTIAL = ".partial"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


# --- PostgreSQL ---------------------------------------------------------------------


def check_postgresql(settings_dict: dict) -> None:
    if "postgresql" not in settings_dict["ENGINE"]:
        raise BackupError(
            _(
                "Backup and restore work with PostgreSQL only; this database is "
                "%(engine)s. Set DATABASE_URL to the PostgreSQL database (postgres://…)."
            )
            % {"engine": settings_dict["ENGINE"].rsplit(".", 1)[-1]}
        )


def _client(program: str) -> str:
    path = shutil.which(program)
    if not path:
        raise BackupError(
            _(
                "%(program)s was not found: install the PostgreSQL client of the "
                "server's major version (Debian: postgresql-client)."
            )
            % {"program": program}
        )
    return path


def _connection(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments and environment for a Django database."""
    args = ["--dbname", str(settings_dict["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": result.stderr.strip()}
        )


def database_dump(settings_dict: dict, path: Path) -> None:
    """One consistent snapshot of the database (pg_dump runs in one transaction)."""
    args, env = _connection(settings_dict)
    _run([_client("pg_dump"), "--format=custom", "--file", str(path), *args], env)


def database_restore(settings_dict: dict, path: Path, *, clean: bool) -> None:
    """Load a dump, all or nothing; with `clean`, drop what the database holds of it
    first (in the same transaction)."""
    args, env = _connection(settings_dict)
    options = [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    options += ["--clean", "--if-exists"] if clean else []
    _run([_client("pg_restore"), *options, *args, str(path)], env)


def database_tables(connection) -> int:
    """How many tables the database's own schemas hold (0: an empty database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema "
            "NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0]


# --- files and checksums --------------------------------------------------------------


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in `storage` under `folder`, recursively."""
    folders, files = storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from storage_files(storage, prefix + sub)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _safe_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def write_sums(folder: Path) -> int:
    """SHA256SUMS for every file in `folder` (in ``sha256sum``'s format)."""
    names = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != SUMS
    )
    lines = [f"{sha256(folder / name)}  {name}\n" for name in names]
    (folder / SUMS).write_text("".join(lines), encoding="utf-8")
    return len(names)


def verify_sums(folder: Path) -> list[str]:
    """The names SHA256SUMS lists, after checking that each file is there with its
    checksum and that no other file is. Raises BackupError naming the first fault."""
    sums = folder / SUMS
    if not sums.is_file():
        raise BackupError(
            _("%(folder)s is not a backup: it has no SHA256SUMS.") % {"folder": folder}
        )
    listed: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _sep, name = line.partition("  ")
        if not name or not _safe_relative(name):
            raise BackupError(_("SHA256SUMS has a line that is not a checksum."))
        listed[name] = digest
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file() or sha256(path) != digest:
            raise BackupError(
                _("%(name)s is missing or damaged: its checksum does not match.")
                % {"name": name}
            )
    present = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != SUMS
    }
    if present - listed.keys():
        raise BackupError(
            _("%(name)s is in the backup but not in SHA256SUMS.")
            % {"name": sorted(present - listed.keys())[0]}
        )
    if DUMP not in listed:
        raise BackupError(_("The backup has no database dump."))
    return sorted(listed)


# --- the whole backup and restore -------------------------------------------------------


def backup_create(*, settings_dict: dict, storage: Storage, target: Path) -> Path:
    """Write a dated backup folder under `target` and return it."""
    check_postgresql(settings_dict)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = target / f"huagang-{stamp}"
    partial = final.with_name(final.name + PARTIAL)
    if final.exists() or partial.exists():
        raise BackupError(_("%(folder)s exists already.") % {"folder": final})
    target.mkdir(parents=True, exist_ok=True)
    partial.mkdir(mode=0o700)  # residents' data: readable by this user only
    database_dump(settings_dict, partial / DUMP)
    count = 0
    for name in storage_files(storage):
        destination = partial / MATERIALS / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, destination.open("wb") as out:
            shutil.copyfileobj(source, out)
        count += 1
    info = {
        "created_at": timezone.now().isoformat(),
        "database": str(settings_dict["NAME"]),
        "materials": count,
    }
    (partial / INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    write_sums(partial)
    partial.rename(final)
    return final


def restore_materials_plan(
    *, folder: Path, names: list[str], storage: Storage, replace: bool
) -> list[str]:
    """The materials to write; refuses a name the storage holds with other bytes
    unless `replace`."""
    prefix = f"{MATERIALS}/"
    materials = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    to_write = []
    for name in materials:
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                same = current.read() == (folder / MATERIALS / name).read_bytes()
            if same:
                continue
            if not replace:
                raise BackupError(
                    _(
                        "The storage already holds %(name)s with other content; "
                        "restore with --replace to overwrite it."
                    )
                    % {"name": name}
                )
        to_write.append(name)
    return to_write


def restore_materials(*, folder: Path, names: list[str], storage: Storage) -> None:
    for name in names:
        if storage.exists(name):
            storage.delete(name)
        with (folder / MATERIALS / name).open("rb") as handle:
            stored = storage.save(name, File(handle))
        if stored != name:
            raise BackupError(
                _("The storage saved %(name)s as %(stored)s.")
                % {"name": name, "stored": stored}
            )


def info_of(folder: Path) -> dict:
    try:
        return json.loads((folder / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
