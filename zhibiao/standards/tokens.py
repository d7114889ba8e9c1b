"""Words of Chinese titles, by jieba, for the title search.

Titles are indexed with jieba's search mode, which yields a long word and the shorter words
inside it (医疗器械 → 医疗, 器械, 医疗器械), so a query for either finds it. A query is cut in
the precise mode; a query word that no title has as a token is replaced by its shorter words,
then by its characters, so a word that jieba cuts differently in a title and in a query is
still found. The dictionary ships in jieba's package: no network.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable

from zhibiao.core.text import tokenizer

#: Words too common or too empty to search by.
STOP_WORDS = frozenset(
    {"的", "和", "与", "及", "或", "之", "对", "用", "在", "中", "等", "其", "第", "部分", "个"}
    | {"类", "一般", "通用", "the", "of", "and", "for", "in", "to", "a", "on"}
)
MAX_TOKEN = 40


def _jieba():
    """The platform's one jieba tokenizer (see zhibiao.core.text)."""
    return tokenizer()


def _clean(words: Iterable[str]) -> list[str]:
    out = []
    for word in words:
        word = word.strip().lower()
        if not word or word in STOP_WORDS:
            continue
        if all(unicodedata.category(char)[0] in "PSZC" for char in word):
            continue
        out.append(word[:MAX_TOKEN])
    return out


def _fold(text: str) -> str:
    """Full-width letters and digits to ASCII, so ＩＳＯ and ISO are one token."""
    return unicodedata.normalize("NFKC", text)


def title_tokens(*titles: str) -> frozenset[str]:
    """The distinct tokens of a standard's titles (Chinese and English)."""
    tokens: set[str] = set()
    for title in titles:
        if title:
            tokens.update(_title_tokens(title))
    return frozenset(tokens)


@functools.lru_cache(maxsize=50_000)
def _title_tokens(title: str) -> frozenset[str]:
    """Cached: the demo loads the same few thousand titles again and again (tests)."""
    return frozenset(_clean(_jieba().cut_for_search(_fold(title), HMM=False)))


def query_groups(text: str, known: Callable[[str], bool]) -> list[str]:
    """The tokens a title must have to match ``text``, in query order, without repeats.

    ``known(token)`` says whether any title has the token; unknown words are split into
    the shorter words jieba sees inside them, and those into characters, until known.
    """
    tokenizer = _jieba()
    out: list[str] = []

    def add(word: str, depth: int) -> None:
        if word in out:
            return
        if known(word) or depth == 2 or len(word) == 1 or word.isascii():
            out.append(word)
            return
        if depth == 0:
            pieces = [p for p in _clean(tokenizer.cut_for_search(word, HMM=False)) if p != word]
            leaves = [p for p in pieces if not any(q != p and q in p for q in pieces)]
            if leaves and "".join(leaves) == word:
                for leaf in leaves:
                    add(leaf, 1)
                return
        for char in _clean(word):
            add(char, 2)

    for word in _clean(tokenizer.cut(_fold(text), HMM=False)):
        add(word, 0)
    return out
