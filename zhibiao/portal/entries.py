"""The first things each role does, as the big entry points at the top of home and workbench.

Each entry names the page it opens and the roles it is shown to. The roles are those the page's
own view lets in (its `role_required`, or the queryset's "view"/"manage" rule for a page of one
object), so that no role is shown a link that answers 403 or 404: tests/portal checks every link
of home and workbench for every demo account. An entry that needs an object (the user's own
training base, their enterprise's file) is built from it and left out when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import Actor, acts_for, is_district_admin
from zhibiao.bases.models import TrainingBase


@dataclass(frozen=True)
class Entry:
    title: str | Promise
    text: str | Promise
    url: str
    #: Shown as one of the big tiles; False: as a smaller link beneath them.
    main: bool = True


#: The entries an enterprise's user has whether the enterprise is a training base or not.
_CHECK_MY_POLICIES = (
    _("Check my policies"),
    _("What the measures owe your enterprise, why, and what is missing."),
    "portal:mine",
    "",
)
_CHECK_STANDARDS = (
    _("Check standards"),
    _("Upload a document and see whether every standard it cites is still in force."),
    "standards:check_new",
    "",
)

#: (title, one line on what it is for, URL name, query string), per role, in the order shown.
_BY_ROLE: dict[str, list[tuple[Promise, Promise, str, str]]] = {
    Role.ENTERPRISE: [
        _CHECK_MY_POLICIES,
        _CHECK_STANDARDS,
        (
            _("Find a service"),
            _("Testing, certification, standard drafting and more, from the district's market."),
            "supply:catalogue",
            "",
        ),
        (
            _("Register for events"),
            _("Policy sessions, courses and site visits open for registration."),
            "events:list",
            "",
        ),
    ],
    Role.BASE_MANAGER: [
        (
            _("Publish a course"),
            _("Announce a course, site visit or practice session at your base."),
            "events:create",
            "",
        ),
        _CHECK_MY_POLICIES,
        _CHECK_STANDARDS,
    ],
    Role.ADMIN: [
        (
            _("Applications in progress"),
            _("Formal checks, expert reviews and public notices waiting for a step."),
            "applications:list",
            "status=in_progress",
        ),
        (
            _("Verification queue"),
            _("Records entered by enterprises and chambers that pay nothing until verified."),
            "verification:queue",
            "",
        ),
        (
            _("Screen the population"),
            _("Run the measures over every enterprise and notify those entitled."),
            "measures:screenings",
            "",
        ),
        (
            _("Dashboard"),
            _("Where the district stands on its three focuses."),
            "dashboard:index",
            "",
        ),
    ],
    Role.EXPERT: [
        (
            _("My reviews"),
            _("Applications assigned to you for expert review."),
            "applications:list",
            "",
        ),
        (
            _("My expert profile"),
            _("Availability, industries and conflicts of interest, for matching."),
            "supply:expert_profile",
            "",
        ),
        (
            _("Service demands"),
            _("Demands of enterprises offered to you, to accept or decline."),
            "supply:demands",
            "",
        ),
        (
            _("Dashboard"),
            _("Where the district stands on its three focuses."),
            "dashboard:index",
            "",
        ),
    ],
    Role.CHAMBER: [
        (
            _("Publish an event"),
            _("A policy session or course for your members, with registration and check-in."),
            "events:create",
            "",
        ),
        (
            _("Record a group standard"),
            _("A standard of your chamber, with its drafters and the adopting department."),
            "standards:group_create",
            "",
        ),
        (
            _("Group standards"),
            _("Your chamber's standards and their adoption."),
            "standards:groups",
            "",
        ),
        (
            _("Find a service"),
            _("Testing, certification, standard drafting and more, from the district's market."),
            "supply:catalogue",
            "",
        ),
    ],
    Role.PROVIDER: [
        (
            _("Service demands"),
            _("Demands of enterprises offered to you, to accept or decline."),
            "supply:demands",
            "",
        ),
        (
            _("Publish a service"),
            _("List what you offer, so that enterprises and staff can find you."),
            "supply:offering_new",
            "",
        ),
        (
            _("The service market"),
            _("Every service offered in the district."),
            "supply:catalogue",
            "",
        ),
    ],
    Role.DEPARTMENT: [
        (
            _("Verification queue"),
            _("Records your department attests, such as its adoptions of group standards."),
            "verification:queue",
            "",
        ),
        (
            _("Group standards"),
            _("Chambers' standards and the departments adopting them."),
            "standards:groups",
            "",
        ),
        (
            _("Policies"),
            _("The district's policy documents in force."),
            "policies:list",
            "",
        ),
    ],
}

#: What anyone may open without signing in, for the visitor's home page.
_PUBLIC: list[tuple[Promise, Promise, str, str]] = [
    (
        _("Policies"),
        _("The district's policy documents and the measures for private enterprises."),
        "policies:list",
        "",
    ),
    (
        _("Standards"),
        _("Search the catalogue of standards by code or title."),
        "standards:list",
        "",
    ),
    (
        _("Quality services"),
        _("Testing, certification, standard drafting and more, from the district's market."),
        "supply:catalogue",
        "",
    ),
    (
        _("Events"),
        _("Policy sessions, courses and site visits."),
        "events:list",
        "",
    ),
]


def _entry(title: Promise, text: Promise, name: str, query: str) -> Entry:
    url = reverse(name)
    return Entry(title, text, f"{url}?{query}" if query else url)


def for_user(user: Actor) -> list[Entry]:
    """The entry points for this user, most used first; the public ones for a visitor."""
    if not user.is_authenticated:
        return [_entry(*spec) for spec in _PUBLIC]
    role = Role.ADMIN if is_district_admin(user) else user.role
    entries = [_entry(*spec) for spec in _BY_ROLE.get(role, [])]
    if role == Role.BASE_MANAGER:
        base = TrainingBase.objects.restrict(user, "manage").order_by("pk").first()
        if base is not None:
            entries.insert(
                1,
                Entry(
                    _("My training base"),
                    _("Its courses, capabilities, figures for the year and evaluation."),
                    base.get_absolute_url(),
                ),
            )
    organisation_id = acts_for(user)
    if role in (Role.ENTERPRISE, Role.BASE_MANAGER) and organisation_id is not None:
        entries.append(
            Entry(
                _("My enterprise file"),
                _("Everything the platform holds on your enterprise, in one place (一企一档)."),
                reverse("dashboard:file", args=[organisation_id]),
                main=False,
            )
        )
    return entries
