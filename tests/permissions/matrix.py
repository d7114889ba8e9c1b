"""The permission matrix: every page and every API operation, with the status each role gets.

The matrix is data: the table in matrix.txt, in two sections ([pages], [operations]), a row a
line: a page's URL name (in the resolver), or an API operation's method and path (in the
OpenAPI document, without the "/api/v1" prefix); then the expected statuses in the order of
`ROLES`

    anonymous admin expert enterprise base chamber provider department other

then, if any, `name=value` pairs: the world objects its URL or path parameters take
(tests/permissions/world.py), `query=` a query string (its values formatted with the world's
objects) and `body=` a JSON body (no spaces) for a write whose plainest body would stop at
validation before the permission check. A line starting with `#` is a comment.

"other" is an enterprise user of another enterprise than the demo `enterprise`, which owns the
world's private objects. Pages are requested with GET; the API's reads with GET and its writes
with the plainest body its schema accepts, rolled back afterwards. For a write, 422, 409, 200
and 201 all mean "allowed" (the request passed the permission check and reached validation or
the state machine); 401, 403 and 404 mean refused. A page answers anonymous with 302 to the
login page, a wrong role with 403, another organisation's object with 404; a page that only
takes POST answers GET with 405 whoever asks. Rows whose status looks wrong for the role carry
`# BUG:` with what is wrong; they record what the platform does today so that a change shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

#: The API's prefix, left out of the operations' table.
API = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: How many statuses a row has: one per role of world.ROLES (checked by the tests).
COLUMNS = 9


@dataclass(frozen=True)
class Row:
    """One URL name or operation, the parameters it takes from the world, and the statuses."""

    key: str
    expected: str
    params: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    path: str = ""
    query: str = ""
    body: dict | None = None


def _row(line: str) -> Row:
    words = line.split()
    method, path = "GET", ""
    if words[0] in METHODS:
        method, path = words[0], API + words[1]
        key, words = f"{method} {path}", words[2:]
    else:
        key, words = words[0], words[1:]
    statuses, extras = words[:COLUMNS], dict(w.split("=", 1) for w in words[COLUMNS:])
    if len(statuses) != COLUMNS or not all(status.isdigit() for status in statuses):
        raise ValueError(f"{key}: {COLUMNS} statuses expected, one per role: {line}")
    expected = " ".join(statuses)
    query = extras.pop("query", "")
    body = json.loads(extras.pop("body")) if "body" in extras else None
    return Row(key, expected, extras, method, path, query, body)


def sections(text: str) -> dict[str, list[Row]]:
    """The rows of each `[section]` of the table: one a line, blank lines and comments (`#`,
    alone or after two spaces) left out."""
    rows: dict[str, list[Row]] = {}
    section: list[Row] = []
    for line in (line.split("  # ")[0].strip() for line in text.splitlines()):
        if line.startswith("["):
            section = rows.setdefault(line.strip("[]"), [])
        elif line and not line.startswith("#"):
            section.append(_row(line))
    return rows


_SECTIONS = sections((Path(__file__).parent / "matrix.txt").read_text(encoding="utf-8"))
PAGES = _SECTIONS["pages"]
OPERATIONS = _SECTIONS["operations"]
