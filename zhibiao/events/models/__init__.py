"""The events app's models, split by seam; import them from here.

- `events`: events, their agenda, speakers and materials, and who hosts them;
- `registration`: registrations (seats, the waiting list, check-in) and their steps;
- `certificates`: certificates of attendance;
- `surveys`: the answers to the survey after an event;
- `calendars`: each user's calendar feed.

News reports, which mostly concern events, are their own app (`zhibiao.news`).
"""

from zhibiao.events.models.calendars import CalendarFeed
from zhibiao.events.models.certificates import Certificate
from zhibiao.events.models.events import (
    TRAINING_KINDS,
    AgendaItem,
    AgendaKind,
    Audience,
    Event,
    EventKind,
    EventQuerySet,
    HostKind,
    Material,
    Speaker,
)
from zhibiao.events.models.registration import (
    FROM_SHEET,
    LIVE,
    SEATED,
    CheckInMethod,
    Registration,
    RegistrationQuerySet,
    RegistrationStatus,
    RegistrationStep,
    _ticket_token,
)
from zhibiao.events.models.surveys import Feedback

__all__ = [
    "FROM_SHEET",
    "LIVE",
    "SEATED",
    "TRAINING_KINDS",
    "AgendaItem",
    "AgendaKind",
    "Audience",
    "CalendarFeed",
    "Certificate",
    "CheckInMethod",
    "Event",
    "EventKind",
    "EventQuerySet",
    "Feedback",
    "HostKind",
    "Material",
    "Registration",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "RegistrationStep",
    "Speaker",
    "_ticket_token",
]
