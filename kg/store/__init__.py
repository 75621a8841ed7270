"""Graph stores behind one protocol; `open_store` picks the backend from a location string."""
from __future__ import annotations

import os

from kg.store.protocol import GraphStore

DEFAULT_STORE = ".kg"


def store_location(location: str | None = None) -> str:
    """`--store` beats `KG_STORE`, which beats `NEO4J_URI`, which beats the `.kg` folder in the working dir."""
    return location or os.environ.get("KG_STORE") or os.environ.get("NEO4J_URI") or DEFAULT_STORE


def open_store(location: str | None = None) -> GraphStore:
    """Open the store at `location`: a `neo4j://`/`bolt://` URI selects Neo4j, anything else is a folder."""
    loc = store_location(location)
    if loc.split("://", 1)[0] in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from kg.store.neo4j_store import Neo4jStore

        return Neo4jStore(loc, user=os.environ.get("NEO4J_USER", "neo4j"),
                          password=os.environ.get("NEO4J_PASSWORD", ""),
                          database=os.environ.get("NEO4J_DATABASE") or None)
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(loc)


__all__ = ["GraphStore", "open_store", "store_location", "DEFAULT_STORE"]
