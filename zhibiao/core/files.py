"""The description every stored upload keeps beside its file (evidence, attachments, materials).

`zhibiao.core.uploads.Accepted.record_fields` fills these fields and `Accepted.store` the file,
so a model that keeps an upload takes them from `StoredFile` and they stay the same everywhere:
the risk view compares files across apps by `sha256`, and pages show `original_name` and `size`.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zhibiao.core.modelfields import user_ref


class StoredFile(models.Model):
    """An upload kept with a record: its original name (only shown: the stored name is random),
    the type judged by content, the size, the content's SHA-256, and who uploaded it when.

    Each model declares its own `file = models.FileField(...)`, because each keeps its files
    under its own folder (`upload_to`).
    """

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = user_ref(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    #: Declared by each concrete model (its own folder); named here for the methods below.
    file: models.FileField

    class Meta:
        abstract = True

    def delete_with_file(self) -> None:
        """Delete the record, and its stored file once the deletion commits (a deletion rolled
        back keeps both). A file removed from a page must not stay on disk: a handout taken
        down for the personal data it held would otherwise remain in storage."""
        storage, name = self.file.storage, self.file.name
        self.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
