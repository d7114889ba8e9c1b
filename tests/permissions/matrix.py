"""The permission matrix: every page and every API operation, with the status each role gets.

Each row names a URL (by its name in the resolver) or an operation (method and path in the
OpenAPI document), the world objects its parameters take (tests/permissions/world.py), and the
expected statuses in the order of `ROLES`:

    anonymous admin expert enterprise base chamber provider department other

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

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One URL name or operation, the parameters it takes from the world, and the statuses."""

    key: str
    expected: str
    params: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    path: str = ""
    #: Query string (its values formatted with the world's objects) and a JSON body for a
    #: write whose plainest body would stop at validation before the permission check.
    query: str = ""
    body: dict | None = None


def page(name: str, expected: str, **params: str) -> Row:
    return Row(key=name, expected=expected, params=params)


def operation(
    method: str,
    path: str,
    expected: str,
    *,
    query: str = "",
    body: dict | None = None,
    **params: str,
) -> Row:
    return Row(
        key=f"{method} {path}",
        expected=expected,
        params=params,
        method=method,
        path=path,
        query=query,
        body=body,
    )


PAGES = [
    page("core:healthz", "200 200 200 200 200 200 200 200 200"),
    page("portal:home", "200 200 200 200 200 200 200 200 200"),
    page("portal:workbench", "302 200 200 200 200 200 200 200 200"),
    page("accounts:login", "200 302 302 302 302 302 302 302 302"),
    page("accounts:logout", "405 405 405 405 405 405 405 405 405"),
    page("accounts:tokens", "302 200 200 200 200 200 200 200 200"),
    page("accounts:token_revoke", "302 405 405 405 405 405 405 405 405", pk="token"),
    page("directory:organisations", "302 200 200 200 200 200 200 200 200"),
    page("directory:organisation_create", "302 200 403 403 403 403 403 403 403"),
    page("directory:organisation_import", "302 200 403 403 403 403 403 403 403"),
    page("directory:organisation", "302 200 200 200 200 200 200 200 200", pk="organisation"),
    page("directory:organisation_edit", "302 200 404 200 404 404 404 404 404", pk="organisation"),
    page(
        "directory:person_create",
        "302 200 404 200 404 404 404 404 404",
        organisation_pk="organisation",
    ),
    page("directory:person_edit", "302 200 404 200 404 404 404 404 404", pk="person"),
    page("committee:index", "200 200 200 200 200 200 200 200 200"),
    page("committee:member", "200 200 200 200 200 200 200 200 200", pk="member"),
    page("bases:list", "200 200 200 200 200 200 200 200 200"),
    page("bases:year", "200 200 200 200 200 200 200 200 200", year="year"),
    page("bases:nominations", "302 200 200 200 200 200 200 200 200"),
    page("bases:nomination_create", "302 403 403 200 200 403 403 403 200"),
    page("bases:nomination", "302 200 404 200 404 404 404 404 404", pk="base_application"),
    page("bases:nomination_step", "302 405 405 405 405 405 405 405 405", pk="base_application"),
    page("bases:batch_create", "302 200 403 403 403 403 403 403 403"),
    page("bases:detail", "200 200 200 200 200 200 200 200 200", pk="base"),
    page("bases:status", "302 405 403 403 403 403 403 403 403", pk="base"),
    page("bases:evaluate", "302 405 403 403 403 403 403 403 403", pk="base"),
    page("bases:capability_create", "302 200 404 404 200 404 404 404 404", pk="base"),
    page(
        "bases:capability_delete",
        "302 405 405 405 405 405 405 405 405",
        pk="base",
        capability_pk="capability",
    ),
    page("policies:list", "200 200 200 200 200 200 200 200 200"),
    page("policies:detail", "200 200 200 200 200 200 200 200 200", pk="policy"),
    page("events:list", "200 200 200 200 200 200 200 200 200"),
    page("events:create", "302 200 403 403 200 200 403 403 403"),
    page("events:calendar", "200 200 200 200 200 200 200 200 200"),
    page("events:calendars", "302 200 200 200 200 200 200 200 200"),
    page("events:personal_calendar", "200 200 200 200 200 200 200 200 200", token="calendar_token"),
    page("events:satisfaction", "302 200 403 403 403 403 403 403 403"),
    page("events:registrations", "302 200 200 200 200 200 200 200 200"),
    page("events:cancel", "302 405 405 405 405 405 405 405 405", pk="registration"),
    page("events:ticket", "200 200 200 200 200 200 200 200 200", token="ticket"),
    page("events:certificate", "200 200 200 200 200 200 200 200 200", token="ticket"),
    page("events:feedback", "302 302 302 302 302 302 302 302 302", token="ticket"),
    page("events:verify", "200 200 200 200 200 200 200 200 200", code="certificate_code"),
    # No such object in the demo: the row checks only that a missing one is a 404 (or the
    # role check before it).
    page("events:material", "404 404 404 404 404 404 404 404 404", pk="material"),
    page("events:detail", "200 200 200 200 200 200 200 200 200", pk="event"),
    page("events:edit", "302 200 403 403 200 404 403 403 403", pk="event"),
    page("events:register", "302 200 200 200 200 200 200 200 200", pk="event"),
    page("events:manage", "302 200 403 403 200 404 403 403 403", pk="event"),
    page("events:attendance_sheet", "302 200 403 403 200 404 403 403 403", pk="event"),
    page("events:attendance_import", "302 200 403 403 200 404 403 403 403", pk="event"),
    page("events:check_in", "302 200 403 403 200 404 403 403 403", pk="event"),
    page("events:survey", "302 405 403 403 405 405 403 403 403", pk="event"),
    page(
        "events:revoke",
        "302 405 403 403 405 405 403 403 403",
        pk="event",
        certificate_pk="certificate",
    ),
    page("events:speaker_add", "302 405 403 403 405 405 403 403 403", pk="event"),
    page(
        "events:speaker_remove",
        "302 405 403 403 405 405 403 403 403",
        pk="event",
        speaker_pk="speaker",
    ),
    page("events:material_add", "302 405 403 403 405 405 403 403 403", pk="event"),
    page(
        "events:material_remove",
        "302 405 403 403 405 405 403 403 403",
        pk="event",
        material_pk="material",
    ),
    page("news:list", "200 200 200 200 200 200 200 200 200"),
    page("news:new", "302 200 403 403 403 403 403 403 403"),
    page("news:detail", "200 200 200 200 200 200 200 200 200", pk="news"),
    page("news:edit", "302 200 403 403 403 403 403 403 403", pk="news"),
    page("measures:clauses", "200 200 200 200 200 200 200 200 200"),
    page("portal:mine", "302 403 403 200 200 403 403 403 200"),
    page("measures:clause_new", "302 200 403 403 403 403 403 403 403"),
    page("measures:clause_check", "302 405 403 403 403 403 403 403 403"),
    page("measures:clause", "200 200 200 200 200 200 200 200 200", code="clause"),
    page("measures:clause_edit", "302 200 403 403 403 403 403 403 403", code="clause"),
    page("measures:clause_settings", "302 405 403 403 403 403 403 403 403", code="clause"),
    page("measures:entitled_export", "302 200 403 403 403 403 403 403 403", code="clause"),
    page("measures:entitled_notify", "302 405 403 403 403 403 403 403 403", code="clause"),
    page("measures:rulebook_export", "302 200 403 403 403 403 403 403 403", code="rulebook"),
    page("measures:rulebook_import", "302 200 403 403 403 403 403 403 403", code="rulebook"),
    page("measures:screenings", "302 200 403 403 403 403 403 403 403"),
    # No such object in the demo: the row checks only that a missing one is a 404 (or the
    # role check before it).
    page("measures:screening", "302 404 403 403 403 403 403 403 403", pk="screening"),
    page("applications:list", "302 200 200 200 200 200 200 200 200"),
    page("applications:start", "302 403 403 405 405 403 403 403 405"),
    page("applications:publicity", "200 200 200 200 200 200 200 200 200"),
    page("applications:detail", "302 200 404 200 404 404 404 404 404", pk="application"),
    page("applications:step", "302 405 405 405 405 405 405 405 405", pk="application"),
    page("applications:statement", "302 405 405 405 405 405 405 405 405", pk="application"),
    page("applications:upload", "302 405 405 405 405 405 405 405 405", pk="application"),
    page("applications:assign", "302 405 403 403 403 403 403 403 403", pk="application"),
    page("applications:review", "302 403 405 403 403 403 403 403 403", pk="application"),
    page("applications:object", "302 405 405 405 405 405 405 405 405", pk="application"),
    # The demo's first evidence file: an application of another enterprise, which the demo
    # expert reviewed; staff and that reviewer see it, everyone else gets a 404.
    page("applications:evidence", "302 200 200 404 404 404 404 404 404", pk="evidence"),
    page("applications:resolve", "302 405 403 403 403 403 403 403 403", pk="objection"),
    page("supply:catalogue", "200 200 200 200 200 200 200 200 200"),
    page("supply:offering_new", "302 200 200 403 200 403 200 403 403"),
    page("supply:offering", "200 200 200 200 200 200 200 200 200", pk="offering"),
    page("supply:offering_edit", "302 200 404 403 404 403 200 403 403", pk="offering"),
    page("supply:demands", "302 200 200 200 200 200 200 200 200"),
    page("supply:demand_new", "302 200 403 200 200 403 403 403 200"),
    page("supply:demand", "302 200 404 200 404 404 404 404 404", pk="demand"),
    page("supply:offer", "302 405 405 405 405 405 405 405 405", pk="demand"),
    page("supply:step", "302 405 405 405 405 405 405 405 405", pk="demand"),
    # No such object in the demo: the row checks only that a missing one is a 404 (or the
    # role check before it).
    page("supply:attachment", "302 404 404 404 404 404 404 404 404", pk="attachment"),
    page("supply:expert_profile", "302 403 200 403 403 403 403 403 403"),
    page("standards:list", "200 200 200 200 200 200 200 200 200"),
    page("standards:detail", "200 200 200 200 200 200 200 200 200", pk="standard"),
    page("standards:import", "302 200 403 403 403 403 403 403 403"),
    page("standards:check_new", "302 200 200 200 200 200 200 200 200"),
    page("standards:check", "302 404 404 200 404 404 404 404 404", pk="check"),
    page("standards:check_xlsx", "302 404 404 200 404 404 404 404 404", pk="check"),
    page("standards:check_file", "302 404 404 404 404 404 404 404 404", pk="check"),
    page("standards:declarations", "200 200 200 200 200 200 200 200 200"),
    page("standards:declaration_create", "302 403 403 200 200 403 403 403 200"),
    page("standards:declaration", "200 200 200 200 200 200 200 200 200", pk="declaration"),
    page("standards:declaration_edit", "302 403 403 200 404 403 403 403 404", pk="declaration"),
    page("standards:declaration_publish", "302 403 403 405 405 403 403 403 405", pk="declaration"),
    page("standards:declaration_flag", "302 405 403 403 403 403 403 403 403", pk="declaration"),
    page("standards:leaders", "200 200 200 200 200 200 200 200 200"),
    page("standards:scheme_new", "302 200 403 403 403 403 403 403 403"),
    page("standards:scheme", "200 200 200 200 200 200 200 200 200", pk="scheme"),
    page("standards:scheme_enter", "302 403 403 200 200 403 403 403 200", pk="scheme"),
    page("standards:scheme_rank", "302 405 403 403 403 403 403 403 403", pk="scheme"),
    page("standards:groups", "200 200 200 200 200 200 200 200 200"),
    page("standards:group_create", "302 403 403 403 403 200 403 403 403"),
    page("standards:group", "200 200 200 200 200 200 200 200 200", pk="group"),
    page("standards:group_adoption", "302 200 403 403 403 200 403 403 403", pk="group"),
    page("profiles:drafting", "302 200 200 200 200 200 200 200 200"),
    page("verification:queue", "302 200 403 403 403 403 403 200 403"),
    page(
        "verification:decide",
        "405 405 405 405 405 405 405 405 405",
        kind="verification_kind",
        pk="drafting",
    ),
    page("dashboard:index", "302 200 200 403 403 403 403 403 403"),
    page("dashboard:report", "302 200 200 403 403 403 403 403 403"),
    page("dashboard:file", "302 200 404 200 404 404 404 404 404", pk="organisation"),
    page("risks:index", "302 200 403 403 403 403 403 403 403"),
    page("jobs:detail", "302 200 404 200 404 404 404 404 404", pk="job"),
    page("notifications:inbox", "302 200 200 200 200 200 200 200 200"),
    page("notifications:open", "302 405 405 405 405 405 405 405 405", pk="notification"),
    page("notifications:read_all", "302 405 405 405 405 405 405 405 405"),
    page("notifications:preferences", "302 200 200 200 200 200 200 200 200"),
]


