"""CLI commands that live beside `kg.cli`: each module registers its commands on `kg.cli.app` when imported.

Command modules import heavy libraries inside the command functions only, so `kg --help` stays fast.
"""
from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}")
