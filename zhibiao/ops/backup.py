"""Backup and restore: the database and every stored file in one archive, with a manifest.

Why one archive: a database restored without its uploads (or with another day's) points at
evidence that is not there, so both are taken together and restored together. The archive
(tar.gz) holds

    database.sqlite3 | database.pgdump   the database: SQLite's online backup, or pg_dump -Fc
    media/…, private/…                   the files under MEDIA_ROOT and PRIVATE_ROOT
    manifest.json                        format, date, vendor, migrations, every member's
                                         path, size and SHA-256

A restore reads the whole archive into a staging folder and checks every member against the
manifest before it touches the database or a file; it takes nothing it was not told of (no
absolute or `..` paths, no links, no member outside the manifest), since a backup may have
travelled through hands and disks. The apps are reached through the app registry, never
imported: a new app's tables are in the next backup without a change here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

#: The manifest's format; a restore refuses a newer one.
FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: The manifest is read into memory: a larger one is not ours.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
#: Rows that `migrate` itself writes (content types, permissions, and the reference data that
#: migrations load): a database holding only these is empty, ready for a restore.
MIGRATION_FILLED = frozenset({"contenttypes.ContentType", "auth.Permission", "directory.Industry"})
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class BackupResult:
    path: Path
    vendor: str
    database_bytes: int
    files: int
    file_bytes: int


@dataclass
class RestoreResult:
    created_at: str
    records: dict[str, int]
    files: int
    file_bytes: int
    #: Migrations of this code the backup's database had not applied: `migrate` runs them.
    pending_migrations: list[str] = field(default_factory=list)


def human_size(size: int) -> str:
    """Bytes as the commands print them (in English, as the operator's shell does)."""
    if size < 1024:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


def storage_roots() -> dict[str, Path]:
    """The folders whose files are kept, by the name their files take in the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_ROOT)}


def record_counts() -> dict[str, int]:
    """Rows per model (many-to-many tables included) over all apps, for the tables that exist;
    the count of a restore, and what the test compares before and after."""
    tables = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue
        counts[meta.label] = model._base_manager.count()
    return counts


def migration_state() -> dict[str, list[str]]:
    """The migrations applied to the database, by app."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


class _Hashing:
    """A file read through, counting and hashing what tarfile takes from it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


# Backup ------------------------------------------------------------------------------------


def _pg_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """`tool` (pg_dump, pg_restore) with the connection of DATABASES["default"]: the password
    and TLS options in the environment (as Django's dbshell passes them), never in argv."""
    from django.db.backends.postgresql.client import DatabaseClient

    params = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(params, [])
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} was not found on PATH; install the PostgreSQL client tools.")
    command = [tool, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command += [flag, str(params[key])]
    command += [*args, "--dbname", params["NAME"]]
    return command, {**os.environ, **(env or {})}


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        # Its own read-only connection: a consistent copy of what is committed, as pg_dump
        # takes, whatever Django's connection is doing; a missing file is not created.
        with (
            closing(sqlite3.connect(f"file:{quote(name)}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    elif connection.vendor == "postgresql":
        command, env = _pg_command("pg_dump", "--format=custom", "--file", str(target))
        _run(command, env)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _stored_files() -> Iterator[tuple[Path, str]]:
    """Every regular file under the storage roots, with its name in the archive; links are
    left out (what they point at is not ours to keep)."""
    for root_name, root in storage_roots().items():
        if not root.is_dir():
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders.sort()
            for name in sorted(names):
                path = Path(folder, name)
                if path.is_symlink() or not path.is_file():
                    continue
                yield path, f"{root_name}/{path.relative_to(root).as_posix()}"


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = tar.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    with path.open("rb") as handle:
        reader = _Hashing(handle)
        tar.addfile(info, reader)  # tarfile only calls read()
    return {"path": name, "size": reader.size, "sha256": reader.sha256.hexdigest()}


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"zhibiao-{stamp}.tar.gz"


def create_backup(output: Path | None = None) -> BackupResult:
    """Write the archive to `output` (a new file, or a dated name in a folder; readable by its
    owner only: it holds every password hash and private upload), complete or not at all."""
    output = Path(output or default_output()).absolute()
    if output.is_dir():
        output = output / default_output().name
    for root in storage_roots().values():
        if output.is_relative_to(root.absolute()):
            raise BackupError(f"Write the backup outside the stored files ({root}).")
    if output.exists():
        raise BackupError(f"{output} exists; give another name.")
    vendor = connection.vendor
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBER.get(vendor, "database")
        _dump_database(dump)
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        try:
            with handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
                database = _add(tar, dump, dump.name)
                files = [_add(tar, path, name) for path, name in _stored_files()]
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "vendor": vendor,
                    "migrations": migration_state(),
                    "database": database,
                    "files": files,
                }
                data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(
        output, vendor, database["size"], len(files), sum(entry["size"] for entry in files)
    )


# Restore -----------------------------------------------------------------------------------


def _safe_name(name: str) -> PurePosixPath:
    """A member's name as a relative path that stays inside the staging folder, or refused."""
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(f"Refused: the archive member {name!r} is not a plain relative path.")
    return PurePosixPath(name)


def _members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, PurePosixPath]]:
    """The archive's members, each a regular file with a plain relative name, once."""
    seen: set[str] = set()
    for member in tar:
        name = _safe_name(member.name)
        if not member.isreg():
            kind = "link" if member.issym() or member.islnk() else "non-file"
            raise BackupError(f"Refused: the archive member {member.name!r} is a {kind}.")
        if member.name in seen:
            raise BackupError(f"Refused: the archive holds {member.name!r} twice.")
        seen.add(member.name)
        yield member, name


def _open(archive: Path) -> tarfile.TarFile:
    # A stream ("|"): members are read in order, never sought back to.
    return tarfile.open(archive, mode="r|gz")


def _inspect(archive: Path) -> dict[str, Any]:
    """First pass, writing nothing: every member's name and kind, the manifest, and that the
    members are exactly the manifest's, each of the size it gives."""
    sizes: dict[str, int] = {}
    manifest: Any = None
    with _open(archive) as tar:
        for member, _name in _members(tar):
            if member.name == MANIFEST:
                if member.size > MANIFEST_MAX_BYTES:
                    raise BackupError("Refused: the manifest is too large.")
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                try:
                    manifest = json.loads(source.read().decode("utf-8"))
                except ValueError as error:
                    raise BackupError(f"The manifest cannot be read: {error}") from None
            else:
                sizes[member.name] = member.size
    if manifest is None:
        raise BackupError(f"{archive} has no {MANIFEST}: not a zhibiao backup.")
    expected = _listed(manifest)
    strays = sorted(set(sizes) - set(expected))
    if strays:
        raise BackupError(f"Refused: members not in the manifest: {', '.join(strays[:5])}")
    missing = sorted(set(expected) - set(sizes))
    if missing:
        raise BackupError(f"The archive lacks what the manifest lists: {', '.join(missing[:5])}")
    wrong = sorted(path for path, entry in expected.items() if sizes[path] != entry["size"])
    if wrong:
        raise BackupError(f"{wrong[0]} is not of the size the manifest gives: {ALTERED}")
    return manifest


ALTERED = "the archive is damaged or altered; nothing was restored."


def _listed(manifest: Any) -> dict[str, dict[str, Any]]:
    """The manifest's entries by path, each checked: a plain relative path under a storage
    folder (or the database dump), listed once, with a size and a SHA-256."""
    try:
        if manifest.get("format") != FORMAT:
            raise BackupError(f"The backup's format {manifest.get('format')!r} is not {FORMAT}.")
        entries = [manifest["database"], *manifest["files"]]
        expected: dict[str, dict[str, Any]] = {}
        roots = storage_roots()
        for index, entry in enumerate(entries):
            path, size, sha256 = str(entry["path"]), int(entry["size"]), str(entry["sha256"])
            _safe_name(path)
            root, _slash, rest = path.partition("/")
            if index and (root not in roots or not rest):
                raise BackupError(f"Refused: {path!r} is no file under a storage folder.")
            if path in expected or path == MANIFEST:
                raise BackupError(f"Refused: the manifest lists {path!r} twice.")
            expected[path] = {"path": path, "size": size, "sha256": sha256}
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise BackupError(f"The manifest cannot be read: {error!r}") from None
    return expected


def _stage(archive: Path, staging: Path, manifest: dict[str, Any]) -> None:
    """Second pass: write each member into `staging`, no more bytes than the manifest gives,
    and compare its SHA-256 with the manifest's."""
    expected = _listed(manifest)
    needed = sum(entry["size"] for entry in expected.values())
    free = shutil.disk_usage(staging).free
    if needed > free:
        raise BackupError(
            f"The backup needs {human_size(needed)} to unpack; {staging.parent} "
            f"has {human_size(free)} free."
        )
    wrong = []
    with _open(archive) as tar:
        for member, name in _members(tar):
            entry = expected.get(member.name)
            if entry is None:  # the manifest, or an archive changed since the first pass
                continue
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            target = staging.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, left = hashlib.sha256(), entry["size"]
            with target.open("wb") as out:
                while left and (chunk := source.read(min(CHUNK, left))):
                    digest.update(chunk)
                    out.write(chunk)
                    left -= len(chunk)
            if left or digest.hexdigest() != entry["sha256"]:
                wrong.append(member.name)
    if wrong:
        raise BackupError(
            f"Checksums do not match for {len(wrong)} member(s), e.g. {wrong[0]}: {ALTERED}"
        )


def _check_compatible(manifest: dict[str, Any]) -> list[str]:
    """Refuse another vendor's dump and a database migrated by newer code; return this code's
    migrations the backup lacks (`migrate` applies them after the restore)."""
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.get('vendor')} database; this server's database is "
            f"{connection.vendor}. Restore it on a server with the same kind of database."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    try:
        backed_up = {
            (str(app), str(name))
            for app, names in dict(manifest["migrations"]).items()
            for name in names
        }
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"The manifest cannot be read: {error!r}") from None
    newer = sorted(f"{app}.{name}" for app, name in backed_up - known)
    if newer:
        raise BackupError(
            "The backup was made by a newer version of zhibiao: its database has migrations "
            f"this code does not know ({', '.join(newer[:5])}). Upgrade the code, then restore."
        )
    return sorted(f"{app}.{name}" for app, name in known - backed_up)


