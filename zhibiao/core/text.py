"""Chinese text into comparable words, for matching needs to services and experts.

jieba segments Chinese without spaces; its dictionary ships inside the wheel, so nothing is
downloaded. Single characters, punctuation and a few filler words carry no meaning for
matching and are dropped.
"""

from __future__ import annotations

import gc
import logging
import threading
from functools import lru_cache

_STOP = frozenset(
    {
        "我们", "你们", "他们", "需要", "进行", "希望", "提供", "相关", "服务", "一些", "一个",
        "以及", "或者", "并且", "可以", "能够", "如何", "什么", "这个", "那个", "没有", "已经",
        "目前", "需求", "帮助", "协助", "开展", "有关", "方面", "问题", "工作", "公司", "企业",
        "我司", "本公司",
    }
)  # fmt: skip
_lock = threading.Lock()
_ready = False


def tokenizer():
    """The process's one jieba tokenizer, loaded on first use (about a second).

    Every part of the platform that segments Chinese uses this one, so the dictionary is in
    memory once.
    """
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                # The dictionary is a few hundred thousand long-lived objects; left in the
                # collector's care they make every full collection take ~100 ms, a pause
                # that lands on some unlucky request. They never die: freeze them.
                gc.freeze()
                _ready = True
    return jieba.dt


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """The meaningful words of a text (search-mode segmentation, so 检验检测 also yields 检验)."""
    out = set()
    for token in tokenizer().cut_for_search(text or ""):
        token = token.strip().lower()
        if len(token) < 2 or token in _STOP or not any(ch.isalnum() for ch in token):
            continue
        out.add(token)
    return frozenset(out)
