"""Matching benchmark: `.venv/bin/python bench/matching.py [--providers N] [--demands N]`.

Builds a temporary SQLite database with the demo, 20,000 enterprises, 5,000 candidates
(service offerings of providers and committee experts with profiles and expertise) and 50,000
past demands whose ratings, answer times and work in hand feed each candidate's running
figures; then ranks the candidates for 300 new demands of every category, as the demand page
does, and reports the latency.

Last line, one JSON object: {"providers", "past_demands", "rank_p50_ms", "rank_p95_ms"}
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHRASES = {
    "drafting": ["企业标准起草", "团体标准研制", "标准立项论证", "标准实施评价", "标准化体系建设"],
    "testing": ["材料成分检测", "尺寸精度检测", "电气安全检测", "环境可靠性试验", "化学分析检测"],
    "certification": ["质量管理体系认证", "产品认证咨询", "能源管理体系认证", "信息安全认证"],
    "metrology": ["测量设备校准", "计量器具检定", "测量管理体系", "量值溯源"],
    "diagnosis": ["质量管理诊断", "卓越绩效评价", "质量成本分析", "过程能力改进"],
    "brand": ["品牌价值评估", "上海品牌认证辅导", "品牌战略规划"],
    "training": ["内审员培训", "标准化人员培训", "质量工具培训", "六西格玛培训"],
    "other": ["知识产权咨询", "数字化质量管理", "供应链质量"],
}
INDUSTRIES = ["C26", "C27", "C29", "C33", "C34", "C35", "C38", "C39", "C17", "C24", "M74", "F51"]
TOWNS = ["nanqiao", "fengcheng", "zhuanghang", "jinhui", "situan", "qingcun", "zhelin", "haiwan"]


def setup(folder: str) -> None:
    from bench.django_setup import start_django

    start_django(folder, catalogue=False)
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=quiet)
        call_command("generate_population", enterprises=20_000, seed=3, stdout=quiet)


def build(providers: int, past: int, rng: random.Random) -> None:
    """Candidates, past demands and the running figures the past demands leave behind."""
    from django.utils import timezone

    from zhibiao.accounts.models import Role, User
    from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag, ExpertProfile
    from zhibiao.core.bulk import insert_rows
    from zhibiao.core.text import words
    from zhibiao.dashboard.synthetic import DEMAND_COLUMNS
    from zhibiao.directory.models import Organisation, Person
    from zhibiao.supply.models import CandidateStats, Demand, Offering

    now = timezone.now()
    enterprises = list(Organisation.objects.filter(source="synthetic").values_list("pk", flat=True))
    experts_wanted = providers // 10
    committee = Committee.objects.get()
    tags = [
        ExpertiseTag.objects.get_or_create(name=p)[0] for ps in PHRASES.values() for p in ps[:2]
    ]
    host = Organisation.objects.get(name="上海市标准化研究院")
    experts = []
    for n in range(experts_wanted):
        user = User.objects.create(
            username=f"bench-expert-{n}", role=Role.EXPERT, first_name=f"专家{n}"
        )
        person = Person.objects.create(organisation=host, name=f"专家{n}", title="高级工程师")
        seat = CommitteeMember.objects.create(
            committee=committee, person=person, user=user, sector="institution",
            term_start=committee.founded_on,
        )  # fmt: skip
        seat.expertise.set(rng.sample(tags, 3))
        ExpertProfile.objects.create(
            user=user, capacity=rng.randint(3, 10), industries=rng.sample(INDUSTRIES, 2)
        )
        experts.append(user.pk)
    offerings = providers - experts_wanted
    owners = rng.sample(enterprises, offerings)
    rows = []
    for n, owner in enumerate(owners):
        category = rng.choice(list(PHRASES))
        phrases = rng.sample(PHRASES[category], min(2, len(PHRASES[category])))
        title = phrases[0]
        description = (
            "，".join(phrases)
            + f"，服务{rng.choice(['制造业', '化工企业', '医药企业', '电子企业'])}。"
        )
        price = rng.choice(["free", "public", "paid"])
        towns = rng.sample(TOWNS, rng.randint(0, 3))
        industries = rng.sample(INDUSTRIES, rng.randint(0, 3))
        text = " ".join(sorted(words(f"{title} {description}")))
        rows.append(
            (owner, None, category, f"{title}{n}", description, price, None, towns, industries,
             rng.randint(3, 30), "", True, text, now, now)
        )  # fmt: skip
    insert_rows(
        Offering,
        ("organisation", "expert", "category", "title", "description", "price_model",
         "indicative_price", "towns", "industries", "turnaround_days", "qualifications",
         "is_active", "words", "created_at", "updated_at"),
        rows,
    )  # fmt: skip
    # Each provider has a login that answers its offers: an offering nobody would answer is not
    # ranked (zhibiao.supply.matching), and the benchmark measures the ranking of all of them.
    User.objects.bulk_create(
        [
            User(
                username=f"bench-provider-{n}",
                role=Role.PROVIDER,
                organisation_id=owner,
                password="!",
            )
            for n, owner in enumerate(owners)
        ],
        batch_size=1000,
    )
    offering_ids = list(
        Offering.objects.filter(organisation_id__in=owners).values_list("pk", flat=True)
    )
    poster = User.objects.get(username="enterprise")
    statuses = ["rated"] * 7 + ["delivered", "cancelled", "in_service"]
    figures: dict[tuple[str, int], list[int]] = {}
    demand_rows = []
    for _ in range(past):
        category = rng.choice(list(PHRASES))
        status = rng.choice(statuses)
        rating = rng.randint(2, 5) if status == "rated" else None
        posted = now - datetime.timedelta(days=rng.randint(1, 700))
        demand_rows.append(
            (rng.choice(enterprises), category, rng.choice(PHRASES[category]), "normal", None,
             "online", status, poster.pk, posted, posted, posted, None, None, rating, "", False, 3)
        )  # fmt: skip
        candidate = (
            ("offering", rng.choice(offering_ids))
            if rng.random() < 0.85
            else ("expert", rng.choice(experts))
        )
        stats = figures.setdefault(candidate, [0, 0, 0, 0, 0])
        stats[2] += 1
        stats[3] += rng.randint(600, 5 * 86400)
        if rating:
            stats[0] += 1
            stats[1] += rating
        if status == "in_service":
            stats[4] += 1
    insert_rows(Demand, DEMAND_COLUMNS, demand_rows)
    CandidateStats.objects.bulk_create(
        [
            CandidateStats(
                offering_id=pk if kind == "offering" else None,
                expert_id=pk if kind == "expert" else None,
                ratings=s[0], rating_total=s[1], answers=s[2], answer_seconds=s[3], open_work=s[4],
            )
            for (kind, pk), s in figures.items()
        ],
        batch_size=2000,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument("--demands", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="zhibiao-bench-") as folder:
        setup(folder)
        started = time.perf_counter()
        build(args.providers, args.demands, rng)
        took = time.perf_counter() - started
        print(f"built {args.providers} candidates and {args.demands} past demands in {took:.1f} s")

        from zhibiao.directory.models import Organisation
        from zhibiao.supply import matching
        from zhibiao.supply.models import Offering

        providers = Offering.objects.count() + len(
            matching.rank(
                matching.Need(Organisation.objects.first(), None, ""),
                limit=100_000,
                offerings=False,
            )
        )
        enterprises = list(Organisation.objects.filter(source="synthetic").order_by("?")[:300])
        needs = []
        for enterprise in enterprises:
            category = rng.choice(list(PHRASES))
            needs.append(
                matching.Need(
                    enterprise, category, "需要" + "和".join(rng.sample(PHRASES[category], 2))
                )
            )
        matching.rank(needs[0])  # warm: jieba's dictionary, the connection
        times = []
        for need in needs:
            started = time.perf_counter()
            ranked = matching.rank(need, limit=10)
            times.append((time.perf_counter() - started) * 1000)
            assert ranked, "every need has candidates"
        times.sort()
        p50 = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"ranked {len(needs)} new demands: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"max {times[-1]:.1f} ms"
        )
        print(
            json.dumps(
                {
                    "providers": providers,
                    "past_demands": args.demands,
                    "rank_p50_ms": round(p50, 2),
                    "rank_p95_ms": round(p95, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
