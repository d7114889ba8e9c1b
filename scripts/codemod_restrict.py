#!/usr/bin/env python3
"""Rewrite the old queryset permission verbs into the one verb (issue 12).

    python scripts/codemod_restrict.py [--check] [PATH ...]     (default: zhibiao tests)

Why a script: several branches were open when the verbs went, each still calling them; run on
a merged tree, this brings their call sites over the same way every time. It is idempotent:
what it writes matches none of its patterns, so a second run changes nothing.

What it rewrites (see `zhibiao/core/permissions.py`):

- ``ensure(X.objects.<verb>(u).filter(pk=E).exists())`` → ``ensure_can(u, "<action>", obj)``;
- ``X.objects.<verb>(u).filter(pk=E).exists()`` → ``can(u, "<action>", obj)``, where ``obj``
  is ``o`` for ``E = o.pk``, ``a.b`` for ``E = a.b_id``, else ``X(pk=E)`` (no query: `can`
  reads only the model and the key);
- ``get_object_or_404(X.objects.visible_to(u), pk=E)`` (or ``code=E``, …) →
  ``X.objects.get_for(u, "view", E)``; for the other verbs the fetch keeps its 404 and becomes
  ``get_object_or_404(X.objects.restrict(u, "<action>"), pk=E)``;
- a machine's ``visible=X.objects.visible_to`` → ``restrict="view"``;
- every other ``.<verb>(u)`` → ``.restrict(u, "<action>")`` (``of`` only after ``.objects``).

A queryset class (``class XQuerySet(models.QuerySet)``) still defining the old verbs becomes
a ``RestrictedQuerySet``: its verbs are renamed private (``def _visible_to``), their bodies
unchanged, and a table ``actions = {"view": _visible_to, …}`` is added at its end; one that
already has a table is only reported. It adds the imports of `RestrictedQuerySet`, `can` and
`ensure_can` where it introduced them, then lets ruff drop the imports left unused
(``ensure``) and sort and format the files it changed. ``listed()`` is not a permission (it
takes no user) and stays. A file that holds the old verbs on purpose (this script's tests)
says so with a comment ``# codemod_restrict: skip``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: Old verb → action of `restrict`.
VERBS = {
    "visible_to": "view",
    "editable_by": "change",
    "managed_by": "manage",
    "private_visible_to": "view_private",
    "of": "act",
}
NAMED = "|".join(sorted((v for v in VERBS if v != "of"), key=len, reverse=True))
ALL = "|".join(sorted(VERBS, key=len, reverse=True))

#: The acting user's expression and a primary key's: no parentheses, no commas.
USER = r"[^(),]+?"
KEY = r"[^(),]+?"
MODEL = r"[A-Z]\w*"

CHECK = (
    rf"(?P<model>{MODEL})\.objects\.(?P<verb>{ALL})\(\s*(?P<user>{USER})\s*\)"
    rf"\s*\.filter\(\s*pk=(?P<key>{KEY})\s*\)\s*\.exists\(\)"
)
ENSURE_RE = re.compile(rf"(?<![\w.])ensure\(\s*{CHECK}\s*\)")
CAN_RE = re.compile(CHECK)
FETCH_RE = re.compile(
    rf"(?<![\w.])get_object_or_404\(\s*(?P<model>{MODEL})\.objects\."
    rf"(?P<verb>{ALL})\(\s*(?P<user>{USER})\s*\)\s*,"
    rf"\s*(?P<field>\w+)=(?P<key>{KEY})\s*,?\s*\)"
)
#: The parentheses the old check needed to break its line, around the `can(...)` it became.
PARENS_RE = re.compile(
    r"(?P<before>\b(?:or|and|not|return|=) )\(\s*(?P<call>can\([^()]*(?:\([^()]*\))?[^()]*\))\s*\)"
)
MACHINE_RE = re.compile(rf"\bvisible=(?:{MODEL})\.objects\.visible_to\b(?!\s*\()")
NAMED_RE = re.compile(rf"\.(?P<verb>{NAMED})\(\s*(?P<user>{USER})\s*\)")
OF_RE = re.compile(rf"\.objects\.of\(\s*(?P<user>{USER})\s*\)")
CLASS_RE = re.compile(r"^class (?P<name>\w+)\((?:models\.)?QuerySet(?:\[[^\]]*\])?\):\n", re.M)
#: A class's body ends at the next line that starts in the first column.
BODY_END_RE = re.compile(r"\n(?=\S)")
#: A file holding the old verbs on purpose (this script's own tests) says so.
SKIP = "codemod_restrict: " + "skip"
DEFINITION_RE = re.compile(rf"^\s+def (?:{ALL})\(self, user", re.M)


def _obj(model: str, key: str) -> str:
    """The object whose key is `key`: the instance itself for `o.pk`, else an unsaved
    `Model(pk=key)`, which costs no query and, for a key that is None, is refused as before
    (a foreign key `a.b_id` is not followed to `a.b`: that would fetch it, and fail on None)."""
    key = key.strip()
    if re.fullmatch(r"[\w.]+\.pk", key):
        return key[: -len(".pk")]
    return f"{model}(pk={key})"


def _call(function: str, m: re.Match) -> str:
    action = VERBS[m["verb"]]
    return f'{function}({m["user"].strip()}, "{action}", {_obj(m["model"], m["key"])})'


def _fetch(m: re.Match) -> str:
    user, action = m["user"].strip(), VERBS[m["verb"]]
    if action == "view":
        key = m["key"].strip()
        argument = key if m["field"] == "pk" else f"{m['field']}={key}"
        return f'{m["model"]}.objects.get_for({user}, "view", {argument})'
    queryset = f'{m["model"]}.objects.restrict({user}, "{action}")'
    return f"get_object_or_404({queryset}, {m['field']}={m['key'].strip()})"


def _definitions(text: str) -> str:
    """A queryset class still defining public verbs: its verbs become private, its base
    `RestrictedQuerySet`, and a table of actions names them (one that has a table already is
    left for a person, and reported)."""
    out, at = [], 0
    for m in CLASS_RE.finditer(text):
        start = m.end()
        end = BODY_END_RE.search(text, start)
        stop = end.start() + 1 if end else len(text)
        body = text[start:stop]
        verbs = [v for v in VERBS if re.search(rf"^    def {v}\(self, user", body, re.M)]
        if not verbs or re.search(r"^    actions = ", body, re.M):
            continue
        for verb in verbs:
            body = re.sub(
                rf"^    def {verb}\(self, user", f"    def _{verb}(self, user", body, flags=re.M
            )
        table = ", ".join(f'"{VERBS[v]}": _{v}' for v in verbs)
        body = (
            body.rstrip("\n")
            + f"\n\n    actions = {{{table}}}\n"
            + "\n" * (len(body) - len(body.rstrip("\n")) - 1)
        )
        out += [text[at : m.start()], f"class {m['name']}(RestrictedQuerySet):\n", body]
        at = stop
    return "".join(out) + text[at:]


def rewrite(text: str) -> str:
    text = _definitions(text)
    text = ENSURE_RE.sub(lambda m: _call("ensure_can", m), text)
    text = CAN_RE.sub(lambda m: _call("can", m), text)
    text = PARENS_RE.sub(r"\g<before>\g<call>", text)
    text = FETCH_RE.sub(_fetch, text)
    text = MACHINE_RE.sub('restrict="view"', text)
    text = NAMED_RE.sub(lambda m: f'.restrict({m["user"].strip()}, "{VERBS[m["verb"]]}")', text)
    text = OF_RE.sub(lambda m: f'.objects.restrict({m["user"].strip()}, "act")', text)
    return _add_imports(text)


def _uses(name: str, text: str) -> bool:
    """Whether the module calls (or, for the class, derives from) `name` without defining it."""
    used = re.search(rf"(?<![\w.]){name}\(" if name[0].islower() else rf"\({name}\)", text)
    return used is not None and re.search(rf"^(?:def|class) {name}\b", text, re.M) is None


def _imports(name: str, text: str) -> bool:
    statement = r"^from zhibiao\.core\.permissions import (?:\([^)]*|[^\n]*)"
    return re.search(rf"{statement}\b{name}\b", text, re.M) is not None


def _add_imports(text: str) -> str:
    names = ("RestrictedQuerySet", "can", "ensure_can")
    missing = [n for n in names if _uses(n, text) and not _imports(n, text)]
    if not missing:
        return text
    line = f"from zhibiao.core.permissions import {', '.join(missing)}\n"
    # Before the first top-level first-party import, else after the last top-level import;
    # ruff's isort puts it in its place afterwards.
    first = re.search(r"^from zhibiao\.", text, re.M)
    if first:
        return text[: first.start()] + line + text[first.start() :]
    tops = list(re.finditer(r"^(?:from|import) [^\n(]*(?:\([^)]*\))?[^\n]*\n", text, re.M))
    at = tops[-1].end() if tops else 0
    return text[:at] + line + text[at:]


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for path in map(Path, paths):
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        found += [
            p
            for p in candidates
            if "migrations" not in p.parts and p.resolve() != Path(__file__).resolve()
        ]
    return found


def _ruff(files: list[Path]) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and not shutil.which(ruff):
        print("ruff not found: fix imports and format by hand", file=sys.stderr)
        return
    names = [str(f) for f in files]
    subprocess.run([ruff, "check", "--quiet", "--fix", "--select", "F401,I001", *names])
    subprocess.run([ruff, "format", "--quiet", *names], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["zhibiao", "tests"])
    parser.add_argument("--check", action="store_true", help="only list what would change")
    args = parser.parse_args(argv)
    changed = []
    for path in _files(args.paths):
        text = path.read_text(encoding="utf-8")
        if SKIP in text:
            continue
        new = rewrite(text)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
        for m in DEFINITION_RE.finditer(new):
            line = new.count("\n", 0, m.start()) + 1
            print(f"{path}:{line}: a public permission verb: give its queryset a table of actions")
    for path in changed:
        print(("would rewrite " if args.check else "rewrote ") + str(path))
    if changed and not args.check:
        _ruff(changed)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
