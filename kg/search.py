"""Passage search: exact cosine over MiniLM vectors, BM25 over FTS5, and both fused by reciprocal rank fusion.

Why hybrid: vectors find paraphrases ("fast charging time" → "10 to 80% in 12 minutes") that share no word with
the query, while BM25 keeps exact tokens the model blurs (formulas such as Li6PS5Cl, patent numbers). RRF fuses
the two rankings by rank alone, so neither score scale has to be calibrated against the other.

Vector search is exact: one matrix-vector product over unit vectors, one row per distinct passage text (a
sentence repeated across documents is scored once, then expanded to its passages). At 300k rows the float32
matrix takes 460 MB and the product about 30 ms on two cores (memory-bound), so an approximate index would add a
dependency and recall loss for little gain. float16 would halve the memory but numpy has no BLAS kernel for it (20× slower
here). The matrix is cached per process and rebuilt (about 5 s at 300k) only when the store's `version()` changes.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kg.embeddings import MODEL_ID, EmbeddingsUnavailable, embed
from kg.model import Fact, Passage
from kg.store.cached import cached, document_names
from kg.store.protocol import GraphStore, iter_batches

RRF_K = 60
EMBED_CHUNK = 256
"""Texts embedded and committed together: large enough to keep the model busy, small enough to resume cheaply."""
CANDIDATES = 20
"""Depth of each ranking fed to the fusion (20 beat 10 and 50 on the hand-labelled corpus queries)."""
COMMON_TERM_SHARE = 0.05
COMMON_TERM_MIN = 1000


@dataclass
class SearchHit:
    passage_id: str
    document_id: str
    document: str
    quote: str
    start: int
    end: int
    score: float
    facts: list[Fact] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"passage_id": self.passage_id, "document": self.document, "quote": self.quote,
                "start": self.start, "end": self.end, "score": self.score,
                "facts": [{"kind": f.kind, "slots": f.slots} for f in self.facts]}


def ensure_embeddings(store: GraphStore, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed every passage text the store has no vector for; returns how many texts were embedded.

    Texts are embedded shortest first (less padding per batch) and committed chunk by chunk, so an interrupted
    run keeps what it finished. `progress(done, total)` is called once before the first chunk and after each.
    """
    if not hasattr(store, "missing_embeddings"):
        raise EmbeddingsUnavailable(f"{type(store).__name__} does not store embeddings")
    store.use_embedding_model(MODEL_ID)
    missing = sorted(store.missing_embeddings(), key=lambda row: len(row[1]))
    if not missing:
        return 0
    done = 0
    if progress:
        progress(0, len(missing))
    for chunk in iter_batches(missing, EMBED_CHUNK):
        vectors = embed([text for _, text in chunk])
        store.put_embeddings([(key, vector.tobytes()) for (key, _), vector in zip(chunk, vectors)])
        done += len(chunk)
        if progress:
            progress(done, len(missing))
    return done


def _vector_index(store: GraphStore) -> tuple[list[str], np.ndarray]:
    """The store's (text hashes, float32 matrix), rebuilt only when the store's version changes."""
    def build() -> tuple[list[str], np.ndarray]:
        ids, matrix = store.vector_index()
        return ids, np.ascontiguousarray(matrix, dtype=np.float32)

    return cached(store, "vector-index", build)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first, without sorting the whole array."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(scores, scores.shape[0] - k)[-k:]
    return top[np.argsort(-scores[top], kind="stable")]


