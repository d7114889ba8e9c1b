"""A user who mutes objections, expert reviews or the award's stages by e-mail gets none of the
award's of that family; the inbox keeps them all."""

import pytest
from django.core import mail

from tests.awards.conftest import step, submitted, to_notice
from tests.factories import EnterpriseUserFactory, OrganisationFactory
from zhibiao.awards import services
from zhibiao.notifications.models import Family, Notification
from zhibiao.notifications.services import set_muted

pytestmark = pytest.mark.django_db


def test_muting_objections_mutes_the_awards(world, settings, django_capture_on_commit_callbacks):
    settings.PUBLICITY_WORKING_DAYS = 5
    admin = world["admin"]
    admin.email = "staff@example.cn"
    admin.save()
    set_muted(admin, [Family.OBJECTION])
    _cycle, entry = to_notice(world)
    rival = EnterpriseUserFactory(organisation=OrganisationFactory())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.file_objection(rival, entry, "该企业去年发生过质量事故。")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=admin, kind="award.objection").exists()


def test_muting_expert_reviews_mutes_the_awards_assignments(
    world, django_capture_on_commit_callbacks
):
    muted, heard = world["experts"][0], world["experts"][1]
    muted.email, heard.email = "muted@example.cn", "heard@example.cn"
    muted.save()
    heard.save()
    set_muted(muted, [Family.REVIEW])
    cycle, entry = submitted(world)
    admin = world["admin"]
    step(admin, cycle, "close")
    step(admin, entry, "pass_check", serious_accident=False)
    step(admin, cycle, "start_review")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_experts(admin, entry, world["experts"])
    addressed = [address for message in mail.outbox for address in message.to]
    assert "heard@example.cn" in addressed and "muted@example.cn" not in addressed


def test_the_awards_stages_can_be_muted(world, django_capture_on_commit_callbacks):
    user = world["enterprise"]
    user.email = "qm@example.cn"
    user.save()
    cycle, entry = submitted(world)
    set_muted(user, [Family.AWARD])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step(world["admin"], cycle, "close")
        step(world["admin"], entry, "pass_check", serious_accident=False)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=user, kind__startswith="award_").count() >= 2
