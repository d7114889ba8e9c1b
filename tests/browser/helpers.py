"""Steps the browser tests share: signing in and out as a demo account, pressing a button,
finding a clause's card on 我的政策."""

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


def clause_card(page, base: str, code: str, *, unfold: bool = False):
    """The card of clause `code` on the signed-in enterprise user's 我的政策; `unfold` opens
    its details (the reasons and where the facts came from)."""
    page.goto(f"{base}/measures/mine/")
    card = page.locator(f"#clause-{code}")
    if unfold:
        card.locator("summary").first.click()
    return card
