"""Steps the browser tests share: signing in and out as a demo account, pressing a button."""

from zhibiao.demo import story


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", story.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/workbench/")


def sign_out(page) -> None:
    page.click("header >> text=退出")
    page.wait_for_load_state()


def press(page, label: str) -> None:
    page.click(f"main button:has-text('{label}')")
    page.wait_for_load_state()
