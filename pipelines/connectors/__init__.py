"""Connectors that fetch papers, patents and news from public APIs; see `base` for the shared client and records."""
from __future__ import annotations

import importlib

from pipelines.connectors.base import Connector, ConnectorError, FetchedRecord, Fetcher, Query, connect, to_source

#: connector name → "module:class", imported on demand
CONNECTORS = {"arxiv": "arxiv:Arxiv", "crossref": "crossref:Crossref", "openalex": "openalex:OpenAlex",
              "epo": "epo:Epo", "rss": "rss:Rss"}


def connector_class(name: str) -> type[Connector]:
    module, cls = CONNECTORS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


__all__ = ["CONNECTORS", "Connector", "ConnectorError", "FetchedRecord", "Fetcher", "Query", "connect",
           "connector_class", "to_source"]
