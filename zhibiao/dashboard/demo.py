"""The dashboard part of the demo: a year of activity on the fictional demo enterprises, so
that the figures, the trend and the history are not empty on a first `make run`.

Applications are opened through the applications service (so their amounts come from the
rules and the enterprises' records) and then moved along with dated steps, as if the year had
happened; demands are delivered and rated. A first screening says who is entitled to what, and
month-end snapshots give the history chart its points (both off in the test settings).
Demonstration data only, never on the story's real enterprises.
"""

from __future__ import annotations

import datetime
import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhibiao.applications import services as applications
from zhibiao.applications.models import Application, ApplicationStep
from zhibiao.core.errors import TransitionRefused
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
PATH = ["submitted", "in_review", "publicity", "approved", "disbursed"]
ACTIONS = {"in_review": "accept", "publicity": "start_publicity", "approved": "approve",
           "disbursed": "disburse"}  # fmt: skip
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


def load(loader, orgs: dict, admin) -> None:
    now = timezone.now()
    for name, code, final, opened_days, paid_days in APPLICATIONS:
        enterprise = orgs[name]
        clause = Clause.objects.filter(code=code).first()
        if clause is None or Application.objects.filter(enterprise=enterprise, clause=clause):
            continue
        project = next(iter(applications.projects_open(enterprise, clause)), "")
        try:
            application = applications.start_application(admin, enterprise, clause, project=project)
        except (TransitionRefused, ValidationError):  # the records do not support it: skip
            continue
        opened = now - datetime.timedelta(days=opened_days)
        steps = PATH[: PATH.index(final) + 1]
        if application.channel == "auto":  # 免申即享 goes to public notice without a review
            steps = [step for step in steps if step != "in_review"]
        if application.status == "draft":
            ApplicationStep.objects.create(
                application=application, action="submit", from_status="draft",
                to_status="submitted", actor=admin, reason="",
            )  # fmt: skip
        moves = []
        for before, after in itertools.pairwise(steps):
            moves.append(
                ApplicationStep(
                    application=application, action=ACTIONS[after], from_status=before,
                    to_status=after,
                    actor=admin, reason="",
                )
            )  # fmt: skip
        ApplicationStep.objects.bulk_create(moves)
        # Date the history: opened `opened_days` ago, paid `paid_days` after submission.
        history = list(application.steps.order_by("pk"))
        span = datetime.timedelta(days=paid_days or max(opened_days // 2, 1))
        for index, move in enumerate(history):
            at = opened + span * index / max(len(history) - 1, 1)
            ApplicationStep.objects.filter(pk=move.pk).update(at=at)
        values = {"status": final, "created_at": opened}
        if final in ("approved", "disbursed"):
            values["amount_approved"] = application.amount_assessed
        if final == "disbursed":
            values["payment_reference"] = f"演示-{application.pk:05d}"
        Application.objects.filter(pk=application.pk).update(**values)
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
        jobs.run(start_screening(admin).pk)  # here and now; the queued thread finds it taken
    if not Snapshot.objects.exists():
        today = timezone.localdate()
        for months_back in range(6, 0, -1):
            first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            for _ in range(months_back - 1):
                first = (first - datetime.timedelta(days=1)).replace(day=1)
            month_end = (first + datetime.timedelta(days=32)).replace(day=1)
            snapshot(month_end - datetime.timedelta(days=1), admin)
