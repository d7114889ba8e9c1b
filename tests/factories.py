"""Factories for the tests' data (factory_boy): each builds a valid row with what the test does
not care about filled in, so that a test names only what it is about. The demo story is for the
tests whose subject is the story (tests/demo, the permission matrix, the dashboard's district);
everything else starts from these.

Organisations and users go through `full_clean` as the pages would, so that a factory cannot
make a row the platform would refuse. Deterministic: one seeded random for the USCCs, and
sequences for names, so a failing test fails the same way twice.
"""

from __future__ import annotations

import datetime
import random

import factory
from django.utils import timezone

from zhibiao.accounts.models import Role, User
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag, Sector
from zhibiao.demo import story
from zhibiao.demo.services import import_measures
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, Person
from zhibiao.events.models import Event
from zhibiao.measures.models import RuleBook
from zhibiao.policies.models import PolicyDocument
from zhibiao.profiles.models import (
    AwardRecord,
    Certification,
    CreditEntry,
    StandardDrafting,
    TaxRecord,
)
from zhibiao.supply.models import Demand, Offering

_rng = random.Random(20230527)


class CleanedFactory(factory.django.DjangoModelFactory):
    """Runs the model's validation before saving, as a form or a service would."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = cls._get_manager(model_class)
        key = {field: kwargs[field] for field in cls._meta.django_get_or_create}
        if key and (existing := manager.filter(**key).first()) is not None:
            return existing
        instance = model_class(*args, **kwargs)
        instance.full_clean()
        instance.save(using=manager.db)
        return instance


class OrganisationFactory(CleanedFactory):
    """A private manufacturer in 南桥 unless told otherwise; traits for the other kinds."""

    class Meta:
        model = Organisation

    kind = "enterprise"
    name = factory.Sequence(lambda n: f"测试企业{n:04d}有限公司")
    uscc = factory.LazyFunction(lambda: uscc.generate(_rng))
    town = "nanqiao"
    ownership = "private"
    industry = "C2411"

    class Params:
        chamber = factory.Trait(
            kind="chamber",
            name=factory.Sequence(lambda n: f"测试商会{n:04d}"),
            ownership="",
            industry="",
        )
        institution = factory.Trait(
            kind="institution",
            name=factory.Sequence(lambda n: f"测试检测技术{n:04d}有限公司"),
            industry="M7452",
        )
        government = factory.Trait(
            kind="government",
            name=factory.Sequence(lambda n: f"奉贤区测试局{n:04d}"),
            ownership="",
            industry="",
        )


class PersonFactory(CleanedFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"联系人{n}")
    title = "标准化负责人"
    organisation = factory.SubFactory(OrganisationFactory)


def _organisation_for(user) -> Organisation | None:
    """Roles that act for an organisation get one of the right kind; admins and experts none."""
    if user.role in (Role.ADMIN, Role.EXPERT):
        return None
    if user.role == Role.CHAMBER:
        return OrganisationFactory(chamber=True)
    if user.role == Role.PROVIDER:
        return OrganisationFactory(institution=True)
    if user.role == Role.DEPARTMENT:
        return OrganisationFactory(government=True)
    return OrganisationFactory()


class UserFactory(factory.django.DjangoModelFactory):
    """A user of `role` (enterprise by default), password "pw"; see the per-role factories."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    role = Role.ENTERPRISE
    username = factory.LazyAttributeSequence(lambda user, n: f"{user.role}-{n}")
    organisation = factory.LazyAttribute(_organisation_for)
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _saved(user, create, extracted, **kwargs):
        if create:
            user.save()


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True


class ExpertFactory(UserFactory):
    role = Role.EXPERT


class EnterpriseUserFactory(UserFactory):
    role = Role.ENTERPRISE


class ChamberUserFactory(UserFactory):
    role = Role.CHAMBER


class ProviderUserFactory(UserFactory):
    role = Role.PROVIDER


class DepartmentUserFactory(UserFactory):
    role = Role.DEPARTMENT


class BatchFactory(CleanedFactory):
    class Meta:
        model = Batch
        django_get_or_create = ("number",)

    number = 1
    designated_on = datetime.date(2023, 7, 24)


class TrainingBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingBase

    organisation = factory.SubFactory(OrganisationFactory, town="qingcun")
    batch = factory.SubFactory(BatchFactory)


class BaseManagerFactory(UserFactory):
    """A manager of a training base (a new one unless `organisation` is a base's)."""

    role = Role.BASE_MANAGER
    organisation = factory.LazyFunction(lambda: TrainingBaseFactory().organisation)


class EventFactory(CleanedFactory):
    """A course two days from now, registration open since yesterday, three seats; at `host_base`
    if given (organised by it), else the district's."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    kind = "course"
    title = "标准化基础知识"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + datetime.timedelta(hours=2))
    place = "培训中心"
    capacity = 3
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )
    registration_closes_at = factory.SelfAttribute("starts_at")
    host_base = None
    host_kind = factory.LazyAttribute(lambda event: "base" if event.host_base else "district")

    @factory.post_generation
    def organisers(event, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            event.organisers.set(extracted)
        elif event.host_base is not None:
            event.organisers.set([event.host_base.organisation])


class PolicyDocumentFactory(CleanedFactory):
    """A district policy in force since 2023, issued by a department."""

    class Meta:
        model = PolicyDocument
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"奉贤区推进标准化工作的若干措施（第{n}号）")
    short_title = "标准化措施"
    level = "district"
    issue_date = datetime.date(2023, 3, 1)
    effective_from = datetime.date(2023, 3, 1)

    @factory.post_generation
    def issuers(document, create, extracted, **kwargs):
        if create:
            document.issuers.set(extracted or [OrganisationFactory(government=True)])


class CommitteeFactory(CleanedFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("name",)

    name = "奉贤区标准化工作委员会"
    founded_on = datetime.date(2023, 5, 27)


class ExpertiseTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseTag
        django_get_or_create = ("name",)

    name = "标准化"


class CommitteeMemberFactory(CleanedFactory):
    """A member's current seat in the enterprise sector, term from the founding on."""

    class Meta:
        model = CommitteeMember
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    person = factory.SubFactory(PersonFactory)
    sector = Sector.ENTERPRISE
    term_start = factory.SelfAttribute("committee.founded_on")

    @factory.post_generation
    def expertise(member, create, extracted, **kwargs):
        if create and extracted:
            member.expertise.set(extracted)


class OfferingFactory(factory.django.DjangoModelFactory):
    """A testing service listed by an institution."""

    class Meta:
        model = Offering

    organisation = factory.SubFactory(OrganisationFactory, institution=True)
    category = "testing"
    title = factory.Sequence(lambda n: f"检测服务{n}")
    description = "按标准检测并出具报告"
    price_model = "paid"
    turnaround_days = 10


class DemandFactory(factory.django.DjangoModelFactory):
    """A need posted online by a user of the enterprise."""

    class Meta:
        model = Demand

    enterprise = factory.SubFactory(OrganisationFactory)
    category = "testing"
    description = "需要对产品进行型式检验"
    posted_by = factory.SubFactory(
        EnterpriseUserFactory, organisation=factory.SelfAttribute("..enterprise")
    )


class StandardDraftingFactory(factory.django.DjangoModelFactory):
    """The enterprise led a local standard published last year."""

    class Meta:
        model = StandardDrafting

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"DB31/T {9000 + n}-2025")
    level = "local"
    rank = 1
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)


def measures_rulebook() -> RuleBook:
    """The story's measures as a rule book (the rule file the demo loads, with its modes) under
    a policy document of their title and date, without the rest of the story."""
    document = PolicyDocumentFactory(
        title=story.MEASURES["title"],
        short_title=story.MEASURES["short_title"],
        issue_date=story.MEASURES["issue_date"],
        effective_from=story.MEASURES["effective_from"],
    )
    import_measures(document)
    return RuleBook.objects.get(document=document)


