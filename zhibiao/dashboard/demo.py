"""The dashboard part of the demo: a year of activity on the fictional demo enterprises, so
that the figures, the trend and the history are not empty on a first `make run`.

Applications are opened through the applications service (so their amounts come from the
rules and the enterprises' records) and moved along through their machine (`take`: evidence,
the expert's review and the public notice as the steps ask), then their history is dated as if
the year had happened. Demands are written delivered and rated: the rating is the enterprise's
own step, and the demo has no account for these enterprises to take it. A first screening
says who is entitled to what, and month-end snapshots give the history chart its points (both
off in the test settings).
Demonstration data only, never on the story's real enterprises.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.applications import services as applications
from zhibiao.applications.models import Application, ApplicationStep, Review
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.dashboard.models import Snapshot
from zhibiao.dashboard.services import snapshot
from zhibiao.jobs import services as jobs
from zhibiao.measures.models import Clause, Screening
from zhibiao.measures.services import start_screening
from zhibiao.supply.models import Demand

#: (enterprise, clause, final state, days ago opened, days to payment)
APPLICATIONS = [
    ("上海奉城新材料科技有限公司", "FX23-CERT-ENERGY", "disbursed", 230, 45),
    ("上海金汇智能装备股份有限公司", "FX23-BRAND", "disbursed", 160, 38),
    ("上海金汇智能装备股份有限公司", "FX23-QA-GOLD", "disbursed", 120, 52),
    ("上海金汇智能装备股份有限公司", "FX23-STD-NAT-1", "approved", 60, None),
    ("上海奉城新材料科技有限公司", "FX23-QA-GOLD", "in_review", 25, None),
    ("上海金汇智能装备股份有限公司", "FX23-LEADER", "submitted", 8, None),
]
#: The steps from submission to each final state, as the applications' table of steps has them.
PATH = ["draft", "submitted", "in_review", "publicity", "approved", "disbursed"]
ACTIONS = {"submitted": "submit", "in_review": "accept", "publicity": "start_publicity",
           "approved": "approve", "disbursed": "disburse"}  # fmt: skip
DEMANDS = [
    (
        "上海金汇智能装备股份有限公司",
        "metrology",
        "生产线在线测量设备的校准和测量管理体系咨询。",
        4,
    ),
    ("上海奉城新材料科技有限公司", "testing", "新型复合材料的力学性能和阻燃性能检测。", 5),
    ("上海东方美谷生物科技有限公司", "drafting", "化妆品原料企业标准的起草和自我声明公开。", 4),
]


def _move(application: Application, final: str, admin: User, expert: User) -> Application:
    """Take the application from where it was opened to `final` through its machine, as the
    district's staff would (on the enterprise's behalf for the evidence and the submission),
    with the demo expert's review where the clause asks for one."""
    if application.status == "draft":
        for item in applications.required_evidence(application):
            content = f"%PDF-1.4\n% 演示材料 {application.number} {item}\n%%EOF\n"
            upload = ContentFile(content.encode(), name=f"{item}.pdf")
            applications.add_evidence(admin, application, item, upload)
        application = take(admin, application, "submit")
    steps = PATH[PATH.index(application.status) + 1 : PATH.index(final) + 1]
    if application.channel == "auto" or not application.clause.needs_review:
        steps = [step for step in steps if step != "in_review"]  # straight to the public notice
    for step in steps:
        if step == "publicity" and application.status == "in_review":
            _review(application, admin, expert)
        if step == "approved":  # the notice ran its course in the year being replayed
            Application.objects.filter(pk=application.pk).update(publicity_ends_at=timezone.now())
            application.refresh_from_db()
        data = {
            "approved": {"amount": str(application.amount_assessed)},
            "disbursed": {"payment_reference": f"演示-{application.pk:05d}"},
        }.get(step, {})
        application = take(admin, application, ACTIONS[step], **data)
    return application


def _review(application: Application, admin: User, expert: User) -> None:
    """The demo expert reviews it (assigned by staff), so that the notice may start."""
    applications.assign_reviewers(admin, application, [expert])
    review = Review.objects.get(application=application, reviewer=expert)
    applications.submit_review(
        expert, review, score=85, recommendation="approve", comment="演示评审：材料齐全，符合条件。"
    )


def _date(
    application: Application, opened: datetime.datetime, opened_days: int, paid_days: int | None
) -> None:
    """Date the history as if the year had happened: opened `opened_days` ago, paid
    `paid_days` after submission; the notice ended when the approval was given."""
    history = list(application.steps.order_by("pk"))
    span = datetime.timedelta(days=paid_days or max(opened_days // 2, 1))
    for index, move in enumerate(history):
        at = opened + span * index / max(len(history) - 1, 1)
        ApplicationStep.objects.filter(pk=move.pk).update(at=at)
        if move.action == "approve":
            Application.objects.filter(pk=application.pk).update(publicity_ends_at=at)
    Application.objects.filter(pk=application.pk).update(created_at=opened)


def load(loader, orgs: dict, admin) -> None:
    now = timezone.now()
    expert = User.objects.get(username="expert")  # the demo's committee expert
    for name, code, final, opened_days, paid_days in APPLICATIONS:
        enterprise = orgs[name]
        clause = Clause.objects.filter(code=code).first()
        if clause is None or Application.objects.filter(enterprise=enterprise, clause=clause):
            continue
        project = next(iter(applications.projects_open(enterprise, clause)), "")
        try:
            with transaction.atomic():  # the records do not support it: nothing of it stays
                application = applications.start_application(
                    admin, enterprise, clause, project=project
                )
                application = _move(application, final, admin, expert)
        except (TransitionRefused, ValidationError, PermissionDenied):
            continue
        _date(application, now - datetime.timedelta(days=opened_days), opened_days, paid_days)
        loader.report.created[str(Application._meta.verbose_name_plural)] += 1

    for name, category, description, rating in DEMANDS:
        enterprise = orgs[name]
        posted = now - datetime.timedelta(days=40 + 30 * rating)
        loader.upsert(
            Demand,
            {"enterprise": enterprise, "description": description},
            {
                "category": category, "urgency": "normal", "channel": "phone",
                "status": "rated", "posted_by": admin, "rating": rating,
                "rating_comment": "演示评价：服务及时、专业。",
            },
        )  # fmt: skip
        Demand.objects.filter(enterprise=enterprise, description=description).update(
            posted_at=posted,
            matched_at=posted + datetime.timedelta(days=1),
            accepted_at=posted + datetime.timedelta(days=2),
            delivered_at=posted + datetime.timedelta(days=20),
        )

    if not settings.DEMO_HISTORY:
        return
    if not Screening.objects.exists():  # who is entitled to what: the first figure of focus 1
        jobs.run(start_screening(admin).pk)  # here and now; the worker finds it done
    if not Snapshot.objects.exists():
        today = timezone.localdate()
        for months_back in range(6, 0, -1):
            first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            for _ in range(months_back - 1):
                first = (first - datetime.timedelta(days=1)).replace(day=1)
            month_end = (first + datetime.timedelta(days=32)).replace(day=1)
            snapshot(month_end - datetime.timedelta(days=1), admin)
