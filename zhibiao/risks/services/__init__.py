"""The staff view of risk (issue 10): where money rests on what the beneficiary could make up.

Three computations, each for district staff only and each a fixed number of queries whatever
the number of enterprises (aggregation and subqueries in the database, joins in Python):

- `fact_risks`: entitlements and applications whose clause reads a fact with a record on file
  that the beneficiary's own side recorded;
- `shared_files`: the same evidence file (by content hash) in applications of different
  enterprises;
- `shared_phones`: the same person (mobile number) registered for events by several
  organisations.

They flag for a person to look at; none of them decides anything.

**The beneficiary's side** of an enterprise E is: any user whose organisation is E (an
enterprise user, the manager of E's training base, whatever the role); a chamber user whose
chamber recorded a group standard E drafted; and, for the `courses` fact, the host of the events
(E's own training base), which records them and checks attendees in. District staff (role
admin, or a superuser) are independent whatever organisation their account names, and so is a
record whose recorder is unknown (`recorded_by` empty: entered before provenance was kept).

The package re-exports the public names of its modules (`facts`, `files`, `phones`; `common`
holds what they share), so callers keep writing `services.fact_risks`.
"""

from zhibiao.risks.services.common import application_url, enterprise_file_url
from zhibiao.risks.services.facts import CLOSED, FactRisk, FlaggedRecord, fact_risks
from zhibiao.risks.services.files import FileUse, SharedFile, shared_files
from zhibiao.risks.services.phones import PhoneUse, SharedPhone, shared_phones

__all__ = [
    "CLOSED",
    "FactRisk",
    "FileUse",
    "FlaggedRecord",
    "PhoneUse",
    "SharedFile",
    "SharedPhone",
    "application_url",
    "enterprise_file_url",
    "fact_risks",
    "shared_files",
    "shared_phones",
]
