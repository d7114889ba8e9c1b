"""A check that stays (issue 13): every role, signed in on the demo, follows the links its pages
show, starting from the workbench, and every page it reaches must

- answer below 400 (a link the page itself showed must not lead to a refusal or nowhere), and
- read as Chinese: no user-visible Latin word outside the allow-list of codes, units and names.

The crawl is bounded: it visits each URL pattern a few times at most (one event page stands for
fifteen), to a fixed depth, so that it stays quick while a new page or link is still covered.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import lxml.html
import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from zhibiao.accounts.models import User
from zhibiao.demo import story

pytestmark = pytest.mark.django_db

#: How far from the workbench, how many pages of one URL pattern, how many pages in all.
DEPTH = 3
PER_PATTERN = 2
PER_ROLE = 160

#: Paths never followed: they sign out, switch language, leave the pages for machines, or are
#: the administration site (Django's own, in English by design for the superuser only).
SKIP_PREFIXES = ("/accounts/logout", "/i18n/", "/api/", "/admin/", "/static/", "/media/")

#: Elements whose text is not the page's prose.
NOT_PROSE = {
    *("script", "style", "noscript", "template", "svg"),
    *("code", "kbd", "samp", "pre"),
    "textarea",  # what a user typed (a rule book's YAML for its authors), not the page's words
}

#: Attributes a user reads or hears.
SPOKEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

#: Latin words a Chinese page may show besides codes and abbreviations in capitals (`_is_code`):
#: names of products and formats, units, and the names of sources the pages credit.
ALLOWED_WORDS = {
    "zhibiao",
    "English",  # the language button
    "Excel",
    "Word",
    "Outlook",
    "xlsx",
    "docx",
    "km",
    "kg",
    "ms",
    "dB",
    "h",
    "docmcp-knowledge",  # the medical-device catalogue's source, credited on the standards page
}

#: A Latin run: letters, possibly joined by an apostrophe or a hyphen.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: Tokens that are codes, not words: anything holding a digit, an address, a file name.
CODE_TOKEN = re.compile(r"\S*(\d|@|://|\.\w{2,4}\b|/)\S*")


@dataclass
class Finding:
    """What was wrong where, and the page that linked there."""

    url: str
    problem: str
    came_from: str

    def __str__(self) -> str:
        return f"{self.url} ({self.problem}), linked from {self.came_from}"


@dataclass
class Crawl:
    """One role's walk through the links."""

    client: Client
    visited: set[str] = field(default_factory=set)
    per_pattern: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def run(self, start: str) -> None:
        queue: deque[tuple[str, int, str]] = deque([(start, 0, "(start)")])
        while queue and len(self.visited) < PER_ROLE:
            url, depth, came_from = queue.popleft()
            if url in self.visited or not self._take(url):
                continue
            self.visited.add(url)
            response = self.client.get(url)
            if response.status_code >= 400:
                self.findings.append(Finding(url, f"HTTP {response.status_code}", came_from))
                continue
            if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
                continue
            tree = lxml.html.fromstring(response.content)
            for word, text in latin_words(tree):
                self.findings.append(Finding(url, f"Latin word {word!r} in {text!r}", came_from))
            if depth < DEPTH:
                for link in links(tree):
                    if link not in self.visited:
                        queue.append((link, depth + 1, url))

    def _take(self, url: str) -> bool:
        """Whether the bound lets this URL in: a few pages per pattern."""
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            return True  # a dead link: visit it, the 404 is a finding
        keys = ",".join(sorted(k for k, _ in parse_qsl(urlsplit(url).query)))
        pattern = f"{match.route}?{keys}"
        if self.per_pattern.get(pattern, 0) >= PER_PATTERN:
            return False
        self.per_pattern[pattern] = self.per_pattern.get(pattern, 0) + 1
        return True


def links(tree) -> list[str]:
    """The site's own page links of a page, fragments dropped, query kept in a stable order."""
    found = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES) or anchor.get("download") is not None:
            continue
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


def latin_words(tree) -> list[tuple[str, str]]:
    """User-visible Latin words of a page not on the allow-list, each once, with the text (cut
    short) it stands in."""
    texts = []
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str):
            continue
        if any(ancestor.tag in NOT_PROSE for ancestor in element.iterancestors()):
            continue
        if element.get("translate") == "no" or element.get("lang", "zh").startswith("en"):
            continue
        if element.tag not in NOT_PROSE and element.text:
            texts.append(element.text)
        texts.extend(element.get(name) or "" for name in SPOKEN_ATTRIBUTES)
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            texts.append(element.get("value") or "")
        if element.tail and element.getparent() is not None:
            texts.append(element.tail)
    words: dict[str, str] = {}
    for text in texts:
        for token in text.split():
            if CODE_TOKEN.fullmatch(token):
                continue
            for word in LATIN_WORD.findall(token):
                if word not in ALLOWED_WORDS and word not in words and not _is_code(word):
                    words[word] = " ".join(text.split())[:60]
    return list(words.items())


def _is_code(word: str) -> bool:
    """Up to six capitals: a code or an abbreviation (an industry section, a standard, a mark)."""
    return word.isupper() and len(word) <= 6


def test_every_linked_page_opens_and_reads_as_chinese(demo):
    """Each role in turn, on one load of the demo (the crawl only reads)."""
    problems = []
    for username, *_rest in story.ACCOUNTS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        crawl = Crawl(client)
        crawl.run("/accounts/workbench/")
        assert len(crawl.visited) > 10, f"{username} reached only {sorted(crawl.visited)}"
        if crawl.findings:
            problems.append(f"as {username}:\n{report(crawl.findings)}")
    assert not problems, "\n".join(problems)


def report(findings: list[Finding]) -> str:
    """One line per problem: where it was first met, and on how many other pages."""
    first: dict[str, Finding] = {}
    more: dict[str, int] = {}
    for finding in findings:
        latin = finding.problem.startswith("Latin")
        key = finding.problem.split(" in ")[0] if latin else str(finding)
        if key in first:
            more[key] = more.get(key, 0) + 1
        else:
            first[key] = finding
    return "\n".join(
        f"{finding}" + (f" (and {more[key]} more pages)" if key in more else "")
        for key, finding in first.items()
    )


def test_the_check_finds_what_it_looks_for():
    """The detector itself: an English word in prose is found; codes, allowed words, code
    elements and English-marked elements are not."""
    page = lxml.html.fromstring(
        "<html><body><p>申请 pending 于 2026-01-01，依据 GB/T 19001-2016 与 ISO 9001</p>"
        "<code>count(standards)</code><span lang='en'>English only</span>"
        "<a href='/x' title='Open'>打开</a></body></html>"
    )
    assert [word for word, _text in latin_words(page)] == ["pending", "Open"]
    assert links(page) == ["/x"]
