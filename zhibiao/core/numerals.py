"""Chinese numerals for ordinal labels such as 第一批 and 第十二批."""

from django.utils.translation import get_language

_DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """The number in Chinese numerals when the active language is Chinese, else in digits.

    Batches and terms never pass 99, so tens and units are enough: 1 一, 10 十, 12 十二, 20 二十.
    """
    if not (get_language() or "").startswith("zh") or not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "")
