"""Document text shown as text: Markdown built so that nothing in a document is ever interpreted."""
from __future__ import annotations

import re

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=^@%])")


def literal(text: str) -> str:
    """Markdown that renders `text` exactly: every ASCII punctuation mark is backslash-escaped (CommonMark)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text).replace("\n", " ")


def highlighted(quote: str, needle: str) -> str:
    """The quote as literal Markdown with `needle` (case-insensitive) on a highlight background."""
    match = re.search(re.escape(needle), quote, re.IGNORECASE) if needle else None
    if not match:
        return literal(quote)
    return (literal(quote[:match.start()]) + ":orange-background[" + literal(match.group()) + "]"
            + literal(quote[match.end():]))
