"""Business operations of the district quality award, from the call to the certificate.

Two machines of the workflow engine (`zhibiao.core.workflow`): CYCLE_MACHINE moves a cycle
through its stages (`cycles`), ENTRY_MACHINE an enterprise's entry (`entries`). The stages gate
each other: an entry is checked only while its cycle is at the formal check, scored during the
document review, visited during the site visits; the cycle's own steps refuse to move on while
an entry is left behind (unscored, a spread not agreed, a shortlisted entry not visited), so a
stage cannot be taken out of order. Every other operation (writing an item, assigning and
scoring, the consensus, the site visit, objections) is a function taking the acting user,
checking them, running in one transaction and writing one audit entry.

Eligibility is a clause of the rules engine (the measures' language and phrasing), so an
applicant reads, condition by condition, what it lacks. The award, once conferred after the
public notice, is recorded as a verified `profiles.AwardRecord` (the 区长质量奖 fact the
measures read), recorded by the staff member who confers it and verified by the committee's
decision-taker: never before, so no money rests on an award not yet approved.

The package's modules: `eligibility`, `consolidation` (scores to totals and a ranking),
`cycles`, `entries`, `experts` (assignment, scores, consensus, site visits), `notice`
(objections, figures); callers use the names re-exported here.
"""

from zhibiao.awards.services.common import TEXT_MAX
from zhibiao.awards.services.consolidation import (
    RANKED_STATES,
    Consolidated,
    ItemResult,
    consolidate,
    consolidate_cycle,
    min_experts,
    ranking,
    threshold,
)
from zhibiao.awards.services.cycles import (
    CYCLE_FIELDS,
    CYCLE_MACHINE,
    create_cycle,
    notice_end,
    take_cycle_step,
)
from zhibiao.awards.services.eligibility import ACCIDENT_FACT, Eligibility, eligibility
from zhibiao.awards.services.entries import (
    ENTRY_MACHINE,
    missing_items,
    save_answer,
    save_profile,
    start_entry,
    take_entry_step,
)
from zhibiao.awards.services.experts import (
    ScoreRow,
    assign_experts,
    record_consensus,
    record_site_visit,
    remove_expert,
    save_score,
    save_scores,
)
from zhibiao.awards.services.notice import (
    feedback_ready,
    figures,
    file_objection,
    latest_figures,
    resolve_objection,
)

__all__ = [
    "ACCIDENT_FACT",
    "CYCLE_FIELDS",
    "CYCLE_MACHINE",
    "ENTRY_MACHINE",
    "RANKED_STATES",
    "TEXT_MAX",
    "Consolidated",
    "Eligibility",
    "ItemResult",
    "ScoreRow",
    "assign_experts",
    "consolidate",
    "consolidate_cycle",
    "create_cycle",
    "eligibility",
    "feedback_ready",
    "figures",
    "file_objection",
    "latest_figures",
    "min_experts",
    "missing_items",
    "notice_end",
    "ranking",
    "record_consensus",
    "record_site_visit",
    "remove_expert",
    "resolve_objection",
    "save_answer",
    "save_profile",
    "save_score",
    "save_scores",
    "start_entry",
    "take_cycle_step",
    "take_entry_step",
    "threshold",
]