#: A small catalogue in the shape a user imports: editions, a stated replacement, an
#: edition the catalogue lists as withdrawn without saying by what (inferred), and titles.
CATALOGUE_ROWS = [
    {
        "标准号": "GB/T 16886.1-2022",
        "标准名称": "医疗器械生物学评价 第1部分：风险管理过程中的评价与试验",
        "状态": "现行",
    },
    {
        "标准号": "GB/T 16886.1-2011",
        "标准名称": "医疗器械生物学评价 第1部分：风险管理过程中的评价与试验",
        "状态": "废止",
    },
    {
        "标准号": "GB/T 42061-2022",
        "标准名称": "医疗器械 质量管理体系 用于法规的要求",
        "状态": "现行",
    },
    {"标准号": "GB/T 42062-2022", "标准名称": "医疗器械 风险管理对医疗器械的应用", "状态": "现行"},
    {"标准号": "GB 19272-2024", "标准名称": "室外健身器材的安全 通用要求", "状态": "现行"},
    {
        "标准号": "GB 19272-2011",
        "标准名称": "室外健身器材的安全 通用要求",
        "状态": "废止",
        "被代替标准": "GB 19272-2024",
    },
    {
        "标准号": "YY/T 0466.1-2023",
        "标准名称": "医疗器械 用于制造商提供信息的符号 第1部分：通用要求",
        "状态": "现行",
        "代替标准": "YY/T 0466.1-2016",
    },
    {
        "标准号": "GB/T 17498.6-2026",
        "标准名称": "室内固定式健身器材 第6部分：跑步机",
        "状态": "即将实施",
    },
    {"标准号": "T/CSSS 005—2024", "标准名称": "体育公园智慧化配置指南", "状态": "现行"},
    {"标准号": "GB 17498-1998", "标准名称": "健身器材的安全 通用要求", "状态": "废止"},
]


def import_small_catalogue(rows=CATALOGUE_ROWS):
    """Imports `rows` as a user's catalogue file would be, and returns the import's result."""
    from zhibiao.standards import catalogue

    headers = sorted({key for row in rows for key in row})
    return catalogue.import_catalogue(None, headers, list(enumerate(rows, start=2)))


def make_organisation(**values) -> Organisation:
    """An organisation (see OrganisationFactory); kept for the tests written before it."""
    return OrganisationFactory(**values)


def make_user(role: str, organisation: Organisation | None = None, **values) -> User:
    """A user of `role` for `organisation` (a new one of the right kind if the role needs one)."""
    if organisation is not None:
        values["organisation"] = organisation
    return UserFactory(role=role, **values)


def random_records(count: int, seed: int) -> None:
    """`count` enterprises with random tax, drafting, certification, award and credit records,
    mostly verified: a population on which the screening paths must agree."""
    today = timezone.localdate()
    rng = random.Random(seed)
    orgs = [
        make_organisation(founded_on=datetime.date(rng.randint(2000, 2025), 1, 1))
        for _ in range(count)
    ]
    year = today.year

    def state() -> dict:
        # Mostly verified; some pending or rejected, which both paths must leave out alike.
        return {"verification": rng.choice(["verified"] * 6 + ["pending", "rejected"])}

    for i, org in enumerate(orgs):
        if rng.random() < 0.8:
            TaxRecord.objects.create(
                organisation=org, year=year - 1, amount=rng.choice([0, 1000, 500000]), **state()
            )
        if rng.random() < 0.5:
            StandardDrafting.objects.create(
                organisation=org,
                code=f"GB/T 9{i:04d}-{year}",
                level=rng.choice(["national", "industry", "local", "group"]),
                rank=rng.randint(1, 4),
                year=rng.choice([year, year - 1]),
                city_funded=rng.random() < 0.2,
                **state(),
            )
        if rng.random() < 0.4:
            Certification.objects.create(
                organisation=org,
                kind=rng.choice(["shanghai_brand", "energy_ms", "cma", "quality_ms"]),
                number=f"C-{seed}-{i}",
                year=rng.choice([year, year - 1]),
                **state(),
            )
        if rng.random() < 0.2:
            AwardRecord.objects.create(
                organisation=org,
                award=rng.choice(["shanghai_quality_gold_award", "china_quality_award"]),
                year=year,
                project=f"P{i}",
                **state(),
            )
        if rng.random() < 0.1:
            CreditEntry.objects.create(organisation=org, list="serious", listed_on=today)
