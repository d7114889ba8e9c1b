"""Backup and restore: a populated database and its files come back whole in a fresh database,
and a damaged, altered, foreign or hostile archive is refused before anything is touched.

The tests commit (a backup reads the database from outside the test's transaction: SQLite's
own connection, pg_dump), so they take `transactional_db`. On PostgreSQL (DATABASE_URL) the
fresh database is created beside the test database and dropped afterwards; on SQLite it is a
second file.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from tests import factories
from zhibiao.directory.models import Organisation
from zhibiao.events.models import Material
from zhibiao.events.services import add_material
from zhibiao.ops.backup import MANIFEST, record_counts
from zhibiao.standards.models import Check

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET_REPORT = "内部质量手册 confidential ".encode() * 50


@pytest.fixture
def storage(settings, tmp_path) -> dict[str, Path]:
    """Real folders for the uploads (the suite keeps them in memory otherwise)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    return {"media": settings.MEDIA_ROOT, "private": settings.PRIVATE_ROOT}


def with_files() -> None:
    """An event material uploaded through its service (a FileField under MEDIA_ROOT) and a
    validity check's report (a FileField under PRIVATE_ROOT)."""
    admin = factories.AdminFactory()
    add_material(admin, factories.EventFactory(), "讲义", SimpleUploadedFile("讲义.pdf", PDF))
    check = Check(owner=admin, name="质量手册.docx", state="done")
    check.file.save("report.txt", ContentFile(SECRET_REPORT), save=True)


@pytest.fixture
def populated(industries, storage) -> dict[str, int]:
    """Records of many apps made by the factories, and the files."""
    org = factories.OrganisationFactory(name="上海备份测试精密机械有限公司")
    factories.EnterpriseUserFactory(organisation=org)
    factories.ExpertFactory()
    factories.PolicyDocumentFactory()
    factories.CommitteeMemberFactory()
    factories.OfferingFactory()
    factories.DemandFactory()
    with_files()
    return record_counts()


@pytest.fixture
def few(transactional_db, storage) -> None:
    """Enough for the refusals: a few records and the files (no industries to load first)."""
    with_files()


