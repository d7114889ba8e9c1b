"""Business operations on events and the training they carry, one module per seam.

- `steps`: the registration's state machine (`MACHINE`, `take_step`);
- `events`: publishing events, their speakers and materials;
- `registration`: registering, the waiting list, cancelling;
- `attendance`: checking in at the door and importing attendance sheets;
- `certificates`: issuing and revoking certificates of attendance;
- `surveys`: feedback and the satisfaction survey;
- `figures`: satisfaction figures per event and per host;
- `qualification`: which courses count towards a base's subsidy, and warnings;
- `calendar_feeds`: one's calendar feed.

News reports are their own app (`zhibiao.news`).

Each operation writes one audit entry and notifies whom it concerns after the commit. This
package re-exports the public names of its modules, so callers keep writing
`from zhibiao.events import services` and `services.register(...)`.
"""

from zhibiao.core.tabular import ImportFailed
from zhibiao.events.errors import Refused
from zhibiao.events.models import SEATED
from zhibiao.events.services.attendance import (
    ABSENT_MARKS,
    SHEET_COLUMNS,
    ImportResult,
    _find_by_code,
    check_in,
    check_in_code,
    import_attendance,
    look_up,
    sheet_method,
)
from zhibiao.events.services.calendar_feeds import calendar_feed_for, reset_calendar_feed
from zhibiao.events.services.certificates import revoke_certificate
from zhibiao.events.services.events import (
    EVENT_FIELDS,
    HOST_FIELDS,
    HOST_ROLES,
    MATERIAL_KINDS,
    SPEAKER_FIELDS,
    add_material,
    add_speaker,
    create_event,
    may_host,
    remove_material,
    remove_speaker,
    update_event,
)
from zhibiao.events.services.figures import HostFigures, Satisfaction, event_figures, host_figures
from zhibiao.events.services.qualification import (
    CourseWarning,
    Qualification,
    course_warnings,
    qualify,
)
from zhibiao.events.services.registration import (
    MAX_ATTENDEES_AT_ONCE,
    MOBILE,
    Attendee,
    cancel,
    check_open,
    clean_attendees,
    normalise_phone,
    register,
)
from zhibiao.events.services.steps import MACHINE, take_step
from zhibiao.events.services.surveys import feedback_open, send_survey, submit_feedback

__all__ = [
    "ABSENT_MARKS",
    "EVENT_FIELDS",
    "HOST_FIELDS",
    "HOST_ROLES",
    "MACHINE",
    "MATERIAL_KINDS",
    "MAX_ATTENDEES_AT_ONCE",
    "MOBILE",
    "SEATED",
    "SHEET_COLUMNS",
    "SPEAKER_FIELDS",
    "Attendee",
    "CourseWarning",
    "HostFigures",
    "ImportFailed",
    "ImportResult",
    "Qualification",
    "Refused",
    "Satisfaction",
    "_find_by_code",
    "add_material",
    "add_speaker",
    "calendar_feed_for",
    "cancel",
    "check_in",
    "check_in_code",
    "check_open",
    "clean_attendees",
    "course_warnings",
    "create_event",
    "event_figures",
    "feedback_open",
    "host_figures",
    "import_attendance",
    "look_up",
    "may_host",
    "normalise_phone",
    "qualify",
    "register",
    "remove_material",
    "remove_speaker",
    "reset_calendar_feed",
    "revoke_certificate",
    "send_survey",
    "sheet_method",
    "submit_feedback",
    "take_step",
    "update_event",
]
