"""Business operations on applications (subsidy claims), one module per seam:

- `claims`: who applies for whom, what the rules give, which claims are pending;
- `steps`: the machine of the workflow engine (`MACHINE`), its checks and effects; a step is
  taken with `zhibiao.core.workflow.take` (and offered with `available`);
- `drafting`: opening an application, its statement and its evidence;
- `review`: experts' reviews and the objections raised during the public notice.

The names callers use are importable from here.
"""

from zhibiao.applications.services.claims import (
    APPLICANT_ROLES,
    applicant_organisations,
    approval_ceiling,
    current_evidence_items,
    opened_on_near_miss,
    pending_by_project,
    pending_for_project,
    pending_states,
    projects_open,
    required_evidence,
    unsupported_payment,
)
from zhibiao.applications.services.drafting import (
    EVIDENCE_KINDS,
    STATEMENT_MAX,
    add_evidence,
    prefilled_statement,
    start_application,
    update_statement,
)
from zhibiao.applications.services.review import (
    assign_reviewers,
    file_objection,
    resolve_objection,
    submit_review,
    with_review_progress,
)
from zhibiao.applications.services.steps import MACHINE, may_edit, publicity_end

__all__ = [
    "APPLICANT_ROLES",
    "EVIDENCE_KINDS",
    "MACHINE",
    "STATEMENT_MAX",
    "add_evidence",
    "applicant_organisations",
    "approval_ceiling",
    "assign_reviewers",
    "current_evidence_items",
    "file_objection",
    "may_edit",
    "opened_on_near_miss",
    "pending_by_project",
    "pending_for_project",
    "pending_states",
    "prefilled_statement",
    "projects_open",
    "publicity_end",
    "required_evidence",
    "resolve_objection",
    "start_application",
    "submit_review",
    "unsupported_payment",
    "update_statement",
    "with_review_progress",
]
