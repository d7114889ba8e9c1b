"""Issue 17's pages: the call with its conditions, an item autosaved (htmx), a score outside the
bands refused with a message and nothing saved, the ranking for staff, the certificate and the
feedback report as PDFs, the dashboard's figures."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.awards.conftest import in_review, new_cycle, step, submitted, to_notice
from tests.clients import client_for, pdf_text, said_error
from zhibiao.accounts.models import User
from zhibiao.audit.models import AuditEntry
from zhibiao.awards import services
from zhibiao.awards.models import Entry, Score

pytestmark = pytest.mark.django_db


def test_the_call_shows_an_enterprise_its_conditions(world):
    cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    page = client_for(world["enterprise"]).get(cycle.get_absolute_url())
    assert page.status_code == 200
    assert page.content.decode().count("✓") == 4
    assert reverse("awards:entry_create", args=[cycle.pk]) in page.content.decode()


def _answering(world):
    """An open cycle, the enterprise's new entry, its client and the address of item 4.1.2."""
    cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    entry = services.start_entry(world["enterprise"], cycle)
    url = reverse("awards:entry_answer", args=[entry.pk, "4.1.2"])
    return entry, client_for(world["enterprise"]), url


def test_an_item_autosaves_and_a_stale_save_says_so(world):
    entry, client, url = _answering(world)
    saved = client.post(url, {"text": "初稿", "revision": ""}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "text-success" in saved.content.decode()
    client.post(url, {"text": "二稿", "revision": "0"}, HTTP_HX_REQUEST="true")
    stale = client.post(url, {"text": "旧页", "revision": "0"}, HTTP_HX_REQUEST="true")
    assert "text-danger" in stale.content.decode()
    assert entry.answers.get(item="4.1.2").text == "二稿"


def test_a_profile_saved_from_a_stale_page_says_so_and_keeps_the_newer_one(world):
    """Two colleagues open the entry; the first saves the profile, the second's page still
    shows the old one: its save is refused instead of overwriting the first's."""
    entry, client, _url = _answering(world)
    url = reverse("awards:entry_profile", args=[entry.pk])
    page = client.get(entry.get_absolute_url()).content.decode()
    seen = entry.updated_at.isoformat()
    assert f'name="seen" value="{seen}"' in page
    first = client.post(url, {"profile": "第一位同事写的简介", "seen": seen}, follow=True)
    assert not said_error(first, "")
    second = client.post(url, {"profile": "旧页面上的简介", "seen": seen}, follow=True)
    assert said_error(second, "刷新")
    assert Entry.objects.get(pk=entry.pk).profile == "第一位同事写的简介"
    fresh = Entry.objects.get(pk=entry.pk).updated_at.isoformat()
    client.post(url, {"profile": "看过后再改", "seen": fresh})
    assert Entry.objects.get(pk=entry.pk).profile == "看过后再改"


def test_a_score_outside_the_bands_is_refused_on_the_page(world):
    _cycle, entry = in_review(world)
    expert = world["experts"][0]
    client = client_for(expert)
    page = client.post(
        reverse("awards:entry_scores", args=[entry.pk]),
        {"percent-4.1.2": "72", "comment-4.1.2": "说明"},
        follow=True,
    )
    assert page.status_code == 200
    assert "GB/Z 19579" in page.content.decode()
    assert not Score.objects.exists()


def test_staff_see_the_ranking_and_the_documents_download(world):
    cycle, entry = to_notice(world)
    entry = step(world["admin"], entry, "confer")
    step(world["admin"], cycle, "finish")
    entry_url = reverse("awards:certificate", args=[entry.pk])
    admin = client_for(world["admin"])
    page = admin.get(cycle.get_absolute_url())
    assert 'data-testid="ranking"' in page.content.decode()
    assert world["organisation"].name in page.content.decode()
    for name in ("awards:certificate", "awards:feedback"):
        response = client_for(world["enterprise"]).get(reverse(name, args=[entry.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    title, text = pdf_text(client_for(world["enterprise"]).get(entry_url).content)
    assert title == f"区长质量奖 {entry.certificate_number}"
    assert world["organisation"].name in text and entry.certificate_number in text
    # An expert reads the scores, not the applicant's feedback report.
    expert = client_for(world["experts"][0])
    assert expert.get(reverse("awards:feedback", args=[entry.pk])).status_code == 403


def test_the_dashboard_shows_the_cycles_figures(demo):
    admin = client_for(User.objects.get(username="admin"))
    page = admin.get(reverse("dashboard:index"), {"year": 2023})
    html = page.content.decode()
    assert 'data-testid="award-figures"' in html and "2023年度奉贤区区长质量奖" in html


def test_two_pages_writing_a_new_item_do_not_overwrite_each_other(world):
    """Both tabs showed the item empty (a blank revision): the first saves it, the second is
    told the item was saved elsewhere rather than silently replacing it."""
    entry, client, url = _answering(world)
    client.post(url, {"text": "甲页", "revision": ""}, HTTP_HX_REQUEST="true")
    second = client.post(url, {"text": "乙页", "revision": ""}, HTTP_HX_REQUEST="true")
    assert "text-danger" in second.content.decode()
    assert entry.answers.get(item="4.1.2").text == "甲页"


def test_an_experts_scores_are_saved_all_or_none_with_one_audit_entry(world):
    _cycle, entry = in_review(world)
    expert = world["experts"][0]
    client = client_for(expert)
    url = reverse("awards:entry_scores", args=[entry.pk])
    refused = client.post(
        url,
        {
            "percent-4.1.2": "70",
            "comment-4.1.2": "甲",
            "percent-4.1.3": "72",
            "comment-4.1.3": "乙",
        },
        follow=True,
    )
    assert "4.1.3" in refused.content.decode() and not Score.objects.exists()
    client.post(
        url,
        {
            "percent-4.1.2": "70",
            "comment-4.1.2": "甲",
            "percent-4.1.3": "75",
            "comment-4.1.3": "乙",
        },
    )
    assert sorted(Score.objects.values_list("item", "percent")) == [("4.1.2", 70), ("4.1.3", 75)]
    entries = AuditEntry.objects.filter(action="award_entry.score")
    assert entries.count() == 1


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 30, "-5", "七十"])
def test_numbers_a_user_could_edit_are_refused_with_a_message_not_an_error(world, value):
    """'²'.isdigit() is True and int('²') fails; 30 digits overflow the database's integer."""
    _cycle, entry = in_review(world)
    expert = client_for(world["experts"][0])
    scores = reverse("awards:entry_scores", args=[entry.pk])
    page = expert.post(
        scores, {"percent-4.1.2": value, "comment-4.1.2": "说明", "revision-4.1.2": value}
    )
    assert page.status_code == 302 and not Score.objects.exists()
    admin = client_for(world["admin"])
    assign = admin.post(reverse("awards:entry_assign", args=[entry.pk]), {"experts": [value]})
    assert assign.status_code == 302


def test_the_certificate_is_dated_by_the_conferring_step(world):
    _cycle, entry = to_notice(world)
    Entry.objects.filter(pk=entry.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=400)
    )
    entry = step(world["admin"], entry, "confer")
    conferred = entry.steps.get(action="confer").at
    _title, text = pdf_text(
        client_for(world["enterprise"]).get(reverse("awards:certificate", args=[entry.pk])).content
    )
    assert timezone.localtime(conferred).strftime("%Y-%m-%d") in text


@pytest.mark.parametrize(
    ("field", "value"), [("year", 0), ("year", 99999), ("site_visits", 40000), ("awards", 501)]
)
def test_a_cycle_out_of_bounds_is_refused_by_field(world, field, value):
    with pytest.raises(ValidationError) as refused:
        new_cycle(world["admin"], **{field: value})
    assert field in refused.value.message_dict


def test_a_nul_in_a_multipart_answer_is_a_400_and_nothing_is_saved(world):
    """The answer page reads `request.POST` itself, and a browser's form may post multipart:
    PostgreSQL would refuse the NUL with a server error."""
    entry, client, url = _answering(world)
    refused = client.post(url, {"text": "自评\x00内容", "revision": ""})  # multipart, as sent
    assert refused.status_code == 400
    assert not entry.answers.filter(item="4.1.2").exists()


def test_a_nul_in_a_multipart_objection_is_a_400_and_nothing_is_filed(world):
    """Anyone signed in may object, and the objection page reads `request.POST` itself."""
    _cycle, entry = to_notice(world)
    rival = User.objects.exclude(pk=world["enterprise"].pk).filter(is_active=True).first()
    refused = client_for(rival).post(
        reverse("awards:entry_objection", args=[entry.pk]), {"text": "质量事故\x00"}
    )
    assert refused.status_code == 400
    assert not entry.objections.exists()


def test_assigning_an_ineligible_expert_refuses_them_by_name_rather_than_drop_them(world):
    """Posted ids the committee's rule refuses were dropped, and the page said "assigned"."""
    from tests.factories import ExpertFactory

    cycle, entry = submitted(world)
    admin = world["admin"]
    step(admin, cycle, "close")
    step(admin, entry, "pass_check", serious_accident=False)
    step(admin, cycle, "start_review")
    unseated = ExpertFactory()  # no current committee seat
    url = reverse("awards:entry_assign", args=[entry.pk])
    staff = client_for(admin)
    page = staff.post(url, {"experts": [world["experts"][0].pk, unseated.pk]}, follow=True)
    assert said_error(page, str(unseated))
    assert not entry.assignments.exists()
    gone = staff.post(url, {"experts": [world["experts"][0].pk, 10**9]}, follow=True)
    missing = gettext("Some of the experts chosen no longer exist; reload the page.")
    assert said_error(gone, missing) and not entry.assignments.exists()
    nobody = staff.post(url, {}, follow=True)
    assert said_error(nobody, gettext("Choose at least one expert."))
    done = staff.post(url, {"experts": [world["experts"][0].pk]}, follow=True)
    said = [str(m) for m in done.context["messages"]]
    assert any(str(world["experts"][0]) in m for m in said)
    assert list(entry.assignments.values_list("expert", flat=True)) == [world["experts"][0].pk]
    again = staff.post(url, {"experts": [world["experts"][0].pk]}, follow=True)
    already = gettext("No expert assigned: those chosen were assigned already.")
    assert [str(m) for m in again.context["messages"]] == [already]
    assert entry.assignments.count() == 1
