"""Every Cypher statement of the project, as plain constants, so all of it can be linted and reviewed in one place.

Rules: values only ever travel as `$parameters` (no string formatting anywhere); writes are batched as
`UNWIND $rows AS row MERGE ...` on stable keys so a retried transaction converges to the same graph.

Graph model (mirrors the tables of `kg.store.embedded`)::

    (:Document {id, path, name, content_hash, title, kind, published, source, metadata_json})
      -[:HAS_PASSAGE]->(:Passage {id, document_id, index, start, end, page, section, block_kind, text, topic,
                                   text_hash, embedding?})
      -[:STATES]->(:Fact {id, kind, document_id, passage_id, start, end, quote, method, confidence, slots_json})
    (:Fact)-[:ABOUT {role, position}]->(:Entity {key, type, name, attrs_json})
    (:Passage)-[:MENTIONS {start, end, surface, method, confidence}]->(:Entity)
    (:Alias {id, entity_key, alias, alias_lower, document_id, reason})
    (:State {name, value_json})  -- small JSON objects of the UI (watch-lists, view settings)
    (:Embedding {text_hash, vector})  -- one vector per distinct passage text, kept across re-ingests

Choices:
* The entity type is the indexed property `type`, not a second label: a label cannot be a parameter in the
  portable Cypher 5 subset (dynamic labels arrived only in Neo4j 5.26), and a property keeps one MERGE key.
* Aliases are nodes keyed by `(entity_key, alias, document_id)` (hashed into `id`), exactly like the rows of
  the embedded `aliases` table: removing a document deletes its Alias nodes, and an entity survives while any
  alias, mention or fact of a remaining document still supports it.
* `ABOUT.position` keeps the order of `Fact.entities`, which relationships alone do not preserve.
* JSON-valued fields (`*_json`) are strings because Neo4j properties cannot hold maps.
* Vectors live twice: on `Embedding` nodes keyed by the passage text hash (the cache that survives a document's
  passages being replaced) and on `Passage.embedding`, which the native vector index ranks. A new passage copies
  the vector of its text when one exists, so re-ingesting a document embeds only its new sentences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FULLTEXT_INDEX = "passage_text"
VECTOR_INDEX = "passage_embedding"
EMBEDDING_DIMENSIONS = 384

LABELS = ("Document", "Passage", "Fact", "Entity", "Alias", "State", "Embedding")
RELATIONSHIP_TYPES = ("HAS_PASSAGE", "STATES", "ABOUT", "MENTIONS")
PROPERTY_KEYS = (
    "id", "path", "name", "content_hash", "title", "kind", "published", "source", "metadata_json",
    "document_id", "index", "start", "end", "page", "section", "block_kind", "text", "topic", "embedding",
    "text_hash", "vector",
    "passage_id", "quote", "method", "confidence", "slots_json", "role", "position",
    "key", "type", "attrs_json", "surface", "entity_key", "alias", "alias_lower", "reason", "value_json",
)
ROW_KEYS = ("fact_id",)
"""Keys of `$rows` maps that are not graph properties; the linter cannot tell a row map from a node."""

# -- schema ------------------------------------------------------------------------------------------------
CONSTRAINT_DOCUMENT_ID = "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE"
CONSTRAINT_DOCUMENT_PATH = "CREATE CONSTRAINT document_path IF NOT EXISTS FOR (d:Document) REQUIRE d.path IS UNIQUE"
CONSTRAINT_PASSAGE_ID = "CREATE CONSTRAINT passage_id IF NOT EXISTS FOR (p:Passage) REQUIRE p.id IS UNIQUE"
CONSTRAINT_ENTITY_KEY = "CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (e:Entity) REQUIRE e.key IS UNIQUE"
CONSTRAINT_FACT_ID = "CREATE CONSTRAINT fact_id IF NOT EXISTS FOR (f:Fact) REQUIRE f.id IS UNIQUE"
CONSTRAINT_ALIAS_ID = "CREATE CONSTRAINT alias_id IF NOT EXISTS FOR (a:Alias) REQUIRE a.id IS UNIQUE"
CONSTRAINT_STATE_NAME = "CREATE CONSTRAINT state_name IF NOT EXISTS FOR (s:State) REQUIRE s.name IS UNIQUE"
CONSTRAINT_EMBEDDING_HASH = ("CREATE CONSTRAINT embedding_text_hash IF NOT EXISTS "
                             "FOR (x:Embedding) REQUIRE x.text_hash IS UNIQUE")
INDEX_PASSAGE_TEXT_HASH = "CREATE INDEX passage_text_hash IF NOT EXISTS FOR (p:Passage) ON (p.text_hash)"
INDEX_PASSAGE_DOCUMENT = "CREATE INDEX passage_document IF NOT EXISTS FOR (p:Passage) ON (p.document_id)"
INDEX_ENTITY_TYPE = "CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)"
INDEX_FACT_KIND = "CREATE INDEX fact_kind IF NOT EXISTS FOR (f:Fact) ON (f.kind)"
INDEX_FACT_DOCUMENT = "CREATE INDEX fact_document IF NOT EXISTS FOR (f:Fact) ON (f.document_id)"
INDEX_ALIAS_ENTITY = "CREATE INDEX alias_entity IF NOT EXISTS FOR (a:Alias) ON (a.entity_key)"
INDEX_ALIAS_LOWER = "CREATE INDEX alias_lower IF NOT EXISTS FOR (a:Alias) ON (a.alias_lower)"
INDEX_ALIAS_DOCUMENT = "CREATE INDEX alias_document IF NOT EXISTS FOR (a:Alias) ON (a.document_id)"
FULLTEXT_PASSAGE_TEXT = "CREATE FULLTEXT INDEX passage_text IF NOT EXISTS FOR (p:Passage) ON EACH [p.text]"
VECTOR_PASSAGE_EMBEDDING = """
CREATE VECTOR INDEX passage_embedding IF NOT EXISTS
FOR (p:Passage) ON (p.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
"""
AWAIT_INDEXES = "CALL db.awaitIndexes($timeout_seconds)"

SCHEMA = (
    CONSTRAINT_DOCUMENT_ID, CONSTRAINT_DOCUMENT_PATH, CONSTRAINT_PASSAGE_ID, CONSTRAINT_ENTITY_KEY,
    CONSTRAINT_FACT_ID, CONSTRAINT_ALIAS_ID, CONSTRAINT_STATE_NAME, CONSTRAINT_EMBEDDING_HASH, INDEX_PASSAGE_DOCUMENT,
    INDEX_PASSAGE_TEXT_HASH, INDEX_ENTITY_TYPE, INDEX_FACT_KIND, INDEX_FACT_DOCUMENT, INDEX_ALIAS_ENTITY,
    INDEX_ALIAS_LOWER, INDEX_ALIAS_DOCUMENT, FULLTEXT_PASSAGE_TEXT,
)
"""Schema the store needs; the vector index is created separately because servers before 5.11 lack it."""

# -- writes ------------------------------------------------------------------------------------------------
DOCUMENT_IDS = """
MATCH (d:Document)
WHERE d.path = $path OR d.id = $id
RETURN d.id AS id
"""

DELETE_FACTS = """
MATCH (f:Fact)
WHERE f.document_id IN $ids
DETACH DELETE f
"""

DELETE_PASSAGES = """
MATCH (p:Passage)
WHERE p.document_id IN $ids
DETACH DELETE p
"""

DELETE_ALIASES = """
MATCH (a:Alias)
WHERE a.document_id IN $ids
DETACH DELETE a
"""

DELETE_DOCUMENTS = """
MATCH (d:Document)
WHERE d.id IN $ids
DETACH DELETE d
"""

DELETE_UNSUPPORTED_ENTITIES = """
MATCH (e:Entity)
WHERE NOT EXISTS { MATCH (a:Alias) WHERE a.entity_key = e.key }
  AND NOT EXISTS { MATCH (e)<-[:MENTIONS|ABOUT]-() }
DETACH DELETE e
"""

MERGE_DOCUMENT = """
UNWIND $rows AS row
MERGE (d:Document {id: row.id})
SET d.path = row.path, d.name = row.name, d.content_hash = row.content_hash, d.title = row.title,
    d.kind = row.kind, d.published = row.published, d.source = row.source, d.metadata_json = row.metadata_json
"""

MERGE_PASSAGES = """
UNWIND $rows AS row
MERGE (p:Passage {id: row.id})
SET p.document_id = row.document_id, p.index = row.index, p.start = row.start, p.end = row.end,
    p.page = row.page, p.section = row.section, p.block_kind = row.block_kind, p.text = row.text,
    p.topic = row.topic, p.text_hash = row.text_hash
WITH p, row
MATCH (d:Document {id: row.document_id})
MERGE (d)-[:HAS_PASSAGE]->(p)
WITH p, row
OPTIONAL MATCH (x:Embedding {text_hash: row.text_hash})
SET p.embedding = x.vector
"""

ENTITY_ATTRS = """
UNWIND $keys AS key
MATCH (e:Entity {key: key})
RETURN e.key AS key, e.attrs_json AS attrs_json
"""

MERGE_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {key: row.key})
ON CREATE SET e.type = row.type, e.name = row.name
SET e.attrs_json = row.attrs_json
"""

MERGE_ALIASES = """
UNWIND $rows AS row
MERGE (a:Alias {id: row.id})
ON CREATE SET a.entity_key = row.entity_key, a.alias = row.alias, a.alias_lower = row.alias_lower,
              a.document_id = row.document_id, a.reason = row.reason
"""

MERGE_MENTIONS = """
UNWIND $rows AS row
MATCH (p:Passage {id: row.passage_id})
MATCH (e:Entity {key: row.entity_key})
MERGE (p)-[m:MENTIONS {start: row.start, end: row.end}]->(e)
SET m.surface = row.surface, m.method = row.method, m.confidence = row.confidence
"""

MERGE_FACTS = """
UNWIND $rows AS row
MERGE (f:Fact {id: row.id})
SET f.kind = row.kind, f.document_id = row.document_id, f.passage_id = row.passage_id, f.start = row.start,
    f.end = row.end, f.quote = row.quote, f.method = row.method, f.confidence = row.confidence,
    f.slots_json = row.slots_json
WITH f, row
MATCH (p:Passage {id: row.passage_id})
MERGE (p)-[:STATES]->(f)
"""

MERGE_FACT_ENTITIES = """
UNWIND $rows AS row
MATCH (f:Fact {id: row.fact_id})
MATCH (e:Entity {key: row.entity_key})
MERGE (f)-[:ABOUT {role: row.role, position: row.position}]->(e)
"""

DELETE_ALL = """
MATCH (n)
WHERE n:Document OR n:Passage OR n:Fact OR n:Entity OR n:Alias OR n:State OR n:Embedding
DETACH DELETE n
"""

DROP_EMBEDDINGS = """
MATCH (x:Embedding)
DETACH DELETE x
"""

CLEAR_PASSAGE_EMBEDDINGS = """
MATCH (p:Passage)
WHERE p.embedding IS NOT NULL
REMOVE p.embedding
"""

PUT_EMBEDDINGS = """
UNWIND $rows AS row
MERGE (x:Embedding {text_hash: row.text_hash})
ON CREATE SET x.vector = row.vector
WITH x, row
MATCH (p:Passage {text_hash: row.text_hash})
WHERE p.embedding IS NULL
SET p.embedding = x.vector
"""

PUT_STATE = """
MERGE (s:State {name: $name})
SET s.value_json = $value_json
"""

# -- reads -------------------------------------------------------------------------------------------------
DOCUMENT_HASH = """
MATCH (d:Document {path: $path})
RETURN d.content_hash AS content_hash
"""

DOCUMENTS = """
MATCH (d:Document)
RETURN d {.id, .name, .path, .content_hash, .title, .kind, .published, .source, .metadata_json} AS document
ORDER BY d.name, d.path
"""

PASSAGES = """
MATCH (p:Passage {document_id: $document_id})
RETURN p {.id, .document_id, .index, .start, .end, .text, .page, .section, .block_kind, .topic} AS passage
ORDER BY p.index
"""

PASSAGE = """
MATCH (p:Passage {id: $id})
RETURN p {.id, .document_id, .index, .start, .end, .text, .page, .section, .block_kind, .topic} AS passage
"""

ENTITY = """
MATCH (e:Entity {key: $key})
RETURN e {.key, .type, .name, .attrs_json} AS entity,
       COLLECT { MATCH (a:Alias) WHERE a.entity_key = e.key RETURN DISTINCT a.alias } AS aliases
"""

ENTITIES = """
MATCH (e:Entity)
WHERE $type IS NULL OR e.type = $type
RETURN e {.key, .type, .name, .attrs_json} AS entity,
       COLLECT { MATCH (a:Alias) WHERE a.entity_key = e.key RETURN DISTINCT a.alias } AS aliases
ORDER BY e.type, e.name
"""

DOCUMENT_ENTITIES = """
MATCH (a:Alias {document_id: $document_id})
WITH a.entity_key AS key, collect(DISTINCT a.alias) AS aliases
MATCH (e:Entity {key: key})
RETURN e {.key, .type, .name, .attrs_json} AS entity, aliases
ORDER BY e.type, e.name
"""

FIND_ENTITIES_EXACT = """
MATCH (e:Entity)
WHERE ($type IS NULL OR e.type = $type)
  AND (toLower(e.name) = $needle OR e.key = $text
       OR EXISTS { MATCH (a:Alias) WHERE a.entity_key = e.key AND a.alias_lower = $needle })
RETURN e {.key, .type, .name, .attrs_json} AS entity,
       COLLECT { MATCH (a:Alias) WHERE a.entity_key = e.key RETURN DISTINCT a.alias } AS aliases
ORDER BY e.name
LIMIT $limit
"""

FIND_ENTITIES_CONTAINING = """
MATCH (e:Entity)
WHERE ($type IS NULL OR e.type = $type)
  AND (toLower(e.name) CONTAINS $needle
       OR EXISTS { MATCH (a:Alias) WHERE a.entity_key = e.key AND a.alias_lower CONTAINS $needle })
RETURN e {.key, .type, .name, .attrs_json} AS entity,
       COLLECT { MATCH (a:Alias) WHERE a.entity_key = e.key RETURN DISTINCT a.alias } AS aliases
ORDER BY size(e.name), e.name
LIMIT $limit
"""

FACTS = """
MATCH (f:Fact)
WHERE ($kind IS NULL OR f.kind = $kind) AND ($document_id IS NULL OR f.document_id = $document_id)
RETURN f {.id, .kind, .document_id, .passage_id, .start, .end, .quote, .method, .confidence, .slots_json} AS fact,
       [(f)-[r:ABOUT]->(e:Entity) | [r.position, r.role, e.key]] AS about
ORDER BY f.document_id, f.start, f.id
"""

FACTS_ABOUT_ENTITY = """
MATCH (:Entity {key: $entity_key})<-[:ABOUT]-(f:Fact)
WITH DISTINCT f
WHERE ($kind IS NULL OR f.kind = $kind) AND ($document_id IS NULL OR f.document_id = $document_id)
RETURN f {.id, .kind, .document_id, .passage_id, .start, .end, .quote, .method, .confidence, .slots_json} AS fact,
       [(f)-[r:ABOUT]->(e:Entity) | [r.position, r.role, e.key]] AS about
ORDER BY f.document_id, f.start, f.id
"""

ENTITY_PASSAGES = """
MATCH (:Entity {key: $key})<-[:MENTIONS]-(p:Passage)
WITH DISTINCT p
RETURN p {.id, .document_id, .index, .start, .end, .text, .page, .section, .block_kind, .topic} AS passage
ORDER BY p.document_id, p.index
LIMIT $limit
"""

PASSAGE_ENTITIES = """
UNWIND $ids AS id
MATCH (:Passage {id: id})-[m:MENTIONS]->(e:Entity)
RETURN id, e.key AS key
ORDER BY id, m.start, key
"""

NEIGHBOURS = """
MATCH (:Entity {key: $key})<-[:ABOUT]-(f:Fact)-[r:ABOUT]->(other:Entity)
WHERE other.key <> $key
RETURN f.id AS fact_id, r.role AS role, other.key AS key
ORDER BY fact_id, role, key
"""

SEARCH_TEXT = """
CALL db.index.fulltext.queryNodes('passage_text', $query) YIELD node, score
RETURN node {.id, .document_id, .index, .start, .end, .text, .page, .section, .block_kind, .topic} AS passage, score
ORDER BY score DESC
LIMIT $limit
"""

MISSING_EMBEDDINGS = """
MATCH (p:Passage)
WHERE p.embedding IS NULL
WITH p.text_hash AS text_hash, min(p.text) AS text
RETURN text_hash, text
ORDER BY text_hash
LIMIT $limit
"""

SEARCH_VECTORS = """
CALL db.index.vector.queryNodes('passage_embedding', $k, $vector) YIELD node, score
RETURN node.id AS id, score
ORDER BY score DESC, id
"""

GET_STATE = """
MATCH (s:State {name: $name})
RETURN s.value_json AS value_json
"""

STATS_COUNTS = """
RETURN COUNT { MATCH (d:Document) } AS documents, COUNT { MATCH (p:Passage) } AS passages
"""

STATS_ENTITY_TYPES = """
MATCH (e:Entity)
RETURN e.type AS type, count(e) AS n
ORDER BY type
"""

STATS_FACT_KINDS = """
MATCH (f:Fact)
RETURN f.kind AS kind, count(f) AS n
ORDER BY kind
"""


@dataclass(frozen=True)
class Statement:
    """A named statement with example parameters, so tools can lint it without a database."""

    name: str
    query: str
    parameters: dict[str, Any] = field(default_factory=dict)


_IDS = {"ids": ["doc:0123456789abcdef"]}
_DOC_ROW = {"id": "doc:0123456789abcdef", "path": "corpus/a.txt", "name": "a.txt", "content_hash": "sha1:00",
            "title": "A", "kind": "news", "published": "2024-01-02", "source": None, "metadata_json": "{}"}
_PASSAGE_ROW = {"id": "passage:0123456789abcdef", "document_id": "doc:0123456789abcdef", "index": 0, "start": 0,
                "end": 42, "page": None, "section": None, "block_kind": "paragraph", "text": "QuantumScape ...",
                "topic": "org:quantumscape", "text_hash": "0123456789abcdef0123456789abcdef01234567"}
_ENTITY_ROW = {"key": "org:quantumscape", "type": "Organization", "name": "QuantumScape", "attrs_json": "{}"}
_ALIAS_ROW = {"id": "alias:0123456789abcdef", "entity_key": "org:quantumscape", "alias": "QS", "alias_lower": "qs",
              "document_id": "doc:0123456789abcdef", "reason": "alias-table"}
_MENTION_ROW = {"passage_id": "passage:0123456789abcdef", "entity_key": "org:quantumscape", "start": 0, "end": 12,
                "surface": "QuantumScape", "method": "gazetteer", "confidence": 1.0}
_FACT_ROW = {"id": "fact:0123456789abcdef", "kind": "production_line", "document_id": "doc:0123456789abcdef",
             "passage_id": "passage:0123456789abcdef", "start": 0, "end": 42, "quote": "QuantumScape ...",
             "method": "rules", "confidence": 0.9, "slots_json": "{}"}
_ABOUT_ROW = {"fact_id": "fact:0123456789abcdef", "role": "company", "entity_key": "org:quantumscape",
              "position": 0}
_FILTERS = {"kind": None, "document_id": "doc:0123456789abcdef"}

ALL_STATEMENTS: tuple[Statement, ...] = (
    Statement("CONSTRAINT_DOCUMENT_ID", CONSTRAINT_DOCUMENT_ID),
    Statement("CONSTRAINT_DOCUMENT_PATH", CONSTRAINT_DOCUMENT_PATH),
    Statement("CONSTRAINT_PASSAGE_ID", CONSTRAINT_PASSAGE_ID),
    Statement("CONSTRAINT_ENTITY_KEY", CONSTRAINT_ENTITY_KEY),
    Statement("CONSTRAINT_FACT_ID", CONSTRAINT_FACT_ID),
    Statement("CONSTRAINT_ALIAS_ID", CONSTRAINT_ALIAS_ID),
    Statement("CONSTRAINT_STATE_NAME", CONSTRAINT_STATE_NAME),
    Statement("CONSTRAINT_EMBEDDING_HASH", CONSTRAINT_EMBEDDING_HASH),
    Statement("INDEX_PASSAGE_TEXT_HASH", INDEX_PASSAGE_TEXT_HASH),
    Statement("INDEX_PASSAGE_DOCUMENT", INDEX_PASSAGE_DOCUMENT),
    Statement("INDEX_ENTITY_TYPE", INDEX_ENTITY_TYPE),
    Statement("INDEX_FACT_KIND", INDEX_FACT_KIND),
    Statement("INDEX_FACT_DOCUMENT", INDEX_FACT_DOCUMENT),
    Statement("INDEX_ALIAS_ENTITY", INDEX_ALIAS_ENTITY),
    Statement("INDEX_ALIAS_LOWER", INDEX_ALIAS_LOWER),
    Statement("INDEX_ALIAS_DOCUMENT", INDEX_ALIAS_DOCUMENT),
    Statement("FULLTEXT_PASSAGE_TEXT", FULLTEXT_PASSAGE_TEXT),
    Statement("VECTOR_PASSAGE_EMBEDDING", VECTOR_PASSAGE_EMBEDDING),
    Statement("AWAIT_INDEXES", AWAIT_INDEXES, {"timeout_seconds": 300}),
    Statement("DOCUMENT_IDS", DOCUMENT_IDS, {"path": "corpus/a.txt", "id": "doc:0123456789abcdef"}),
    Statement("DELETE_FACTS", DELETE_FACTS, _IDS),
    Statement("DELETE_PASSAGES", DELETE_PASSAGES, _IDS),
    Statement("DELETE_ALIASES", DELETE_ALIASES, _IDS),
    Statement("DELETE_DOCUMENTS", DELETE_DOCUMENTS, _IDS),
    Statement("DELETE_UNSUPPORTED_ENTITIES", DELETE_UNSUPPORTED_ENTITIES),
    Statement("MERGE_DOCUMENT", MERGE_DOCUMENT, {"rows": [_DOC_ROW]}),
    Statement("MERGE_PASSAGES", MERGE_PASSAGES, {"rows": [_PASSAGE_ROW]}),
    Statement("ENTITY_ATTRS", ENTITY_ATTRS, {"keys": ["org:quantumscape"]}),
    Statement("MERGE_ENTITIES", MERGE_ENTITIES, {"rows": [_ENTITY_ROW]}),
    Statement("MERGE_ALIASES", MERGE_ALIASES, {"rows": [_ALIAS_ROW]}),
    Statement("MERGE_MENTIONS", MERGE_MENTIONS, {"rows": [_MENTION_ROW]}),
    Statement("MERGE_FACTS", MERGE_FACTS, {"rows": [_FACT_ROW]}),
    Statement("MERGE_FACT_ENTITIES", MERGE_FACT_ENTITIES, {"rows": [_ABOUT_ROW]}),
    Statement("DELETE_ALL", DELETE_ALL),
    Statement("DROP_EMBEDDINGS", DROP_EMBEDDINGS),
    Statement("CLEAR_PASSAGE_EMBEDDINGS", CLEAR_PASSAGE_EMBEDDINGS),
    Statement("PUT_EMBEDDINGS", PUT_EMBEDDINGS,
              {"rows": [{"text_hash": "0123456789abcdef0123456789abcdef01234567", "vector": [0.0] * 384}]}),
    Statement("MISSING_EMBEDDINGS", MISSING_EMBEDDINGS, {"limit": 1000}),
    Statement("SEARCH_VECTORS", SEARCH_VECTORS, {"k": 20, "vector": [0.0] * 384}),
    Statement("PUT_STATE", PUT_STATE, {"name": "watchlist", "value_json": '{"entities": []}'}),
    Statement("GET_STATE", GET_STATE, {"name": "watchlist"}),
    Statement("DOCUMENT_HASH", DOCUMENT_HASH, {"path": "corpus/a.txt"}),
    Statement("DOCUMENTS", DOCUMENTS),
    Statement("PASSAGES", PASSAGES, {"document_id": "doc:0123456789abcdef"}),
    Statement("PASSAGE", PASSAGE, {"id": "passage:0123456789abcdef"}),
    Statement("ENTITY", ENTITY, {"key": "org:quantumscape"}),
    Statement("ENTITIES", ENTITIES, {"type": "Organization"}),
    Statement("DOCUMENT_ENTITIES", DOCUMENT_ENTITIES, {"document_id": "doc:0123456789abcdef"}),
    Statement("FIND_ENTITIES_EXACT", FIND_ENTITIES_EXACT,
              {"type": None, "needle": "qs", "text": "QS", "limit": 20}),
    Statement("FIND_ENTITIES_CONTAINING", FIND_ENTITIES_CONTAINING, {"type": None, "needle": "quantum", "limit": 20}),
    Statement("FACTS", FACTS, _FILTERS),
    Statement("FACTS_ABOUT_ENTITY", FACTS_ABOUT_ENTITY, {**_FILTERS, "entity_key": "org:quantumscape"}),
    Statement("ENTITY_PASSAGES", ENTITY_PASSAGES, {"key": "org:quantumscape", "limit": 200}),
    Statement("PASSAGE_ENTITIES", PASSAGE_ENTITIES, {"ids": ["passage:0123456789abcdef"]}),
    Statement("NEIGHBOURS", NEIGHBOURS, {"key": "org:quantumscape"}),
    Statement("SEARCH_TEXT", SEARCH_TEXT, {"query": '"sulfide" OR "electrolyte"', "limit": 10}),
    Statement("STATS_COUNTS", STATS_COUNTS),
    Statement("STATS_ENTITY_TYPES", STATS_ENTITY_TYPES),
    Statement("STATS_FACT_KINDS", STATS_FACT_KINDS),
)
