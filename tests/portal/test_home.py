"""Home and workbench by role: the entry points each role sees first, and that every link the
two pages show a demo account opens for that account (no 403 or 404 behind a tile)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import make_user
from zhibiao.accounts.models import Role, User
from zhibiao.demo import story

pytestmark = pytest.mark.django_db

DEMO_USERS = [username for username, *_ in story.ACCOUNTS]
TILE = re.compile(r'<a class="entry-tile" href="([^"]+)">')
HREF = re.compile(r'href="([^"]+)"')


def _main(html: str) -> str:
    """The page's own content: the header's menu is the site's, not the page's."""
    return html[html.index('<main id="main"') : html.index("</main>")]


def _tiles(client, path: str = "/") -> list[str]:
    return TILE.findall(_main(client.get(path).content.decode()))


def _links(html: str) -> set[str]:
    links = set()
    for href in HREF.findall(_main(html)):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # anchors, mail, other sites
        if parts.path.startswith(("/static/", "/media/")):
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def test_an_enterprise_user_sees_its_four_entry_points_first(enterprise_user, org):
    client = client_for(enterprise_user)
    expected = [
        reverse("portal:mine"),
        reverse("standards:check_new"),
        reverse("supply:catalogue"),
        reverse("events:list"),
    ]
    assert _tiles(client) == expected
    assert _tiles(client, reverse("portal:workbench")) == expected
    home = client.get("/").content.decode()
    # The file of the enterprise, beneath the four: its own, no other.
    assert reverse("dashboard:file", args=[org.pk]) in _main(home)
    for url in expected:
        assert client.get(url).status_code == 200, url


FIRST_TASK = {
    Role.ADMIN: ("applications:list", "?status=in_progress"),
    Role.EXPERT: ("applications:list", ""),
    Role.CHAMBER: ("events:create", ""),
    Role.PROVIDER: ("supply:demands", ""),
}


@pytest.mark.parametrize("role", list(FIRST_TASK))
def test_other_roles_see_their_own_first_tasks(users, role):
    client = client_for(users[role])
    tiles = _tiles(client)
    name, query = FIRST_TASK[role]
    assert tiles[0] == reverse(name) + query
    assert reverse("portal:mine") not in tiles  # an enterprise's page, refused to these roles
    for url in tiles:
        assert client.get(url).status_code == 200, url


def test_a_department_user_starts_from_the_verification_queue(db):
    department = make_user(Role.DEPARTMENT)
    assert _tiles(client_for(department))[0] == reverse("verification:queue")


def test_a_visitor_is_told_what_the_platform_is_and_how_to_sign_in(db):
    body = client_for(None).get("/").content.decode()
    main = _main(body)
    assert 'class="panel visitor-intro"' in main
    assert f'href="{reverse("accounts:login")}"' in main
    assert _tiles(client_for(None)) == [
        reverse("policies:list"),
        reverse("standards:list"),
        reverse("supply:catalogue"),
        reverse("events:list"),
    ]
    assert reverse("portal:mine") not in main
    assert reverse("portal:workbench") not in main


def test_every_link_on_home_and_workbench_opens_for_every_demo_role(demo):
    """Each demo account (and a visitor) follows every link of its home page and workbench;
    each answers 200 to that account."""
    checked = 0
    for username in [None, *DEMO_USERS]:
        user = User.objects.get(username=username) if username else None
        client = client_for(user)
        pages = ["/"] if user is None else ["/", reverse("portal:workbench")]
        links: set[str] = set()
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (username, page)
            links |= _links(response.content.decode())
        assert _tiles(client), username
        for link in sorted(links):
            status = client.get(link).status_code
            assert status == 200, f"{username or 'visitor'}: {link} answers {status}"
            checked += 1
    assert checked > 50
