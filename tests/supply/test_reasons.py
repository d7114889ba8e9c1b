"""The reasons a candidate is shown with, as the user reads them."""

from django.utils import translation

from zhibiao.supply.matching import _Facts


def facts(shared: set[str]) -> _Facts:
    return _Facts(
        kind="same",
        shared=frozenset(shared),
        need_words=3,
        industry=None,
        town=None,
        open_work=0,
        ratings=0,
        rating_total=0,
        answers=0,
        answer_seconds=0,
    )


def test_latin_matching_words_are_shown_as_the_abbreviations_they_are():
    """Words are matched lower-cased; "cma" in a Chinese sentence reads as the mark CMA."""
    with translation.override("zh-hans"):
        reasons = facts({"cma", "检测"}).reasons()
    assert "关键词相符：CMA、检测" in reasons