OPERATIONS = [
    operation("GET", "/api/v1/me", "401 200 200 200 200 200 200 200 200"),
    operation("GET", "/api/v1/organisations", "401 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/organisations", "401 422 403 403 403 403 403 403 403"),
    operation(
        "GET",
        "/api/v1/organisations/{organisation_id}",
        "401 200 200 200 200 200 200 200 200",
        organisation_id="organisation",
    ),
    operation(
        "PATCH",
        "/api/v1/organisations/{organisation_id}",
        "401 200 404 200 404 404 404 404 404",
        organisation_id="organisation",
    ),
    operation(
        "GET",
        "/api/v1/organisations/{organisation_id}/people",
        "401 200 404 200 404 404 404 404 404",
        organisation_id="organisation",
    ),
    operation("GET", "/api/v1/committee", "200 200 200 200 200 200 200 200 200"),
    operation("GET", "/api/v1/committee/members", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/committee/members/{member_id}",
        "200 200 200 200 200 200 200 200 200",
        member_id="member",
    ),
    operation("GET", "/api/v1/bases", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET", "/api/v1/bases/{base_id}", "200 200 200 200 200 200 200 200 200", base_id="base"
    ),
    operation(
        "GET", "/api/v1/bases/years/{year}", "200 200 200 200 200 200 200 200 200", year="year"
    ),
    operation(
        "GET",
        "/api/v1/bases/{base_id}/years",
        "200 200 200 200 200 200 200 200 200",
        base_id="base",
    ),
    operation(
        "GET",
        "/api/v1/bases/{base_id}/evaluations",
        "401 200 403 403 200 403 403 403 403",
        base_id="base",
    ),
    operation(
        "POST",
        "/api/v1/bases/{base_id}/evaluations",
        "401 422 403 403 403 403 403 403 403",
        base_id="base",
    ),
    operation(
        "POST",
        "/api/v1/bases/{base_id}/transitions",
        "401 200 403 403 403 403 403 403 403",
        body={"action": "suspend", "reason": "矩阵"},
        base_id="base",
    ),
    operation("GET", "/api/v1/bases/applications", "401 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/bases/applications", "401 403 403 409 409 403 403 403 201"),
    operation(
        "GET",
        "/api/v1/bases/applications/{application_id}",
        "401 200 404 200 404 404 404 404 404",
        application_id="base_application",
    ),
    operation(
        "POST",
        "/api/v1/bases/applications/{application_id}/transitions",
        "401 200 404 403 404 404 404 404 404",
        body={"action": "start_review"},
        application_id="base_application",
    ),
    operation("POST", "/api/v1/bases/batches", "401 201 403 403 403 403 403 403 403"),
    operation("GET", "/api/v1/policies", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/policies/{policy_id}",
        "200 200 200 200 200 200 200 200 200",
        policy_id="policy",
    ),
    operation("GET", "/api/v1/events", "200 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/events", "401 422 403 403 422 422 403 403 403"),
    operation(
        "GET", "/api/v1/events/{event_id}", "200 200 200 200 200 200 200 200 200", event_id="event"
    ),
    operation(
        "PATCH",
        "/api/v1/events/{event_id}",
        "401 200 403 403 200 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/registrations",
        "401 422 422 422 422 422 422 422 422",
        event_id="event",
    ),
    operation(
        "GET",
        "/api/v1/events/{event_id}/registrations",
        "401 200 403 403 200 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/check-in",
        "401 422 403 403 422 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/attendance",
        "401 409 403 403 409 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/speakers",
        "401 422 403 403 422 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/materials",
        "401 422 403 403 422 404 403 403 403",
        event_id="event",
    ),
    operation(
        "POST",
        "/api/v1/events/{event_id}/survey",
        "401 409 403 403 409 404 403 403 403",
        event_id="event",
    ),
    operation(
        "GET",
        "/api/v1/events/{event_id}/figures",
        "401 200 403 403 200 404 403 403 403",
        event_id="event",
    ),
    operation("GET", "/api/v1/events/figures/hosts", "401 200 403 403 403 403 403 403 403"),
    operation("GET", "/api/v1/events/registrations", "401 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/events/registrations/{registration_id}",
        "401 200 404 200 200 404 404 404 404",
        registration_id="registration",
    ),
    operation(
        "POST",
        "/api/v1/events/registrations/{registration_id}/cancel",
        "401 409 404 409 409 404 404 404 404",
        registration_id="registration",
    ),
    operation(
        "POST",
        "/api/v1/events/registrations/{registration_id}/feedback",
        "401 404 404 409 404 404 404 404 404",
        registration_id="registration",
    ),
    operation(
        "POST",
        "/api/v1/events/certificates/{code}/revoke",
        "401 200 403 403 200 404 403 403 403",
        code="certificate_code",
    ),
    operation(
        "GET",
        "/api/v1/events/certificates/{code}",
        "200 200 200 200 200 200 200 200 200",
        code="certificate_code",
    ),
    operation("GET", "/api/v1/news", "200 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/news", "401 201 403 403 403 403 403 403 403"),
    operation(
        "GET", "/api/v1/news/{news_id}", "200 200 200 200 200 200 200 200 200", news_id="news"
    ),
    operation(
        "PUT", "/api/v1/news/{news_id}", "401 200 403 403 403 403 403 403 403", news_id="news"
    ),
    operation("GET", "/api/v1/measures/clauses", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/measures/clauses/{code}",
        "200 200 200 200 200 200 200 200 200",
        code="clause",
    ),
    operation(
        "GET",
        "/api/v1/measures/entitlements",
        "401 200 404 200 404 404 404 404 404",
        query="organisation={organisation}",
    ),
    operation("POST", "/api/v1/measures/check", "401 200 403 403 403 403 403 403 403"),
    operation(
        "POST",
        "/api/v1/measures/clauses/{code}/versions",
        "401 422 403 403 403 403 403 403 403",
        code="clause",
    ),
    operation("GET", "/api/v1/applications", "401 200 200 200 200 200 200 200 200"),
    operation(
        "POST",
        "/api/v1/applications",
        "401 409 403 422 409 403 403 403 409",
        body={"clause": "FX23-STD-NAT-2"},
    ),
    operation(
        "GET",
        "/api/v1/applications/{application_id}",
        "401 200 404 200 404 404 404 404 404",
        application_id="application",
    ),
    operation(
        "POST",
        "/api/v1/applications/{application_id}/transitions",
        "401 409 404 409 404 404 404 404 404",
        body={"action": "submit"},
        application_id="application",
    ),
    operation(
        "PUT",
        "/api/v1/applications/{application_id}/statement",
        "401 200 404 200 404 404 404 404 404",
        application_id="application",
    ),
    operation(
        "POST",
        "/api/v1/applications/{application_id}/evidence",
        "401 422 404 422 404 404 404 404 404",
        application_id="application",
    ),
    operation(
        "POST",
        "/api/v1/applications/{application_id}/reviewers",
        "401 409 404 403 404 404 404 404 404",
        application_id="application",
    ),
    operation(
        "POST",
        "/api/v1/applications/{application_id}/review",
        "401 403 404 403 404 404 404 404 404",
        application_id="application",
    ),
    operation("GET", "/api/v1/supply/offerings", "200 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/supply/offerings", "401 422 422 403 422 403 422 403 403"),
    operation(
        "GET",
        "/api/v1/supply/offerings/{offering_id}",
        "200 200 200 200 200 200 200 200 200",
        offering_id="offering",
    ),
    operation(
        "PATCH",
        "/api/v1/supply/offerings/{offering_id}",
        "401 422 404 404 404 404 422 404 404",
        offering_id="offering",
    ),
    operation("GET", "/api/v1/supply/demands", "401 200 200 200 200 200 200 200 200"),
    operation("POST", "/api/v1/supply/demands", "401 422 403 422 422 403 403 403 422"),
    operation(
        "GET",
        "/api/v1/supply/demands/{demand_id}",
        "401 200 404 200 404 404 404 404 404",
        demand_id="demand",
    ),
    operation(
        "GET",
        "/api/v1/supply/demands/{demand_id}/candidates",
        "401 200 404 200 404 404 404 404 404",
        demand_id="demand",
    ),
    operation(
        "POST",
        "/api/v1/supply/demands/{demand_id}/offers",
        "401 422 404 422 404 404 404 404 404",
        demand_id="demand",
    ),
    operation(
        "POST",
        "/api/v1/supply/demands/{demand_id}/transitions",
        "401 200 404 200 404 404 404 404 404",
        body={"action": "cancel", "reason": "矩阵"},
        demand_id="demand",
    ),
    operation("GET", "/api/v1/standards", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/standards/{standard_id}",
        "200 200 200 200 200 200 200 200 200",
        standard_id="standard",
    ),
    operation("POST", "/api/v1/standards/check", "401 422 422 422 422 422 422 422 422"),
    operation(
        "GET",
        "/api/v1/standards/checks/{check_id}",
        "401 404 404 200 404 404 404 404 404",
        check_id="check",
    ),
    operation("GET", "/api/v1/standards/declarations", "200 200 200 200 200 200 200 200 200"),
    operation(
        "GET",
        "/api/v1/standards/leaders",
        "200 200 200 200 200 200 200 200 200",
        query="year={year}",
    ),
    operation("GET", "/api/v1/standards/group-standards", "200 200 200 200 200 200 200 200 200"),
    operation("GET", "/api/v1/dashboard/figures", "401 200 200 403 403 403 403 403 403"),
    operation(
        "GET",
        "/api/v1/dashboard/indicators/{code}",
        "401 200 200 403 403 403 403 403 403",
        code="indicator",
    ),
    operation("GET", "/api/v1/verifications", "401 200 403 403 403 403 403 200 403"),
    operation(
        "POST",
        "/api/v1/verifications/{kind}/{record_id}/verify",
        "401 409 403 403 403 403 403 403 403",
        kind="verification_kind",
        record_id="drafting",
    ),
    operation(
        "POST",
        "/api/v1/verifications/{kind}/{record_id}/reject",
        "401 200 403 403 403 403 403 403 403",
        body={"note": "矩阵"},
        kind="verification_kind",
        record_id="drafting",
    ),
    operation("GET", "/api/v1/risks", "401 200 403 403 403 403 403 403 403"),
]
