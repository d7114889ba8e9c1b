"""Chinese sentences take Chinese punctuation (，：；（）？！): an ASCII comma, colon, semicolon,
bracket, question or exclamation mark next to a Chinese character in a translation is a slip.

Placeholders, HTML, code samples (a rules-language call such as count(%(list)s, 条件)) and
addresses are not prose and are left out; ASCII punctuation
between Latin letters or digits ("C27, C38", "GB/T 4754: 2017") is not next to Chinese and stays.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

#: Chinese characters and the CJK and full-width punctuation around them.
CJK = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
ASCII = r"[,:;()?!]"
SLIP = re.compile(rf"{CJK}[ \t]*{ASCII}|{ASCII}[ \t]*{CJK}")
NOT_PROSE = re.compile(
    # a call in the rules language, its arguments named in Chinese: count(%(list)s, 条件)
    r"(?:\b[A-Za-z_]\w*|%\(\w+\)s)\((?:%\(\w+\)s|[^()])*\)"
    r"|%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdif]"  # %(name)s, %(average).1f
    r"|\{\w*\}"  # {name}
    r"|<code>.*?</code>|<[^>]+>|&#?\w+;"  # code samples, tags, entities
    r"|https?://\S+",
    re.S,
)


def slips(text: str) -> list[str]:
    """The ASCII punctuation marks next to Chinese in `text`, with what is around them."""
    return SLIP.findall(NOT_PROSE.sub(" ", text))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("企业和商(协)会必填", ["商(", "协)"]),
        ("名称: 值", ["称:"]),
        ("共 3 条, 合计", ["条,"]),
        ("是否继续?", ["续?"]),
        ("名称：%(name)s（%(count)s 家）", []),
        ("平均 %(average).1f 分", []),
        ("如 C27, C38；留空表示不限。", []),
        ("以 <code>Authorization: Bearer &lt;令牌&gt;</code> 发送", []),
        ("count(%(list)s) 或 count(%(list)s, 条件)", []),
        ("%(name)s(起始日期, 截止日期) 需要两个日期", []),
        ("函数（如 count(...)）", []),
        ("此处应为映射(键: 值)", ["射(", "键:", "值)"]),
    ],
)
def test_the_check_finds_slips_and_only_slips(text, found):
    assert slips(text) == found


def test_no_ascii_punctuation_in_chinese_sentences():
    catalogue = polib.pofile(str(PO))
    found = [
        f"{entry.msgid!r}: {translation!r} ({' '.join(slips(translation))})"
        for entry in catalogue
        if not entry.obsolete
        for translation in [entry.msgstr, *entry.msgstr_plural.values()]
        if slips(translation)
    ]
    assert found == [], "use ，：；（）？！ in Chinese:\n" + "\n".join(found)
