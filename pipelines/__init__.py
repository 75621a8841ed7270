"""Ingestion pipelines: read → passages → mentions → facts → resolve."""
