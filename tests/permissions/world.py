"""The world the permission matrix runs in: the demo story, a few objects it lacks, one client
per role, and a request body for every API write.

Built once per module (loading the demo takes seconds and the matrix makes about two thousand
requests); every request then runs in a savepoint that is rolled back, so a write that succeeds
changes nothing the next request sees.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_organisation, make_user

#: The columns of the matrix, in the order the expected statuses are written.
ROLES = (
    "anonymous",
    "admin",
    "expert",
    "enterprise",
    "base",
    "chamber",
    "provider",
    "department",
    "other",
)

#: The demo accounts behind the roles; "other" is an enterprise user of another enterprise.
DEMO_USERNAMES = ("admin", "expert", "enterprise", "base", "chamber", "provider", "department")

#: What a row's URL or path parameter may name when no object of its kind is in the world: an
#: id no object has, so the row still runs (and its statuses say what a missing object gives).
MISSING = 999999


@dataclass
class World:
    """The objects rows build their URLs from (by key) and the clients that request them."""

    objects: dict[str, object] = field(default_factory=dict)
    pages: dict[str, Client] = field(default_factory=dict)
    api: dict[str, Client] = field(default_factory=dict)


def _pk(queryset) -> int:
    obj = queryset.order_by("pk").first()
    return obj.pk if obj is not None else MISSING


def _quietly(build):
    """The pk of what `build` makes, or MISSING if the platform refuses to make it here: the
    rows then show what a missing object gives rather than the setup failing the module."""
    try:
        with transaction.atomic():
            return build().pk
    except Exception:
        return MISSING


def build_world() -> World:
    """Objects by natural key from the demo, plus those the demo does not hold, owned by the
    demo enterprise so that "another organisation's user" has something to be refused."""
    from zhibiao.accounts.models import Role, User
    from zhibiao.accounts.services import create_token
    from zhibiao.applications import services as applications
    from zhibiao.applications.models import Evidence, Objection
    from zhibiao.awards.models import Cycle as AwardCycle
    from zhibiao.awards.models import Entry as AwardEntry
    from zhibiao.awards.models import Objection as AwardObjection
    from zhibiao.bases import services as bases
    from zhibiao.bases.models import Capability, TrainingBase
    from zhibiao.committee.models import CommitteeMember
    from zhibiao.dashboard import indicators
    from zhibiao.directory.models import Person
    from zhibiao.events.models import (
        CalendarFeed,
        Certificate,
        Event,
        Material,
        Registration,
        Speaker,
    )
    from zhibiao.jobs.models import Job
    from zhibiao.measures.models import Clause, RuleBook, Screening
    from zhibiao.news.models import NewsItem
    from zhibiao.notifications.models import Notification
    from zhibiao.policies.models import PolicyDocument
    from zhibiao.profiles.models import StandardDrafting
    from zhibiao.standards import services as standards
    from zhibiao.standards.models import (
        Declaration,
        GroupStandard,
        LeaderScheme,
        Standard,
        StatusChange,
    )
    from zhibiao.supply.models import Attachment, Demand, Offering
    from zhibiao.whatif import services as whatif

    users = {name: User.objects.get(username=name) for name in DEMO_USERNAMES}
    rival = make_organisation(name="上海另一家精密机械有限公司", town="jinhui")
    users["other"] = make_user(Role.ENTERPRISE, rival, username="matrix-other")
    enterprise = users["enterprise"]
    own = enterprise.organisation
    base = TrainingBase.objects.get(organisation__name="上海晨光文具股份有限公司")
    course = Event.objects.get(title="企业标准领跑者：从对标到领跑（演示课程）")
    registration = Registration.objects.filter(registered_by=enterprise).order_by("pk").first()
    certificate = Certificate.objects.filter(registration=registration).first()
    feed, _created = CalendarFeed.objects.get_or_create(user=enterprise)

    application = MISSING
    for clause in Clause.objects.order_by("pk"):
        for project in applications.projects_open(own, clause) or [""]:
            application = _quietly(
                lambda clause=clause, project=project: applications.start_application(
                    enterprise, own, clause, project=project
                )
            )
            if application != MISSING:
                break
        if application != MISSING:
            break
    check = _quietly(lambda: standards.start_check(enterprise, text="GB/T 19001-2016"))
    base_application = _quietly(
        lambda: bases.nominate(enterprise, {"statement": "矩阵测试", "offer": "矩阵测试课程"})
    )
    token, _key = create_token(enterprise, name="matrix")
    scenario = _quietly(
        lambda: whatif.start_scenario(users["admin"], RuleBook.objects.get(), title="矩阵")
    )
    job = Job.objects.create(task="matrix", title="matrix", created_by=enterprise)
    notification = Notification.objects.filter(recipient=enterprise).order_by("pk").first()
    status_change = _quietly(
        lambda: StatusChange.objects.create(
            standard=Standard.objects.order_by("pk").first(),
            to_status="superseded",
            effective_on=timezone.localdate(),
            cause="edit",
        )
    )

    objects = {
        "organisation": own.pk,
        "person": _pk(Person.objects.filter(organisation=own)),
        "member": CommitteeMember.objects.get(user=users["expert"]).pk,
        "base": base.pk,
        "year": timezone.localdate().year,
        "evaluated_year": timezone.localdate().year - 1,  # the demo evaluates the base's last year
        "base_application": base_application,
        "capability": _pk(Capability.objects.filter(base=base)),
        "policy": _pk(PolicyDocument.objects.all()),
        "event": course.pk,
        "speaker": _pk(Speaker.objects.filter(event=course)),
        "material": _pk(Material.objects.all()),
        "registration": registration.pk,
        "ticket": registration.token,
        "certificate": certificate.pk if certificate else MISSING,
        "certificate_code": certificate.code if certificate else "missing",
        "calendar_token": feed.token,
        "news": _pk(NewsItem.objects.all()),
        "clause": Clause.objects.order_by("pk").first().code,
        "indicator": next(iter(indicators.by_code())),
        "rulebook": RuleBook.objects.get().code,
        "screening": _pk(Screening.objects.all()),
        "application": application,
        "evidence": _pk(Evidence.objects.all()),
        "objection": _pk(Objection.objects.all()),
        "offering": _pk(Offering.objects.filter(organisation=users["provider"].organisation)),
        "demand": _pk(Demand.objects.filter(enterprise=own)),
        "attachment": _pk(Attachment.objects.all()),
        "standard": _pk(Standard.objects.all()),
        "check": check,
        "status_change": status_change,
        "declaration": _pk(Declaration.objects.filter(enterprise=own)),
        "scheme": _pk(LeaderScheme.objects.all()),
        "group": _pk(GroupStandard.objects.all()),
        "verification_kind": "standard_drafting",
        "drafting": _pk(StandardDrafting.objects.filter(organisation=own)),
        "job": job.pk,
        "notification": notification.pk if notification else MISSING,
        "token": token.pk,
        "rival": rival.pk,
        "scenario": scenario,
        "award_cycle": _pk(AwardCycle.objects.all()),
        "award_entry": _pk(AwardEntry.objects.filter(organisation=own)),
        "award_winner": _pk(AwardEntry.objects.filter(status="awarded")),
        "award_objection": _pk(AwardObjection.objects.all()),
        "award_item": "4.1.2",
    }
    world = World(objects=objects)
    world.pages = {"anonymous": Client()} | {name: client_for(u) for name, u in users.items()}
    world.api = {"anonymous": Client()} | {name: token_client(u) for name, u in users.items()}
    for client in (*world.pages.values(), *world.api.values()):
        # A server error is a status to report by row and role, not an exception that hides
        # the other roles' statuses.
        client.raise_request_exception = False
    return world


def rolled_back(send):
    """Send a request inside a savepoint that is then rolled back: writes leave no trace."""
    with transaction.atomic():
        response = send()
        transaction.set_rollback(True)
    return response


# --- request bodies for the API's writes ------------------------------------------------------


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        schema = _resolve(options[0], components) if options else {}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        schema = _resolve(schema["allOf"][0], components)
    return schema


def sample(schema: dict, components: dict):
    """The plainest value the schema accepts: required properties only, so that the request
    passes the API's type checks and reaches the permission check behind them."""
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: sample(properties[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "binary":
        return SimpleUploadedFile("matrix.txt", b"matrix", content_type="text/plain")
    if schema.get("format") == "date":
        return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    if schema.get("format") == "date-time":
        return (timezone.now() + datetime.timedelta(days=30)).isoformat()
    return "矩阵"


def send_operation(
    client: Client,
    method: str,
    path: str,
    operation: dict,
    components: dict,
    body: dict | None = None,
):
    """One request for an operation: GET as is, a write with the given body or else the
    plainest one its schema accepts."""
    if method == "get":
        return client.get(path)
    if body is not None:
        return getattr(client, method)(path, body, content_type="application/json")
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        data = sample(content["multipart/form-data"]["schema"], components)
        with contextlib.suppress(AttributeError):
            data = {k: v for k, v in data.items() if v is not None}
        return client.generic(method.upper(), path, **_multipart(client, data))
    body = sample(content["application/json"]["schema"], components) if content else None
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def _multipart(client: Client, data: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):  # a form schema nested under its parameter name
            flat.update(value)
        else:
            flat[key] = value
    return {"data": encode_multipart(BOUNDARY, flat), "content_type": MULTIPART_CONTENT}
