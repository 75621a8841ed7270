"""Passages: sentences within reader blocks, via spaCy's rule-based sentencizer tuned for the domain.

A blank English pipeline (tokenizer + sentencizer) is fast and deterministic; abbreviations from
`schemas/text.yaml` ("Fig.", "ca.", "et al.") become tokenizer exceptions so they never end a sentence, and
formulas with subscripts contain no sentence punctuation to split on.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from kg.model import Passage, stable_id
from pipelines.readers.base import Block, SourceDocument
from pipelines.schemas import load_schema

MAX_PASSAGE_CHARS = 2000
_MARKER = re.compile(r"[\W_]*(?:\d{1,3}|[ivxIVX]{1,4}|[a-zA-Z])?[.)]?[\W_]*")


@lru_cache(maxsize=1)
def sentence_pipeline():
    """The tokenizer with the domain's abbreviations, and the sentencizer's sentence-final characters."""
    import spacy
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    for abbreviation in load_schema("text")["abbreviations"]:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.max_length = 10_000_000
    final_chars = frozenset(nlp.add_pipe("sentencizer").punct_chars)
    nlp.remove_pipe("sentencizer")
    return nlp, frozenset(nlp.vocab.strings.add(ch) for ch in final_chars), final_chars


def _sentence_firsts(table, final: frozenset[int]) -> list[int]:
    """The sentencizer's rule on token arrays (it builds a Python object per token): a sentence starts at the
    first word token after a sentence-final character."""
    import numpy

    punct = table[:, 3].astype(bool)
    is_final = numpy.array([o in final for o in table[:, 2].tolist()], dtype=bool)
    words = numpy.flatnonzero(~(punct | is_final))
    finals_before = numpy.cumsum(is_final)
    # a word starts a sentence when a sentence-final character stands between it and the word before it
    later = words[1:][finals_before[words[1:] - 1] > finals_before[words[:-1]]]
    lead = words[:1][finals_before[words[:1] - 1] > 0] if len(words) and words[0] > 0 else words[:0]
    return [0, *lead.tolist(), *later.tolist()]


def sentence_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) character spans of its sentences, whitespace trimmed."""
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    nlp, final, final_chars = sentence_pipeline()
    texts = list(texts)
    single = [_one_sentence(text, final_chars) for text in texts]
    docs = nlp.tokenizer.pipe((t for t, one in zip(texts, single) if one is None), batch_size=256)
    for text, one in zip(texts, single):
        if one is not None:
            yield one
            continue
        doc = next(docs)
        if not len(doc):
            yield []
            continue
        table = doc.to_array([IDX, LENGTH, ORTH, IS_PUNCT])
        firsts = _sentence_firsts(table, final)
        spans = []
        for first, after in zip(firsts, [*firsts[1:], len(table)]):
            start, end = int(table[first, 0]), int(table[after - 1, 0] + table[after - 1, 1])
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        yield _merge_markers(text, spans)


_CLOSING = frozenset("\"'”’»)]}")


def _one_sentence(text: str, final_chars: frozenset[str]) -> list[tuple[int, int]] | None:
    """The span of a text that is one sentence whatever the tokenizer does — no sentence-final character stands
    before its last word (most headings, list items and one-sentence paragraphs) — else None: the tokenizer
    decides."""
    body = text.rstrip()
    first = next((i for i, ch in enumerate(body) if ch in final_chars), None)
    if first is not None and not all(ch in _CLOSING or ch in final_chars for ch in body[first:]):
        return None
    start = len(body) - len(body.lstrip())
    return [(start, len(body))] if body[start:] else []


def _merge_markers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A list marker split off as its own "sentence" ("1.", "•") belongs to the sentence after it."""
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for start, end in spans:
        if carry is not None:
            start, carry = carry, None
        if _MARKER.fullmatch(text[start:end]):
            carry = start
            continue
        out.append((start, end))
    if carry is not None:
        out.append((carry, spans[-1][1]))
    return out


def passages(document_id: str, source: SourceDocument) -> list[Passage]:
    """Sentences of every text block; a table row is one passage (its cells are read together)."""
    prose = [b for b in source.blocks if b.end > b.start and b.kind != "table_row"]
    return _passages(document_id, source, dict(zip(map(id, prose), sentence_spans(source.text[b.start:b.end]
                                                                                  for b in prose))))


def _passages(document_id: str, source: SourceDocument, split: dict[int, list[tuple[int, int]]]) -> list[Passage]:
    text = source.text
    blocks: list[Block] = [b for b in source.blocks if b.end > b.start]
    out: list[Passage] = []
    for block in blocks:
        spans = split.get(id(block), [(0, block.end - block.start)])
        for s, e in _cap(spans):
            start, end = block.start + s, block.start + e
            out.append(Passage(id=stable_id("passage", document_id, start, end), document_id=document_id,
                               index=len(out), start=start, end=end, text=text[start:end], page=block.page,
                               section=block.section, block_kind=block.kind))
    return out


def block_passages(document_id: str, source: SourceDocument) -> list[Passage]:
    """Each block one passage (cut when very long), without the sentence splitter: the fallback when it fails."""
    return _passages(document_id, source, {})


def _cap(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Very long "sentences" (tables flattened into prose, lists without punctuation) are cut into pieces."""
    for s, e in spans:
        while e - s > MAX_PASSAGE_CHARS:
            yield s, s + MAX_PASSAGE_CHARS
            s += MAX_PASSAGE_CHARS
        yield s, e
