"""Fact extractors, one module per fact kind; each is a pure function over a PassageContext."""
from __future__ import annotations

from pipelines.extractors import develops, milestone, partnership, patent, production_line, spec

EXTRACTORS = (production_line.extract, spec.extract, milestone.extract, partnership.extract, patent.extract,
              develops.extract)
