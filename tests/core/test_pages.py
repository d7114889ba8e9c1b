"""Home page, language switching, API docs served offline, and no outside hosts anywhere."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import DemandFactory, EnterpriseUserFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def coming(db):
    """A coming session, as the home page lists them."""
    return EventFactory(kind="publicity", title="政策宣贯会（演示）")


def test_home_in_chinese_with_three_focuses(coming, settings):
    settings.DEMO_MODE = True
    body = client_for(None).get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "聚焦政策落实" in body
    assert "夯实质量基础" in body
    assert "营造良好质量环境" in body
    # The latest events are the coming courses and sessions: the home page leads to what one
    # can attend.
    assert "政策宣贯会（演示）" in body
    assert "演示模式" in body


def test_switch_to_english_and_back(db):
    client = client_for(None)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/bases/"})
    assert response.status_code == 302
    body = client.get("/bases/").content.decode()
    assert '<html lang="en">' in body
    assert "Training bases" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "实训基地" in client.get("/bases/").content.decode()


def test_pages_work_without_javascript_links(coming):
    """Every navigation is a plain link or form: no javascript: URLs, no onclick handlers."""
    body = client_for(None).get("/").content.decode()
    assert "javascript:" not in body
    assert "onclick" not in body


def test_api_docs_use_bundled_swagger(db):
    response = client_for(None).get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui" in body
    assert "cdn" not in body.lower()
    schema = client_for(None).get("/api/v1/openapi.json").json()
    assert "/api/v1/bases" in schema["paths"]


def test_no_outside_hosts_in_templates_and_static():
    pattern = re.compile(r"https?://(?!127\.0\.0\.1|localhost)", re.I)
    offenders = []
    for path in (ROOT / "zhibiao").rglob("*"):
        if path.suffix not in {".html", ".css", ".js"} or "vendor" in path.parts:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    assert offenders == []


def test_healthz():
    assert client_for(None).get("/healthz").json()["status"] == "ok"


def test_admin_site_for_staff_only(users):
    assert client_for(users["admin"]).get("/admin/").status_code == 200
    assert client_for(users["enterprise"]).get("/admin/").status_code == 302


def test_audit_entries_cannot_be_edited_in_admin(users, org):
    from zhibiao.audit.services import record

    entry = record(users["admin"], "test.action", org)
    client = client_for(users["admin"])
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_admin_changes_are_audited(users, org):
    from zhibiao.audit.models import AuditEntry

    client = client_for(users["admin"])
    client.force_login(users["admin"])
    users["admin"].is_superuser = True
    users["admin"].save()
    data = {
        "kind": org.kind,
        "name": "改名后的公司",
        "uscc": org.uscc,
        "town": org.town,
        "zone": "",
        "ownership": org.ownership,
        "industry": org.industry,
        "size": "",
        "founded_on": "",
        "address": "",
        "phone": "",
        "description": "",
    }
    response = client.post(f"/admin/directory/organisation/{org.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.data["via"] == "admin"
    assert "name" in entry.data["fields"]
    org.refresh_from_db()
    assert org.revision == 1  # an edit page still open on revision 0 is refused


def test_oversized_request_refused_before_reading(settings, users):
    settings.UPLOAD_MAX_BYTES = 1000
    settings.REQUEST_OVERHEAD_BYTES = 100
    client = client_for(users["admin"])
    big = {"file": io.BytesIO(b"x" * 5000)}
    response = client.post("/organisations/import/", big)
    assert response.status_code == 413
    assert "1000" in response.content.decode()
    api = client.post("/api/v1/standards/check", {"file": io.BytesIO(b"x" * 5000)})
    assert api.status_code == 413 and "detail" in api.json()


def test_list_exports_respect_filters_and_scope(users):
    import openpyxl

    OrganisationFactory(town="qingcun")
    OrganisationFactory(town="jinhui")
    xianda = OrganisationFactory(name="上海贤达精密机械有限公司")
    DemandFactory(enterprise=xianda)
    admin = client_for(users["admin"])
    sheet = admin.get("/organisations/", {"town": "qingcun", "format": "xlsx"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.values)
    assert rows[0][0] == "名称"
    assert {row[3] for row in rows[1:]} == {"青村镇"}
    assert client_for(None).get("/organisations/", {"format": "xlsx"}).status_code == 302
    # An enterprise's export of applications holds its own only.
    own = client_for(EnterpriseUserFactory(organisation=xianda))
    book = own.get("/applications/", {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(book.streaming_content))).active.values)
    assert len(rows) == 1  # the header: it has no application yet
    demands = own.get("/services/demands/", {"format": "xlsx"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(demands.streaming_content))).active.values
    )
    assert len(rows) == 2 and rows[1][0] == "上海贤达精密机械有限公司"
    other = client_for(users["enterprise"]).get("/services/demands/", {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(other.streaming_content))).active.values)
    assert len(rows) == 1  # someone else's demands never leak into an export
