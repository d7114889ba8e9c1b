"""In a browser: axe-core (node_modules/axe-core, a development package) checks the key pages of
every role (the anonymous visitor's included) and fails on any critical or serious violation:
colour contrast, missing landmarks, labels, broken ARIA references, …

Each page is listed with its violations, so that one run shows all there is to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.helpers import sign_in
from zhibiao.accounts.models import User
from zhibiao.applications.models import Application
from zhibiao.awards.models import Cycle as AwardCycle
from zhibiao.awards.models import Entry as AwardEntry
from zhibiao.directory.models import Organisation
from zhibiao.events.models import Event
from zhibiao.whatif.models import Scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}

#: Pages every visitor may open, signed in or not.
PUBLIC = ["/", "/standards/?q=质量管理", "/services/", "/events/"]


def _pages(user: User | None) -> list[str]:
    """The key pages of this user's role: what the menu and the workbench lead to."""
    pages = list(PUBLIC)
    event = Event.objects.restrict(user, "view").order_by("pk").first() if user else None
    event = event or Event.objects.filter(is_public=True).order_by("pk").first()
    if event is not None:
        pages.append(event.get_absolute_url())
    if user is None:
        return [*pages, "/accounts/login/", "/no-such-page/"]
    # The workbench, the applications, and a form with help texts (their ids are referred to).
    pages += ["/accounts/workbench/", "/applications/", reverse("accounts:password_change")]
    application = Application.objects.restrict(user, "view").order_by("pk").first()
    if application is not None:
        pages.append(application.get_absolute_url())
    if user.role in ("enterprise", "base_manager"):
        pages.append("/measures/mine/")
    else:
        pages.append("/measures/")
    # The dashboard for the district's staff and experts; to the others, the 403 page.
    pages.append(reverse("dashboard:index"))
    own = Organisation.objects.restrict(user, "view_private").order_by("pk").first()
    if own is not None:
        pages.append(reverse("dashboard:file", args=[own.pk]))  # 一企一档
    # The quality award: its cycle, and an entry this user may see (the applicant's own, the
    # one an expert scores, any for staff).
    pages.append(reverse("awards:cycles"))
    cycle = AwardCycle.objects.order_by("-year").first()
    if cycle is not None:
        pages.append(cycle.get_absolute_url())
    entry = AwardEntry.objects.restrict(user, "view").order_by("pk").first()
    if entry is not None:
        pages.append(entry.get_absolute_url())
    if user.role == "admin":
        # What staff alone open: scenarios and their impact, the announcements.
        pages += [reverse("whatif:scenarios"), reverse("standards:announcements")]
        scenario = Scenario.objects.order_by("pk").first()
        if scenario is not None:
            pages += [scenario.get_absolute_url(), reverse("whatif:impact", args=[scenario.pk])]
    return pages


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def _describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}  {summary[:240]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … {len(v['nodes']) - 8} more")
    return "\n".join(lines)


_USERNAMES = ["admin", "expert", "enterprise", "base", "chamber", "provider", "department"]


@pytest.mark.parametrize("username", [None, *_USERNAMES], ids=["anonymous", *_USERNAMES])
def test_key_pages_of_each_role_pass_axe(live_server, demo, browser, username):
    """One role a test: the two test processes share the roles, and a failure names its role."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)")
    user = User.objects.get(username=username) if username else None
    report, minor, checked = [], [], 0
    # axe is injected as an inline script, which the site's Content-Security-Policy rightly
    # refuses; the test's browser, and only it, is told to let it run.
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    if user is not None:
        sign_in(page, live_server.url, user.username)
    for path in _pages(user):
        page.goto(live_server.url + path)
        page.wait_for_load_state()
        where = f"{username or 'anonymous'} {path}"
        violations = _violations(page)
        checked += 1
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        if blocking:
            report.append(_describe(where, blocking))
        # Moderate and minor ones are printed (pytest shows them with -s or on a failure), to
        # be fixed in time, but do not fail the test.
        minor += [f"{where}: [{v['impact']}] {v['id']}" for v in violations if v not in blocking]
    context.close()
    assert checked >= len(PUBLIC)
    print(f"\naxe checked {checked} pages")
    print("not blocking:\n" + "\n".join(minor))
    assert not report, "critical or serious accessibility violations:\n" + "\n".join(report)
