"""Clients as the platform's users and programs reach it (a session, a bearer token), and what
they get back read as a person would (the rows of an xlsx export)."""

from __future__ import annotations

import io

from django.test import Client

from zhibiao.accounts.models import User
from zhibiao.accounts.services import create_token


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def token_client(user: User) -> Client:
    """A client that authenticates with a bearer token, as a program would."""
    _token, key = create_token(user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def page_and_api_status(user: User | None, page: str, operation: str) -> tuple[int, int]:
    """What a page and the API operation on the same object answer `user` (None: anonymous;
    the API with a bearer token). They decide who sees what alike, so a test asks both."""
    api = token_client(user) if user else client_for(None)
    return client_for(user).get(page).status_code, api.get(operation).status_code


def sheet_rows(response) -> list[tuple]:
    """The rows of a list's xlsx export, header first. Excel leaves empty cells at a row's end
    unwritten, so each row is padded to the header's width."""
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]


def page_and_export(client, url: str) -> tuple:
    """A list page, which offers its xlsx export, and the rows of that export (`sheet_rows`)
    for the same visitor: what the page lists and what it exports are compared."""
    page = client.get(url)
    assert "format=xlsx" in page.content.decode()
    return page, sheet_rows(client.get(url + "?format=xlsx"))


def pdf_text(content: bytes) -> tuple[str, str]:
    """A PDF's title and the text of all its pages, read back by pypdf (not by our code), so
    a test sees what a reader of the printed document sees."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return str(reader.metadata.title), text


def said_error(page, words: str) -> bool:
    """Whether the page (followed after a redirect) flashed an error message containing
    `words`: the message itself, not text the page holds anyway (a maxlength, a help text)."""
    return any(
        message.level_tag == "error" and words in str(message)
        for message in page.context["messages"]
    )
