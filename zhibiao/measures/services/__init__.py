"""Operations on the measures, one module per seam: compiled clause sets (`compiled`), checking
and publishing clause texts (`versions`), rule files (`rulefiles`), explanations for one
enterprise (`explanations`) and screening the population (`screening`).

The rules engine (zhibiao/rules) is pure; this package feeds it the platform's records and keeps
its compiled clause sets per process, recompiling only when a version is published. It
re-exports the public names of its modules, so callers keep writing
`from zhibiao.measures import services`, and the screening job's task keeps its stored name
`zhibiao.measures.services.screen`.
"""

from zhibiao.measures.services.compiled import (
    HEADER_KEYS,
    RuleTextInvalid,
    auto_allowed,
    clause_set,
    dump_yaml,
    latest_compiled,
    version_for,
)
from zhibiao.measures.services.explanations import (
    clause_in_words,
    explain_enterprise,
    if_met,
    result_view,
    rulebooks_in_force,
)
from zhibiao.measures.services.rulefiles import ImportReport, export_rulebook, import_rulebook
from zhibiao.measures.services.screening import (
    latest_screening,
    notify_entitled,
    screen,
    start_screening,
)
from zhibiao.measures.services.versions import (
    NEW_CLAUSE_TEMPLATE,
    CheckedVersion,
    check_version_text,
    draft_text,
    next_number,
    parse_source,
    publish_version,
    update_clause_settings,
)

__all__ = [
    "HEADER_KEYS",
    "NEW_CLAUSE_TEMPLATE",
    "CheckedVersion",
    "ImportReport",
    "RuleTextInvalid",
    "auto_allowed",
    "check_version_text",
    "clause_in_words",
    "clause_set",
    "draft_text",
    "dump_yaml",
    "explain_enterprise",
    "export_rulebook",
    "if_met",
    "import_rulebook",
    "latest_compiled",
    "latest_screening",
    "next_number",
    "notify_entitled",
    "parse_source",
    "publish_version",
    "result_view",
    "rulebooks_in_force",
    "screen",
    "start_screening",
    "update_clause_settings",
    "version_for",
]
