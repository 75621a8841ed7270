"""Domain knowledge lives as data in `schemas/`; this loads it once per process."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@lru_cache(maxsize=None)
def load_schema(name: str):
    with open(SCHEMA_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)
