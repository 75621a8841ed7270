"""Domain knowledge lives as data in `schemas/`; this loads it once per process."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text):
    """`yaml.safe_load` through libyaml when PyYAML was built with it (a tenth of the pure-Python parser's time:
    schemas load at every start and every document's front matter is YAML)."""
    return yaml.load(text, Loader=_LOADER)


@lru_cache(maxsize=None)
def load_schema(name: str):
    with open(SCHEMA_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return parse_yaml(handle)
