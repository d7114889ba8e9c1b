"""Shared helpers for the stdcodes tests: reading the labelled corpus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Case:
    """One block of cases.txt."""

    comment: str
    text: str
    expected: list[str]


def load_cases() -> list[Case]:
    """Parse cases.txt (blocks separated by ``---``; ``>>> `` expected, ``;;`` comment)."""
    raw = (CORPUS / "cases.txt").read_text(encoding="utf-8")
    cases = []
    for block in raw.split("\n---\n"):
        lines = block.strip("\n").split("\n")
        comments = [line[2:].strip() for line in lines if line.startswith(";;")]
        expected = [line[4:] for line in lines if line.startswith(">>> ")]
        text = "\n".join(line for line in lines if not line.startswith((";;", ">>> ")))
        if not expected:
            assert not text.strip(), f"block without '>>> ' lines: {block!r}"
            continue
        cases.append(Case(" ".join(comments), text, [] if expected == ["(none)"] else expected))
    return cases


def labelled_documents() -> list[tuple[str, str, list[str]]]:
    """(name, text, labels) for every document that has a .labels.txt file."""
    docs = []
    for labels in sorted(CORPUS.glob("*.labels.txt")):
        name = labels.name.removesuffix(".labels.txt")
        text = (CORPUS / f"{name}.md").read_text(encoding="utf-8")
        expected = [line for line in labels.read_text(encoding="utf-8").splitlines() if line]
        docs.append((name, text, expected))
    return docs


def catalogue_codes() -> list[str]:
    """Distinct codes of the shared catalogues, with ``\\n`` restored to a line break."""
    lines = (CORPUS / "catalogue_codes.txt").read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line]