def rank_by_vector(store: GraphStore, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
    """(passage id, cosine similarity to the unit `vector`), best first; a store with a native index ranks itself."""
    if hasattr(store, "search_vectors"):
        return store.search_vectors(vector, k)
    if not hasattr(store, "vector_index"):
        raise EmbeddingsUnavailable(f"{type(store).__name__} has no vector search")
    keys, matrix = _vector_index(store)
    if not keys:
        return []
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    best = [(keys[i], float(scores[i])) for i in top_k(scores, k)]
    passages = store.text_passages([key for key, _ in best], limit=k)
    return [(pid, score) for key, score in best for pid in passages[key]][:k]


def vector_ranking(store: GraphStore, query: str, k: int) -> list[tuple[str, float]]:
    """(passage id, cosine similarity to the embedded `query`), best first."""
    if not query.strip():
        return []
    return rank_by_vector(store, embed([query])[0], k)


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_FORMULA = re.compile(r"(?:[A-Z][a-z]?\d{0,2}){2,}")
_STOPWORDS = frozenset("""a an and are as at be been being by can could did do does for from had has have how i in
is it its may might of on or should so than that the their them then there these they this those to was we were
what when where which who whom whose why will with would you your""".split())


def keyword_query(query: str) -> str:
    """Query words for BM25: function words dropped, and the other spelling of each formula added.

    The store ORs the words, so a function word would let "how", "can" or "the" match half the corpus, and a
    formula typed as Li6PS5Cl must also match the Li₆PS₅Cl documents write.
    """
    words = re.findall(r"\w+", query)
    words = [w for w in words if w.lower() not in _STOPWORDS] or words
    extra = []
    for word in words:
        folded = unicodedata.normalize("NFKC", word)
        if folded != word:
            extra.append(folded)
        elif _FORMULA.fullmatch(word) and any(c.isdigit() for c in word):
            extra.append(word.translate(_SUBSCRIPT))
    return " ".join(words + [w for w in extra if w not in words])


def keyword_ranking(store: GraphStore, query: str, k: int) -> list[tuple[Passage, float]]:
    """(passage, BM25 score), best first.

    Words found in more than COMMON_TERM_SHARE of all passages (and in over COMMON_TERM_MIN, so small stores
    keep every word) are left out when rarer ones remain: their BM25 weight is near zero, yet the store must
    score every passage holding them. "solid" and "state" match a third of a battery corpus; at 300k passages
    dropping them cut the slowest query from 580 to 55 ms.
    """
    words = keyword_query(query).split()
    if not words:
        return []
    if hasattr(store, "term_document_counts"):
        total, counts = store.term_document_counts(words)
        limit = max(COMMON_TERM_SHARE * total, COMMON_TERM_MIN)
        rare = [w for w in words if counts.get(w, 0) <= limit]
        words = rare or words
    return store.search_text(" ".join(words), limit=k)


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Items scored by the sum of 1 / (k + rank) over the rankings that hold them, best first."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _hits(store: GraphStore, ranked: list[tuple[str, float]], known: dict[str, Passage]) -> list[SearchHit]:
    """Ranked passage ids → hits carrying document name, quote, offsets and the facts each passage states."""
    passages = [(known.get(pid) or store.passage(pid), score) for pid, score in ranked]
    passages = [(p, score) for p, score in passages if p is not None]
    ids = [p.id for p, _ in passages]
    facts = _facts_for_passages(store, ids)
    names = document_names(store)
    return [SearchHit(passage_id=p.id, document_id=p.document_id, document=names.get(p.document_id, p.document_id),
                      quote=p.text, start=p.start, end=p.end, score=score, facts=facts.get(p.id, []))
            for p, score in passages]


def _facts_for_passages(store: GraphStore, ids: list[str]) -> dict[str, list[Fact]]:
    if hasattr(store, "facts_for_passages"):
        return store.facts_for_passages(ids)
    wanted = set(ids)
    out: dict[str, list[Fact]] = {pid: [] for pid in ids}
    for document_id in {p.document_id for p in (store.passage(pid) for pid in ids) if p is not None}:
        for fact in store.facts(document_id=document_id):
            if fact.evidence.passage_id in wanted:
                out[fact.evidence.passage_id].append(fact)
    return out


def vector_search(store: GraphStore, query: str, k: int = 10) -> list[SearchHit]:
    """Passages closest in meaning to `query`; score is the cosine similarity."""
    return _hits(store, vector_ranking(store, query, k), {})


def keyword_search(store: GraphStore, query: str, k: int = 10) -> list[SearchHit]:
    """Passages sharing words with `query`, by BM25."""
    ranked = keyword_ranking(store, query, k)
    return _hits(store, [(p.id, score) for p, score in ranked], {p.id: p for p, _ in ranked})


def hybrid_search(store: GraphStore, query: str, k: int = 10) -> list[SearchHit]:
    """Vector and keyword rankings fused by RRF; score is the fused score (at most 2 / (RRF_K + 1)).

    The rankings run one after the other: the matrix product already uses both cores, and a second thread for
    the full-text query measured no faster.
    """
    depth = max(k, CANDIDATES)
    vector = vector_ranking(store, query, depth)
    keyword = keyword_ranking(store, query, depth)
    fused = reciprocal_rank_fusion([[pid for pid, _ in vector], [p.id for p, _ in keyword]])[:k]
    return _hits(store, fused, {p.id: p for p, _ in keyword})
