"""Check-in codes: short enough to type, signed per event, with an expiry date.

A code reads `<registration>-<expiry>-<signature>`, e.g. `1024-8ZK-ZT5Q2M7WRA`: the
registration's number, the last day the code is good for (days since 2000-01-01, base 36) and
ten characters of an HMAC-SHA256 made by `django.core.signing` with the site's secret and a salt
that names the event. So a code cannot be made up (forged), a code of another event fails this
event's signature, and a code past its date is refused, whatever the database says. Letters are
upper case and the signature uses base 32, which has no 0, 1 or 8: a typed 0, 1 or 8 there is
read as O, I or B. A typed code is read the same way whatever its case, with spaces for or
around the dashes, without the dashes, in full-width characters (a Chinese input method) or with
any dash a keyboard makes (`normalise`): the desk's page and the API both read codes through
`parse`, so a code that one accepts the other accepts too.

The QR code on a ticket carries the check-in page's address with the code in its query string:
a staff phone's camera app opens the page directly, and the page's own scanner reads either form.
"""

from __future__ import annotations

import base64
import datetime
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare

_EPOCH = datetime.date(2000, 1, 1)
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CODE = re.compile(r"^(\d{1,12})-([0-9A-Z]{1,4})-([A-Z0-9]{10})$")
#: A code typed without its dashes: the date part of every code made between 2003-07 and 2127
#: has three characters (base 36 days since 2000), and the signature ten, so the cut is certain.
_COMPACT = re.compile(r"^(\d{1,12})([0-9A-Z]{3})([A-Z0-9]{10})$")
#: What separates the parts as typed: spaces, any dash or dot (after NFKC, which makes a
#: full-width －, ＿ or ． the ASCII one).
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc_.·]+")
_SLIPS = str.maketrans("018", "OIB")
SIGNATURE_LENGTH = 10
#: How long a code stays good after the event's last day: the next day, for late check-ins.
GRACE_DAYS = 1


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def salt(event_id: int) -> str:
    """One salt per event: the same registration number signed for another event differs."""
    return f"zhibiao.events.check-in.{event_id}"


def signature(event_id: int, payload: str) -> str:
    raw = signing.Signer(salt=salt(event_id), algorithm="sha256").signature(payload)
    digest = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH]


def expiry_of(event) -> datetime.date:
    return timezone.localtime(event.ends_at).date() + datetime.timedelta(days=GRACE_DAYS)


def make(registration, expires: datetime.date | None = None) -> str:
    """The code of a registration (its event's current end fixes the expiry)."""
    expires = expires or expiry_of(registration.event)
    payload = f"{registration.pk}-{_base36((expires - _EPOCH).days)}"
    return f"{payload}-{signature(registration.event_id, payload)}"


@dataclass(frozen=True)
class Parsed:
    registration_id: int
    expires: datetime.date
    payload: str
    signature: str

    def signed_for(self, event_id: int) -> bool:
        return constant_time_compare(signature(event_id, self.payload), self.signature)


def normalise(text: str) -> str | None:
    """A typed code in its printed form `<number>-<date>-<signature>`, or None if it cannot be.

    The one place where typing is forgiven: case, full-width characters, spaces instead of or
    around the dashes (`1024 8zk zt5q 2m7w ra`), no dashes at all (`10248ZKZT5Q2M7WRA`) and any
    dash-like character. The signature's 0/1/8 slips are left to `parse`.
    """
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    parts = [part for part in _SEPARATORS.split(text) if part]
    if len(parts) == 3 and _CODE.match("-".join(parts)):
        return "-".join(parts)
    match = _COMPACT.match("".join(parts))
    return "-".join(match.groups()) if match else None


def parse(text: str) -> Parsed | None:
    """Read a typed code or a scanned address; None if it is not shaped like a code."""
    text = (text or "").strip()
    if "://" in text or text.startswith("/"):
        try:
            values = parse_qs(urlsplit(text).query).get("code")
        except ValueError:  # not an address at all ("http://[", an unclosed IPv6 host)
            return None
        text = values[0] if values else ""
    code = normalise(text)
    match = _CODE.match(code) if code else None
    if not match:
        return None
    number, days, sig = match.groups()
    sig = sig.translate(_SLIPS)
    if "9" in sig:
        return None
    try:
        expires = _EPOCH + datetime.timedelta(days=int(days, 36))
    except OverflowError:
        return None
    return Parsed(int(number), expires, f"{number}-{days}", sig)
