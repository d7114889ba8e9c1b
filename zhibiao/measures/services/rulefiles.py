"""Rule files: a rule book as one YAML file under version control, exported and imported whole."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import User
from zhibiao.accounts.permissions import Actor, ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.measures.channels import auto_refusal
from zhibiao.measures.models import Clause, ClauseVersion, Mode, RuleBook
from zhibiao.measures.services.compiled import (
    HEADER_KEYS,
    RuleTextInvalid,
    _error,
    _load,
    _parse_rule_file,
    _published,
    clause_set,
    dump_yaml,
)
from zhibiao.measures.services.versions import end_previous, too_long
from zhibiao.rules import RuleValidationError


def export_rulebook(rulebook: RuleBook) -> str:
    """The rule book as one YAML file: its head and every published version, in order."""
    head = _load(rulebook.header) or {}
    head["clauses"] = [
        _load(source) for source in _published(rulebook).values_list("source", flat=True)
    ]
    return (
        f"# {rulebook.document.title}\n# exported {timezone.localdate().isoformat()}\n"
        + dump_yaml(head)
    )


@dataclass
class ImportReport:
    created: list[str]
    unchanged: list[str]


@transaction.atomic
def import_rulebook(
    actor: Actor | None, document, text: str, *, modes: dict[str, str] | None = None
) -> ImportReport:
    """Create or extend a document's rule book from a YAML file: all of it, or nothing.

    Versions already published must be identical in the file; new versions are published.
    """
    ensure(actor is None or is_district_admin(actor))
    assert actor is None or isinstance(actor, User)  # None: a command or the demo, no one
    clause_set_ = _parse_rule_file(text)
    data = _load(text)
    header = dump_yaml({key: data[key] for key in HEADER_KEYS if key in data})
    code = (data.get("document") or {}).get("id") or f"DOC-{document.pk}"
    rulebook = RuleBook.objects.filter(document=document).first()
    header_changed = rulebook is not None and rulebook.header != header
    if rulebook is None:
        rulebook = RuleBook.objects.create(document=document, code=code, header=header)
    elif header_changed:
        rulebook.header = header
        rulebook.save(update_fields=["header", "updated_at"])
    report = ImportReport([], [])
    modes = modes or {}
    # Clauses that had published versions before this file: a new version of one of them is
    # published as the editor publishes it (today or later, ending the one in force).
    established = set(
        Clause.objects.filter(rulebook=rulebook, versions__published_at__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )
    for position, (clause, raw) in enumerate(zip(clause_set_, data["clauses"], strict=True), 1):
        existing = (
            ClauseVersion.objects.filter(clause__code=clause.id, number=clause.version)
            .select_related("clause")
            .first()
        )
        label = f"{clause.id} v{clause.version}"
        known = Clause.objects.filter(code=clause.id).first()
        if known is not None and known.rulebook_id != rulebook.pk:
            raise RuleTextInvalid(
                [_error(label, gettext("This clause belongs to another document."))]
            )
        mode = modes.get(clause.id) or (known.mode if known is not None else Mode.QUICK)
        if mode == Mode.AUTO and (refusal := auto_refusal(clause)):
            raise RuleTextInvalid([_error(label, refusal)])
        identity = {"id": clause.id, "title": clause.title, "category": clause.category}
        if long_values := too_long(identity):
            raise RuleTextInvalid([_error(label, message) for _name, message in long_values])
        if existing is not None:
            if _load(existing.source) != raw:
                raise RuleTextInvalid(
                    [
                        _error(
                            label,
                            gettext(
                                "This version is already published with other content; "
                                "give a changed clause a new version number."
                            ),
                        )
                    ]
                )
            report.unchanged.append(label)
            continue
        row = known or Clause.objects.create(
            code=clause.id, rulebook=rulebook, position=position, mode=mode
        )
        if clause.id in established:
            end_previous(actor, row, clause.effective_from)
        ClauseVersion.objects.create(
            clause=row,
            number=clause.version,
            title=clause.title,
            category=clause.category,
            effective_from=clause.effective_from,
            effective_to=clause.effective_to,
            source=dump_yaml(raw),
            created_by=actor,
            published_at=timezone.now(),
        )
        report.created.append(label)
    # The rule book as the engine will read it: a file that would leave it unreadable (a new
    # version overlapping one already published) is refused whole, not published to break
    # every explanation and screening after it.
    try:
        clause_set(RuleBook.objects.get(pk=rulebook.pk))
    except RuleValidationError as error:
        raise RuleTextInvalid(list(error.errors)) from None
    if report.created or header_changed:
        record(
            actor,
            "rulebook.import",
            rulebook,
            created=report.created,
            header_changed=header_changed,
        )
    return report
