"""Business operations of the standards app, one module per part of `standards/models/`:
`announcements` (with its `status_changes` and `alerts`), `catalogue`, `checks`,
`declarations`, `groups` and `leaders`.

Pages, the API and the commands call these functions; each takes the acting user, checks that
they may act, validates, saves in one transaction and writes one audit entry. The facts
function ``group_standard_facts`` is what the measures read of group standards. This
package re-exports the public names of its modules, so callers keep writing
`from zhibiao.standards import services`.
"""

from zhibiao.standards.services.alerts import alert_holders, send_weekly_digest, standard_edited
from zhibiao.standards.services.announcements import (
    ANNOUNCEMENT_COLUMNS,
    apply_announcement,
    discard_pending,
    forget_pending_files,
    keep_pending,
    preview_announcement,
)
from zhibiao.standards.services.catalogue import (
    DATA_DIR,
    apply_dated_statuses,
    coverage,
    import_standards,
    load_shipped_catalogue,
    read_catalogue_file,
)
from zhibiao.standards.services.checks import (
    LinkKindLabels,
    check_files,
    report_xlsx,
    run_check,
    start_check,
)
from zhibiao.standards.services.declarations import (
    DECLARATION_FIELDS,
    declaration_problems,
    flag_declaration,
    flag_standing,
    publish_declaration,
    save_declaration,
    withdraw_declaration,
)
from zhibiao.standards.services.groups import (
    GROUP_FIELDS,
    group_standard_facts,
    publish_group_standard,
    record_adoption,
)
from zhibiao.standards.services.leaders import (
    compute_ranks,
    create_scheme,
    enter_scheme,
    rank_scheme,
)
from zhibiao.standards.services.status_changes import apply_due_changes

__all__ = [
    "ANNOUNCEMENT_COLUMNS",
    "DATA_DIR",
    "DECLARATION_FIELDS",
    "GROUP_FIELDS",
    "LinkKindLabels",
    "alert_holders",
    "apply_announcement",
    "apply_dated_statuses",
    "apply_due_changes",
    "check_files",
    "compute_ranks",
    "coverage",
    "create_scheme",
    "declaration_problems",
    "discard_pending",
    "enter_scheme",
    "flag_declaration",
    "flag_standing",
    "forget_pending_files",
    "group_standard_facts",
    "import_standards",
    "keep_pending",
    "load_shipped_catalogue",
    "preview_announcement",
    "publish_declaration",
    "publish_group_standard",
    "rank_scheme",
    "read_catalogue_file",
    "record_adoption",
    "report_xlsx",
    "run_check",
    "save_declaration",
    "send_weekly_digest",
    "standard_edited",
    "start_check",
    "withdraw_declaration",
]
