"""In a browser: the demo enterprise user uploads a real CMDE guidance and reads the report."""

from pathlib import Path

import pytest

from zhibiao.demo import story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]
DOCUMENT = (
    Path(__file__).resolve().parents[1] / "stdcodes" / "corpus" / "nmpa_guidance_cmde-2018-120.md"
)


def test_upload_a_real_document_and_see_superseded_editions(
    live_server, demo, page, settings, tmp_path
):
    from zhibiao.standards.services import load_shipped_catalogue

    settings.PRIVATE_ROOT = tmp_path
    load_shipped_catalogue()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", story.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/workbench/")

    page.click("nav.site-nav >> text=标准")
    page.click("nav.std-nav >> text=标准查新")
    page.set_input_files("input[name=file]", str(DOCUMENT))
    page.click("#check-form button[type=submit]")
    page.wait_for_url("**/standards/check/*/")
    report = page.inner_text("main")
    assert "被代替" in report
    row = page.locator("tr", has_text="GB/T 16886.1-2011").first
    assert "GB/T 16886.1-2022" in row.inner_text()
    assert "推断" in row.inner_text()
    assert "第 55 行" in row.inner_text()
    with page.expect_download() as download:
        page.click("text=下载报告（xlsx）")
    assert download.value.suggested_filename.endswith(".xlsx")