def holding_data() -> dict[str, int]:
    """The models with rows beyond what `migrate` writes: a database with none is empty."""
    return {
        label: count
        for label, count in record_counts().items()
        if count and label not in MIGRATION_FILLED
    }


def _restore_database(dump: Path) -> None:
    connection.close()
    if connection.vendor == "sqlite":
        with (
            closing(sqlite3.connect(dump)) as source,
            closing(sqlite3.connect(connection.settings_dict["NAME"])) as target,
        ):
            source.backup(target)
    else:
        command, env = _pg_command(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        )
        in_dump = _dump_tables(dump)
        _run([*command, str(dump)], env)
        # Tables the target had and the backup did not (made by a migration newer than the
        # backup) would stop `migrate` from making them again: the database is the backup's.
        leftover = sorted(set(connection.introspection.table_names()) - in_dump)
        with transaction.atomic(), connection.cursor() as cursor:
            for table in leftover:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def _dump_tables(dump: Path) -> set[str]:
    """The tables in a pg_dump archive, from its table of contents (`pg_restore --list`
    lines: "id; oid oid TABLE schema name owner")."""
    done = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(f"pg_restore --list failed: {done.stderr.strip()[-2000:]}")
    tables = set()
    for line in done.stdout.splitlines():
        words = line.split()
        if len(words) >= 6 and words[3] == "TABLE" and words[4] != "DATA":
            tables.add(words[5])
    return tables