def stored_files(roots: dict[str, Path]) -> dict[str, bytes]:
    return {
        f"{name}/{path.relative_to(root).as_posix()}": path.read_bytes()
        for name, root in roots.items()
        if root.is_dir()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def primary_keys() -> dict[str, list]:
    """Every record, by model: its primary keys (counts alone would miss a swap)."""
    from django.apps import apps

    return {
        label: sorted(apps.get_model(label)._base_manager.values_list("pk", flat=True))
        for label in record_counts()
    }


@contextlib.contextmanager
def fresh_database(tmp_path: Path) -> Iterator[None]:
    """Point the default connection at a new, migrated database for the block; back after."""
    params = connection.settings_dict
    original = params["NAME"]
    admin = None
    if connection.vendor == "postgresql":
        import psycopg

        fresh = f"{original}_restore"
        options = {key.lower(): params[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        admin = psycopg.connect(
            dbname="postgres", autocommit=True, **{k: v for k, v in options.items() if v}
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    else:
        fresh = str(tmp_path / "fresh.sqlite3")
    connection.close()
    params["NAME"] = fresh
    ContentType.objects.clear_cache()
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connection.close()
        params["NAME"] = original
        ContentType.objects.clear_cache()
        if admin is not None:
            with admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_restores_every_record_and_file_into_a_fresh_database(
    populated, storage, settings, tmp_path
):
    assert populated["events.Material"] == 1 and populated["standards.Check"] == 1
    assert populated["accounts.User"] >= 3 and populated["directory.Organisation"] >= 1
    records, files = primary_keys(), stored_files(storage)
    assert PDF in files.values() and SECRET_REPORT in files.values()
    assert any(path.startswith("private/checks/") for path in files)
    archive = tmp_path / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert f"{len(files)} files" in out.getvalue()

    settings.MEDIA_ROOT, settings.PRIVATE_ROOT = tmp_path / "media2", tmp_path / "private2"
    restored_roots = {"media": settings.MEDIA_ROOT, "private": settings.PRIVATE_ROOT}
    with fresh_database(tmp_path):
        assert not Organisation.objects.filter(name="上海备份测试精密机械有限公司").exists()
        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
        assert f"{sum(populated.values())} records" in out.getvalue()
        assert primary_keys() == records
        assert record_counts() == populated
        assert stored_files(restored_roots) == files
        material = Material.objects.get()
        with material.file.open("rb") as handle:
            assert handle.read() == PDF
        with Check.objects.get().file.open("rb") as handle:
            assert handle.read() == SECRET_REPORT


def test_the_manifest_describes_the_archive(few, tmp_path):
    call_command("backup", output=tmp_path, stdout=io.StringIO())  # a folder: a dated name
    (archive,) = tmp_path.glob("zhibiao-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # every password hash is in it
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        names = tar.getnames()
    assert manifest["format"] == 1 and manifest["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["events"]
    assert manifest["created_at"]
    listed = [entry["path"] for entry in manifest["files"]]
    assert sorted(names) == sorted([MANIFEST, manifest["database"]["path"], *listed])
    assert {entry["size"] for entry in manifest["files"]} >= {len(PDF), len(SECRET_REPORT)}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])


# Refusals ----------------------------------------------------------------------------------


def rewrite(
    source: Path,
    target: Path,
    *,
    manifest: Callable[[dict], None] | None = None,
    content: Callable[[str, bytes], bytes] | None = None,
    extra: tarfile.TarInfo | None = None,
    extra_data: bytes = b"",
) -> Path:
    """A copy of the archive `source`, its manifest or members changed, or a member added."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == MANIFEST and manifest is not None:
                document = json.loads(data)
                manifest(document)
                data = json.dumps(document).encode()
            elif content is not None:
                data = content(member.name, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
        if extra is not None:
            extra.size = len(extra_data) if extra.isreg() else 0
            new.addfile(extra, io.BytesIO(extra_data) if extra.isreg() else None)
    return target


@pytest.fixture
def backup(few, tmp_path) -> Path:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    return archive


def changed_since_backup(storage) -> tuple[Organisation, Path]:
    """A record and a file changed after the backup: a refused restore leaves both."""
    org = factories.OrganisationFactory(government=True, name="备份之后新建的单位")
    material = next((storage["media"] / "materials").rglob("*.pdf"))
    material.write_bytes(b"%PDF-1.4 changed since")
    return org, material


def assert_untouched(org: Organisation, material: Path) -> None:
    assert Organisation.objects.filter(pk=org.pk).exists()
    assert material.read_bytes() == b"%PDF-1.4 changed since"


def test_a_tampered_file_is_refused_before_anything_is_touched(backup, storage, tmp_path):
    def flip(name: str, data: bytes) -> bytes:
        # Same size, other bytes: only the checksum tells.
        return data.replace(b"%PDF-1.4", b"%PDF-1.5") if name.startswith("media/") else data

    tampered = rewrite(backup, tmp_path / "tampered.tar.gz", content=flip)
    org, material = changed_since_backup(storage)
    with pytest.raises(CommandError, match=r"Checksums do not match.*damaged or altered"):
        call_command("restore", str(tampered), force=True)
    assert_untouched(org, material)


def test_a_tampered_database_dump_is_refused(backup, storage, tmp_path):
    def append(name: str, data: bytes) -> bytes:
        return data + b"\0" if name.startswith("database.") else data

    tampered = rewrite(backup, tmp_path / "tampered.tar.gz", content=append)
    org, material = changed_since_backup(storage)
    with pytest.raises(CommandError, match=r"not of the size the manifest gives.*altered"):
        call_command("restore", str(tampered), force=True)
    assert_untouched(org, material)


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (_member("../escaped.txt"), "not a plain relative path"),
        (_member("media/../../escaped.txt"), "not a plain relative path"),
        (_member("/tmp/escaped-absolute.txt"), "not a plain relative path"),
        (_member("media/link", tarfile.SYMTYPE, "/etc/passwd"), "is a link"),
        (_member("media/hard", tarfile.LNKTYPE, "manifest.json"), "is a link"),
        (_member("media/unlisted.txt"), "not in the manifest"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink", "hardlink", "unlisted"],
)
def test_hostile_members_are_refused(backup, storage, tmp_path, member, message):
    hostile = rewrite(backup, tmp_path / "hostile.tar.gz", extra=member, extra_data=b"pwned")
    org, material = changed_since_backup(storage)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(hostile), force=True)
    assert_untouched(org, material)
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not Path("/tmp/escaped-absolute.txt").exists()


def test_a_manifest_path_outside_the_storage_folders_is_refused(backup, storage, tmp_path):
    def escape(document: dict) -> None:
        document["files"][0]["path"] = "../" + document["files"][0]["path"]

    hostile = rewrite(backup, tmp_path / "hostile.tar.gz", manifest=escape)
    with pytest.raises(CommandError, match="not a plain relative path"):
        call_command("restore", str(hostile), force=True)


def test_a_manifest_entry_naming_a_storage_folder_itself_is_refused(backup, storage, tmp_path):
    def folder(document: dict) -> None:
        document["files"][0]["path"] = document["files"][0]["path"].split("/", 1)[0]

    hostile = rewrite(backup, tmp_path / "hostile.tar.gz", manifest=folder)
    with pytest.raises(CommandError, match="no file under a storage folder"):
        call_command("restore", str(hostile), force=True)


def test_a_database_holding_data_is_replaced_only_with_force(backup, storage):
    org, material = changed_since_backup(storage)
    with pytest.raises(CommandError, match=r"holds data.*--force"):
        call_command("restore", str(backup))
    assert_untouched(org, material)

    call_command("restore", str(backup), force=True, stdout=io.StringIO())
    assert not Organisation.objects.filter(pk=org.pk).exists()
    assert material.read_bytes() == PDF


def test_tables_the_backup_did_not_have_are_gone(backup):
    """A target migrated by newer code has tables the backup lacks; left, they would stop
    `migrate` from making them again after the restore."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE ops_newer_than_the_backup (id integer)")
    assert "ops_newer_than_the_backup" in connection.introspection.table_names()
    call_command("restore", str(backup), force=True, stdout=io.StringIO())
    assert "ops_newer_than_the_backup" not in connection.introspection.table_names()


def test_another_vendors_backup_is_refused(backup, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def foreign(document: dict) -> None:
        document["vendor"] = other

    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(rewrite(backup, tmp_path / "x.tar.gz", manifest=foreign)))


def test_a_backup_of_newer_code_is_refused(backup, tmp_path):
    def newer(document: dict) -> None:
        document["migrations"]["events"].append("9999_from_the_future")

    with pytest.raises(CommandError, match=r"newer version.*events\.9999_from_the_future"):
        call_command("restore", str(rewrite(backup, tmp_path / "x.tar.gz", manifest=newer)))


def test_an_older_backup_restores_and_asks_for_migrate(backup, tmp_path):
    def older(document: dict) -> None:
        document["migrations"]["events"].remove("0003_event_announced_at")

    out = io.StringIO()
    archive = rewrite(backup, tmp_path / "x.tar.gz", manifest=older)
    call_command("restore", str(archive), force=True, stdout=out)
    assert "run `manage.py migrate`" in out.getvalue()


def test_what_is_not_a_backup_is_refused(tmp_path, transactional_db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


def test_the_backup_is_written_outside_the_stored_files(storage, transactional_db):
    with pytest.raises(CommandError, match="outside the stored files"):
        call_command("backup", output=storage["media"] / "backup.tar.gz")
