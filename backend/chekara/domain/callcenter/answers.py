"""Answers at hand: Markdown files per topic and language, searched by words (pure over loaded texts).

knowledge/answers/<topic>/<language>.md — the first line `# Title`, then the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[\w-]+", re.UNICODE)


@dataclass(frozen=True)
class Answer:
    topic: str
    language: str
    title: str
    body: str


def parse_answer(topic: str, language: str, markdown: str) -> Answer:
    lines = markdown.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines else topic
    return Answer(topic, language, title, "\n".join(lines[1:]).strip())


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text) if len(w) > 1]


def search(answers: list[Answer], query: str, language: str | None = None, topic: str | None = None, limit: int = 5) -> list[Answer]:
    """Answers ranked by query words found: a word in the title counts three, a prefix match half."""
    terms = words(query)
    scored = []
    for answer in answers:
        if language and answer.language != language:
            continue
        if topic and answer.topic != topic:
            continue
        title_words, body_words = words(answer.title), words(answer.body)
        score = 0.0
        for term in terms:
            score += 3 * title_words.count(term) + body_words.count(term)
            score += 0.5 * sum(1 for w in title_words + body_words if w != term and w.startswith(term))
        if score > 0 or not terms:
            scored.append((score, answer.topic, answer))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [a for _, _, a in scored[:limit]]