def _file_targets(manifest: dict[str, Any]) -> list[tuple[str, Path, int]]:
    """Where each file goes, checked to stay inside its storage folder even through links
    already in that folder."""
    roots = storage_roots()
    targets = []
    for entry in manifest["files"]:
        root_name, rest = entry["path"].split("/", 1)
        root = roots[root_name]
        target = root.joinpath(*rest.split("/"))
        if not target.parent.resolve().is_relative_to(root.resolve()):
            raise BackupError(f"Refused: {target} would be written outside {root}.")
        targets.append((entry["path"], target, entry["size"]))
    return targets


def restore_backup(archive: Path, *, force: bool = False) -> RestoreResult:
    """Check the archive whole, then replace the database and write the files."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No such file: {archive}")
    staging_parent = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as work:
        staging = Path(work)
        try:
            manifest = _inspect(archive)
            pending = _check_compatible(manifest)
            targets = _file_targets(manifest)
            if not force:
                held = holding_data()
                if held:
                    sample = ", ".join(f"{label} ({n})" for label, n in sorted(held.items())[:3])
                    raise BackupError(
                        f"The database holds data: {sample}…; a restore replaces it. Restore "
                        "into a fresh database, or give --force to replace this one."
                    )
            _stage(archive, staging, manifest)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupError(f"{archive} is not a readable backup archive: {error}") from None
        _restore_database(staging / manifest["database"]["path"])
        for name, target, _size in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(staging.joinpath(*name.split("/")), partial)
            os.replace(partial, target)
    return RestoreResult(
        created_at=str(manifest.get("created_at", "")),
        records=record_counts(),
        files=len(targets),
        file_bytes=sum(size for _name, _target, size in targets),
        pending_migrations=pending,
    )
