"""The permission matrix: every page and every API operation, with the status each role gets.

The matrix is two tables, one row a line: a page's URL name (in the resolver), or an API
operation's method and path (in the OpenAPI document, without the "/api/v1" prefix); then the
expected statuses in the order of `ROLES`

    anonymous admin expert enterprise base chamber provider department other

then, if any, `name=value` pairs: the world objects its URL or path parameters take
(tests/permissions/world.py), `query=` a query string (its values formatted with the world's
objects) and `body=` a JSON body (no spaces) for a write whose plainest body would stop at
validation before the permission check. A line starting with `#` is a comment.

"other" is an enterprise user of another enterprise than the demo `enterprise`, which owns the
world's private objects. Pages are requested with GET; the API's reads with GET and its writes
with the plainest body its schema accepts, rolled back afterwards. For a write, 422, 409, 200
and 201 all mean "allowed" (the request passed the permission check and reached validation or
the state machine); 401, 403 and 404 mean refused. A page answers anonymous with 302 to the
login page, a wrong role with 403, another organisation's object with 404; a page that only
takes POST answers GET with 405 whoever asks. Rows whose status looks wrong for the role carry
`# BUG:` with what is wrong; they record what the platform does today so that a change shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: The API's prefix, left out of the operations' table.
API = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: How many statuses a row has: one per role of world.ROLES (checked by the tests).
COLUMNS = 9


@dataclass(frozen=True)
class Row:
    """One URL name or operation, the parameters it takes from the world, and the statuses."""

    key: str
    expected: str
    params: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    path: str = ""
    query: str = ""
    body: dict | None = None


def _row(line: str) -> Row:
    words = line.split()
    method, path = "GET", ""
    if words[0] in METHODS:
        method, path = words[0], API + words[1]
        key, words = f"{method} {path}", words[2:]
    else:
        key, words = words[0], words[1:]
    statuses, extras = words[:COLUMNS], dict(w.split("=", 1) for w in words[COLUMNS:])
    if len(statuses) != COLUMNS or not all(status.isdigit() for status in statuses):
        raise ValueError(f"{key}: {COLUMNS} statuses expected, one per role: {line}")
    expected = " ".join(statuses)
    query = extras.pop("query", "")
    body = json.loads(extras.pop("body")) if "body" in extras else None
    return Row(key, expected, extras, method, path, query, body)


def table(text: str) -> list[Row]:
    """The rows of a table: one a line, blank lines and comments (`#`) left out."""
    lines = (line.split("  # ")[0].strip() for line in text.splitlines())
    return [_row(line) for line in lines if line and not line.startswith("#")]


# fmt: off
PAGES = table("""
core:healthz                   200 200 200 200 200 200 200 200 200
portal:home                    200 200 200 200 200 200 200 200 200
portal:workbench               302 200 200 200 200 200 200 200 200
accounts:login                 200 302 302 302 302 302 302 302 302
accounts:logout                405 405 405 405 405 405 405 405 405
accounts:tokens                302 200 200 200 200 200 200 200 200
accounts:token_revoke          302 405 405 405 405 405 405 405 405  pk=token
directory:organisations        302 200 200 200 200 200 200 200 200
directory:organisation_create  302 200 403 403 403 403 403 403 403
directory:organisation_import  302 200 403 403 403 403 403 403 403
directory:organisation         302 200 200 200 200 200 200 200 200  pk=organisation
directory:organisation_edit    302 200 404 200 404 404 404 404 404  pk=organisation
directory:person_create        302 200 404 200 404 404 404 404 404  organisation_pk=organisation
directory:person_edit          302 200 404 200 404 404 404 404 404  pk=person
committee:index                200 200 200 200 200 200 200 200 200
committee:member               200 200 200 200 200 200 200 200 200  pk=member
bases:list                     200 200 200 200 200 200 200 200 200
bases:year                     200 200 200 200 200 200 200 200 200  year=year
bases:applications             302 200 200 200 200 200 200 200 200
bases:application_create       302 403 403 200 200 403 403 403 200
bases:application              302 200 404 200 404 404 404 404 404  pk=base_application
bases:application_step         302 405 405 405 405 405 405 405 405  pk=base_application
bases:batch_create             302 200 403 403 403 403 403 403 403
bases:detail                   200 200 200 200 200 200 200 200 200  pk=base
bases:status                   302 405 403 403 403 403 403 403 403  pk=base
bases:evaluate                 302 405 403 403 403 403 403 403 403  pk=base
bases:capability_create        302 200 404 404 200 404 404 404 404  pk=base
bases:capability_delete        302 405 405 405 405 405 405 405 405  pk=base capability_pk=capability
policies:list                  200 200 200 200 200 200 200 200 200
policies:detail                200 200 200 200 200 200 200 200 200  pk=policy
events:list                    200 200 200 200 200 200 200 200 200
events:create                  302 200 403 403 200 200 403 403 403
events:calendar                200 200 200 200 200 200 200 200 200
events:calendars               302 200 200 200 200 200 200 200 200
events:personal_calendar       200 200 200 200 200 200 200 200 200  token=calendar_token
events:satisfaction            302 200 403 403 403 403 403 403 403
events:registrations           302 200 200 200 200 200 200 200 200
events:cancel                  302 405 405 405 405 405 405 405 405  pk=registration
events:ticket                  200 200 200 200 200 200 200 200 200  token=ticket
events:certificate             200 200 200 200 200 200 200 200 200  token=ticket
events:feedback                302 302 302 302 302 302 302 302 302  token=ticket
events:verify                  200 200 200 200 200 200 200 200 200  code=certificate_code
# No such object in the demo: the row checks that a missing one is a 404 (or the role check before it).
events:material                404 404 404 404 404 404 404 404 404  pk=material
events:detail                  200 200 200 200 200 200 200 200 200  pk=event
events:edit                    302 200 403 403 200 404 403 403 403  pk=event
events:register                302 200 200 200 200 200 200 200 200  pk=event
events:manage                  302 200 403 403 200 404 403 403 403  pk=event
events:attendance_sheet        302 200 403 403 200 404 403 403 403  pk=event
events:attendance_import       302 200 403 403 200 404 403 403 403  pk=event
events:check_in                302 200 403 403 200 404 403 403 403  pk=event
events:survey                  302 405 403 403 405 405 403 403 403  pk=event
events:revoke                  302 405 403 403 405 405 403 403 403  pk=event certificate_pk=certificate
events:speaker_add             302 405 403 403 405 405 403 403 403  pk=event
events:speaker_remove          302 405 403 403 405 405 403 403 403  pk=event speaker_pk=speaker
events:material_add            302 405 403 403 405 405 403 403 403  pk=event
events:material_remove         302 405 403 403 405 405 403 403 403  pk=event material_pk=material
news:list                      200 200 200 200 200 200 200 200 200
news:new                       302 200 403 403 403 403 403 403 403
news:detail                    200 200 200 200 200 200 200 200 200  pk=news
news:edit                      302 200 403 403 403 403 403 403 403  pk=news
measures:clauses               200 200 200 200 200 200 200 200 200
portal:mine                    302 403 403 200 200 403 403 403 200
measures:clause_new            302 200 403 403 403 403 403 403 403
measures:clause_check          302 405 403 403 403 403 403 403 403
measures:clause                200 200 200 200 200 200 200 200 200  code=clause
measures:clause_edit           302 200 403 403 403 403 403 403 403  code=clause
measures:clause_settings       302 405 403 403 403 403 403 403 403  code=clause
measures:entitled_export       302 200 403 403 403 403 403 403 403  code=clause
measures:entitled_notify       302 405 403 403 403 403 403 403 403  code=clause
measures:rulebook_export       302 200 403 403 403 403 403 403 403  code=rulebook
measures:rulebook_import       302 200 403 403 403 403 403 403 403  code=rulebook
measures:screenings            302 200 403 403 403 403 403 403 403
# No such object in the demo: the row checks that a missing one is a 404 (or the role check before it).
measures:screening             302 404 403 403 403 403 403 403 403  pk=screening
applications:list              302 200 200 200 200 200 200 200 200
applications:start             302 403 403 405 405 403 403 403 405
applications:publicity         200 200 200 200 200 200 200 200 200
applications:detail            302 200 404 200 404 404 404 404 404  pk=application
applications:step              302 405 405 405 405 405 405 405 405  pk=application
applications:statement         302 405 405 405 405 405 405 405 405  pk=application
applications:upload            302 405 405 405 405 405 405 405 405  pk=application
applications:assign            302 405 403 403 403 403 403 403 403  pk=application
applications:review            302 403 405 403 403 403 403 403 403  pk=application
applications:object            302 405 405 405 405 405 405 405 405  pk=application
# No such object in the demo: the row checks that a missing one is a 404 (or the role check before it).
applications:evidence          302 404 404 404 404 404 404 404 404  pk=evidence
applications:resolve           302 405 403 403 403 403 403 403 403  pk=objection
supply:catalogue               200 200 200 200 200 200 200 200 200
supply:offering_new            302 200 200 403 200 403 200 403 403
supply:offering                200 200 200 200 200 200 200 200 200  pk=offering
supply:offering_edit           302 200 404 403 404 403 200 403 403  pk=offering
supply:demands                 302 200 200 200 200 200 200 200 200
supply:demand_new              302 200 403 200 200 403 403 403 200
supply:demand                  302 200 404 200 404 404 404 404 404  pk=demand
supply:offer                   302 405 405 405 405 405 405 405 405  pk=demand
supply:step                    302 405 405 405 405 405 405 405 405  pk=demand
# No such object in the demo: the row checks that a missing one is a 404 (or the role check before it).
supply:attachment              302 404 404 404 404 404 404 404 404  pk=attachment
supply:expert_profile          302 403 200 403 403 403 403 403 403
standards:list                 200 200 200 200 200 200 200 200 200
standards:detail               200 200 200 200 200 200 200 200 200  pk=standard
standards:import               302 200 403 403 403 403 403 403 403
standards:check_new            302 200 200 200 200 200 200 200 200
standards:check                302 404 404 200 404 404 404 404 404  pk=check
standards:check_xlsx           302 404 404 200 404 404 404 404 404  pk=check
standards:check_file           302 404 404 404 404 404 404 404 404  pk=check
standards:declarations         200 200 200 200 200 200 200 200 200
standards:declaration_create   302 403 403 200 200 403 403 403 200
standards:declaration          200 200 200 200 200 200 200 200 200  pk=declaration
standards:declaration_edit     302 403 403 200 404 403 403 403 404  pk=declaration
standards:declaration_publish  302 403 403 405 405 403 403 403 405  pk=declaration
standards:declaration_flag     302 405 403 403 403 403 403 403 403  pk=declaration
standards:leaders              200 200 200 200 200 200 200 200 200
standards:scheme_new           302 200 403 403 403 403 403 403 403
standards:scheme               200 200 200 200 200 200 200 200 200  pk=scheme
standards:scheme_enter         302 403 403 200 200 403 403 403 200  pk=scheme
standards:scheme_rank          302 405 403 403 403 403 403 403 403  pk=scheme
standards:groups               200 200 200 200 200 200 200 200 200
standards:group_create         302 403 403 403 403 200 403 403 403
standards:group                200 200 200 200 200 200 200 200 200  pk=group
standards:group_adoption       302 200 403 403 403 200 403 403 403  pk=group
profiles:drafting              302 200 200 200 200 200 200 200 200
verification:queue             302 200 403 403 403 403 403 200 403
verification:decide            405 405 405 405 405 405 405 405 405  kind=verification_kind pk=drafting
dashboard:index                302 200 200 403 403 403 403 403 403
dashboard:report               302 200 200 403 403 403 403 403 403
dashboard:file                 302 200 404 200 404 404 404 404 404  pk=organisation
risks:index                    302 200 403 403 403 403 403 403 403
jobs:detail                    302 200 404 200 404 404 404 404 404  pk=job
notifications:inbox            302 200 200 200 200 200 200 200 200
notifications:open             302 405 405 405 405 405 405 405 405  pk=notification
notifications:read_all         302 405 405 405 405 405 405 405 405
notifications:preferences      302 200 200 200 200 200 200 200 200
""")

OPERATIONS = table("""
GET    /me                                               401 200 200 200 200 200 200 200 200
GET    /organisations                                    401 200 200 200 200 200 200 200 200
POST   /organisations                                    401 422 403 403 403 403 403 403 403
GET    /organisations/{organisation_id}                  401 200 200 200 200 200 200 200 200  organisation_id=organisation
PATCH  /organisations/{organisation_id}                  401 200 404 200 404 404 404 404 404  organisation_id=organisation
GET    /organisations/{organisation_id}/people           401 200 404 200 404 404 404 404 404  organisation_id=organisation
GET    /committee                                        200 200 200 200 200 200 200 200 200
GET    /committee/members                                200 200 200 200 200 200 200 200 200
GET    /committee/members/{member_id}                    200 200 200 200 200 200 200 200 200  member_id=member
GET    /bases                                            200 200 200 200 200 200 200 200 200
GET    /bases/{base_id}                                  200 200 200 200 200 200 200 200 200  base_id=base
GET    /bases/years/{year}                               200 200 200 200 200 200 200 200 200  year=year
GET    /bases/{base_id}/years                            200 200 200 200 200 200 200 200 200  base_id=base
GET    /bases/{base_id}/evaluations                      401 200 403 403 200 403 403 403 403  base_id=base
POST   /bases/{base_id}/evaluations                      401 422 403 403 403 403 403 403 403  base_id=base
POST   /bases/{base_id}/transitions                      401 200 403 403 403 403 403 403 403  base_id=base body={"action":"suspend","reason":"矩阵"}
GET    /bases/applications                               401 200 200 200 200 200 200 200 200
POST   /bases/applications                               401 403 403 409 409 403 403 403 201
GET    /bases/applications/{application_id}              401 200 404 200 404 404 404 404 404  application_id=base_application
POST   /bases/applications/{application_id}/transitions  401 200 404 403 404 404 404 404 404  application_id=base_application body={"action":"start_review"}
POST   /bases/batches                                    401 201 403 403 403 403 403 403 403
GET    /policies                                         200 200 200 200 200 200 200 200 200
GET    /policies/{policy_id}                             200 200 200 200 200 200 200 200 200  policy_id=policy
GET    /events                                           200 200 200 200 200 200 200 200 200
POST   /events                                           401 422 403 403 422 422 403 403 403
GET    /events/{event_id}                                200 200 200 200 200 200 200 200 200  event_id=event
PATCH  /events/{event_id}                                401 200 403 403 200 404 403 403 403  event_id=event
POST   /events/{event_id}/registrations                  401 422 422 422 422 422 422 422 422  event_id=event
GET    /events/{event_id}/registrations                  401 200 403 403 200 404 403 403 403  event_id=event
POST   /events/{event_id}/check-in                       401 422 403 403 422 404 403 403 403  event_id=event
POST   /events/{event_id}/attendance                     401 409 403 403 409 404 403 403 403  event_id=event
POST   /events/{event_id}/speakers                       401 422 403 403 422 404 403 403 403  event_id=event
POST   /events/{event_id}/materials                      401 422 403 403 422 404 403 403 403  event_id=event
POST   /events/{event_id}/survey                         401 409 403 403 409 404 403 403 403  event_id=event
GET    /events/{event_id}/figures                        401 200 403 403 200 404 403 403 403  event_id=event
GET    /events/figures/hosts                             401 200 403 403 403 403 403 403 403
GET    /events/registrations                             401 200 200 200 200 200 200 200 200
GET    /events/registrations/{registration_id}           401 200 404 200 200 404 404 404 404  registration_id=registration
POST   /events/registrations/{registration_id}/cancel    401 409 404 409 409 404 404 404 404  registration_id=registration
POST   /events/registrations/{registration_id}/feedback  401 404 404 409 404 404 404 404 404  registration_id=registration
POST   /events/certificates/{code}/revoke                401 200 403 403 200 404 403 403 403  code=certificate_code
GET    /events/certificates/{code}                       200 200 200 200 200 200 200 200 200  code=certificate_code
GET    /news                                             200 200 200 200 200 200 200 200 200
POST   /news                                             401 201 403 403 403 403 403 403 403
GET    /news/{news_id}                                   200 200 200 200 200 200 200 200 200  news_id=news
PUT    /news/{news_id}                                   401 200 403 403 403 403 403 403 403  news_id=news
GET    /measures/clauses                                 200 200 200 200 200 200 200 200 200
GET    /measures/clauses/{code}                          200 200 200 200 200 200 200 200 200  code=clause
GET    /measures/entitlements                            401 200 404 200 404 404 404 404 404  query=organisation={organisation}
POST   /measures/check                                   401 200 403 403 403 403 403 403 403
POST   /measures/clauses/{code}/versions                 401 422 403 403 403 403 403 403 403  code=clause
GET    /applications                                     401 200 200 200 200 200 200 200 200
POST   /applications                                     401 409 403 422 409 403 403 403 409  body={"clause":"FX23-STD-NAT-2"}
GET    /applications/{application_id}                    401 200 404 200 404 404 404 404 404  application_id=application
POST   /applications/{application_id}/transitions        401 409 404 409 404 404 404 404 404  application_id=application body={"action":"submit"}
PUT    /applications/{application_id}/statement          401 200 404 200 404 404 404 404 404  application_id=application
POST   /applications/{application_id}/evidence           401 422 404 422 404 404 404 404 404  application_id=application
POST   /applications/{application_id}/reviewers          401 409 404 403 404 404 404 404 404  application_id=application
POST   /applications/{application_id}/review             401 403 404 403 404 404 404 404 404  application_id=application
GET    /supply/offerings                                 200 200 200 200 200 200 200 200 200
POST   /supply/offerings                                 401 422 422 403 422 403 422 403 403
GET    /supply/offerings/{offering_id}                   200 200 200 200 200 200 200 200 200  offering_id=offering
PATCH  /supply/offerings/{offering_id}                   401 422 404 404 404 404 422 404 404  offering_id=offering
GET    /supply/demands                                   401 200 200 200 200 200 200 200 200
POST   /supply/demands                                   401 422 403 422 422 403 403 403 422
GET    /supply/demands/{demand_id}                       401 200 404 200 404 404 404 404 404  demand_id=demand
GET    /supply/demands/{demand_id}/candidates            401 200 404 200 404 404 404 404 404  demand_id=demand
POST   /supply/demands/{demand_id}/offers                401 422 404 422 404 404 404 404 404  demand_id=demand
POST   /supply/demands/{demand_id}/transitions           401 200 404 200 404 404 404 404 404  demand_id=demand body={"action":"cancel","reason":"矩阵"}
GET    /standards                                        200 200 200 200 200 200 200 200 200
GET    /standards/{standard_id}                          200 200 200 200 200 200 200 200 200  standard_id=standard
POST   /standards/check                                  401 422 422 422 422 422 422 422 422
GET    /standards/checks/{check_id}                      401 404 404 200 404 404 404 404 404  check_id=check
GET    /standards/declarations                           200 200 200 200 200 200 200 200 200
GET    /standards/leaders                                200 200 200 200 200 200 200 200 200  query=year={year}
GET    /standards/group-standards                        200 200 200 200 200 200 200 200 200
GET    /dashboard/figures                                401 200 200 403 403 403 403 403 403
GET    /dashboard/indicators/{code}                      401 200 200 403 403 403 403 403 403  code=indicator
GET    /verifications                                    401 200 403 403 403 403 403 200 403
POST   /verifications/{kind}/{record_id}/verify          401 409 403 403 403 403 403 403 403  kind=verification_kind record_id=drafting
POST   /verifications/{kind}/{record_id}/reject          401 200 403 403 403 403 403 403 403  kind=verification_kind record_id=drafting body={"note":"矩阵"}
GET    /risks                                            401 200 403 403 403 403 403 403 403
""")
# fmt: on
