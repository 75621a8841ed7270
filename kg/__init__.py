"""Solid-state battery knowledge graph: graph model, stores, queries and CLI."""

__version__ = "0.1.0"
