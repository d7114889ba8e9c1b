"""The demo carries the story's facts exactly, loads idempotently, and never in production;
it records the dashboard's history of six month-ends once."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhibiao.accounts.models import Role, User
from zhibiao.audit.models import AuditEntry
from zhibiao.bases.models import TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember, Sector
from zhibiao.dashboard.models import Snapshot
from zhibiao.demo import story
from zhibiao.demo.services import load_demo
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation
from zhibiao.events.models import AgendaItem, Event
from zhibiao.policies.models import PolicyDocument

pytestmark = pytest.mark.django_db

TEN_BASES = [
    "伽蓝(集团)股份有限公司",
    "上海凯宝药业股份有限公司",
    "上海天阳钢管有限公司",
    "上海伟星新型建材有限公司",
    "上海益中亘泰(集团)股份有限公司",
    "上海水星家用纺织品股份有限公司",
    "上海晨光文具股份有限公司",
    "上海德驱驰电气有限公司",
    "上海双木散热器制造有限公司",
    "上海申驰实业股份有限公司",
]


def test_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="ZHIBIAO_DEMO"):
        call_command("load_demo")
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_story_facts(demo):
    bases = TrainingBase.objects.select_related("organisation", "batch").order_by("pk")
    assert [base.organisation.name for base in bases] == TEN_BASES
    assert {base.batch.number for base in bases} == {1}
    assert {base.plaque_date for base in bases} == {datetime.date(2023, 7, 24)}

    committee = Committee.objects.get()
    assert committee.name == "奉贤区民营经济质量和标准化工作委员会"
    assert committee.founded_on == datetime.date(2023, 5, 27)
    assert committee.founding_document.title == "关于服务奉贤区民营经济高质量发展的若干措施"
    sectors = set(CommitteeMember.objects.values_list("sector", flat=True))
    assert sectors == set(Sector.values)

    measures = PolicyDocument.objects.get(title=story.MEASURES["title"])
    assert measures.issue_date == datetime.date(2023, 5, 27)
    assert set(measures.issuers.values_list("name", flat=True)) == {story.FIC, story.MSB}
    opinions = PolicyDocument.objects.get(title="中共中央 国务院关于促进民营经济发展壮大的意见")
    assert opinions.issue_date == datetime.date(2023, 7, 14)

    may = Event.objects.get(title__contains="527为企服务日")
    assert may.starts_at.astimezone(datetime.UTC).date() == datetime.date(2023, 5, 27)
    july = Event.objects.get(title="奉贤区2023年质量和标准化创新大会暨质量和标准化政策宣贯会")
    assert july.starts_at.hour >= 12 - 8  # afternoon in Shanghai (UTC+8)
    kinds = list(july.agenda.values_list("kind", flat=True))
    assert kinds == ["chair", "unveiling", "plaque_award", "speech", "exchange"]
    unveiling = july.agenda.get(kind="unveiling")
    assert unveiling.committee == committee
    assert set(unveiling.people.values_list("name", flat=True)) == {
        "市市场监管局副局长",
        "市工商联副主席",
    }
    assert july.agenda.get(kind="plaque_award").batch.bases.count() == 10
    assert "三个聚焦" in july.agenda.get(kind="speech").title
    assert AgendaItem.objects.filter(event=may, policy=measures).exists()


def test_demo_codes_are_valid_and_stable(demo):
    codes = dict(Organisation.objects.exclude(uscc=None).values_list("name", "uscc"))
    assert all(uscc.is_valid(code) for code in codes.values())
    assert len(codes) >= 20
    count = Organisation.objects.count()
    Organisation.objects.filter(name=TEN_BASES[0]).update(name="renamed")  # not the lookup key
    load_demo()  # finds it by its code, not recreated under the story's name
    assert Organisation.objects.count() == count
    assert dict(Organisation.objects.exclude(uscc=None).values_list("name", "uscc")) == codes


def test_one_account_per_role(demo):
    roles = set(User.objects.filter(is_demo=True).values_list("role", flat=True))
    assert roles == set(Role.values)
    expert = User.objects.get(username="expert")
    assert CommitteeMember.objects.filter(user=expert).exists()
    assert User.objects.get(username="admin").check_password(story.DEMO_PASSWORD)


def test_second_load_changes_nothing(demo, settings):
    counts = {model: model.objects.count() for model in (Organisation, Event, TrainingBase, User)}
    audit = AuditEntry.objects.count()
    report = load_demo()
    assert not report.changed
    assert {model: model.objects.count() for model in counts} == counts
    assert AuditEntry.objects.count() == audit


def test_reload_repairs_a_changed_fact_without_duplicating(demo):
    Event.objects.filter(title__contains="527").update(place="别处")
    report = load_demo()
    assert report.changed
    assert Event.objects.filter(title__contains="527").get().place == "奉贤区"


def test_command_prints_accounts(settings, capsys):
    settings.DEMO_MODE = True
    call_command("load_demo")
    out = capsys.readouterr().out
    assert story.DEMO_PASSWORD in out
    for username, *_ in story.ACCOUNTS:
        assert username in out


def test_the_demo_records_six_month_ends_once(demo, settings):
    """The dashboard's history of the demo: six month-ends, recorded once."""
    assert not Snapshot.objects.exists()  # the test settings leave the history out
    settings.DEMO_HISTORY = True
    load_demo()
    days = sorted(set(Snapshot.objects.values_list("day", flat=True)))
    assert len(days) == 6
    assert all((day + datetime.timedelta(days=1)).day == 1 for day in days)
    assert days[-1] < timezone.localdate().replace(day=1)
    recorded = Snapshot.objects.count()
    load_demo()
    assert Snapshot.objects.count() == recorded


def test_applications_reach_their_states_through_the_machine(demo):
    """The demo's applications are moved by `take`, so their history is a chain of the
    machine's own steps from a draft to the state the dashboard demo names."""
    from zhibiao.applications.models import Application
    from zhibiao.core.workflow import machine_for
    from zhibiao.dashboard.demo import APPLICATIONS

    wanted = {(name, code): final for name, code, final, *_days in APPLICATIONS}
    applications = Application.objects.select_related("enterprise", "clause")
    assert {(a.enterprise.name, a.clause.code): a.status for a in applications} == wanted
    for application in applications:
        steps = machine_for(application).steps
        state = "draft"
        for move in application.steps.order_by("pk"):
            step = steps[move.action]
            assert move.from_status == state and state in step.sources
            assert move.to_status == step.target
            state = move.to_status
        assert state == application.status
