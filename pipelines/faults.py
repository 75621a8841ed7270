"""Fault isolation: a bug in one component on one passage costs that passage's output from that component.

Extraction runs many rule-based components over text they were not written for. Instead of losing a document to
one `IndexError`, each component call is isolated: its failure becomes an `Incident` (component, passage offsets,
exception, traceback) and the component's empty output for that passage, and the rest of the document is
extracted as usual. Incidents are data returned with the document, reported by ingest as warnings.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Incident:
    """One component that raised on one span of a document's text (document offsets)."""

    component: str
    start: int
    end: int
    error: str  # "IndexError: list index out of range"
    where: str  # innermost frame: "pipelines/entities/abbreviations.py:45 in _initials_run"; "" for a notice
    traceback: str

    @property
    def is_bug(self) -> bool:
        """A component raised (rather than an input problem worked round)."""
        return bool(self.where)

    def line(self, path: str) -> str:
        """The one-line warning a user sees: a component's bug, or a notice of an input problem worked round."""
        if not self.is_bug:
            return f"{path}: chars {self.start}-{self.end}: {self.error}"
        return f"{path}: chars {self.start}-{self.end}: {self.component} failed ({self.error}, at {self.where}); " \
               "that passage's output from it is lost"


def component_name(fn: Callable) -> str:
    """`pipelines.extractors.spec.extract` → `extractors.spec.extract`: short, stable across machines."""
    fn = getattr(fn, "func", fn)  # functools.partial
    module = getattr(fn, "__module__", "") or ""
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    return f"{module.removeprefix('pipelines.')}.{name}".lstrip(".")


def incident(component: str, start: int, end: int, exc: BaseException) -> Incident:
    """A component's bug; an exception that was never raised (a failed check) has no frame: `where` is "?"."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    where = f"{_short_path(last.filename)}:{last.lineno} in {last.name}" if last else "?"
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    error = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return Incident(component, start, end, error, where, "".join(traceback.format_exception(exc)))


def notice(component: str, start: int, end: int, message: str) -> Incident:
    """An input problem a reader worked round (no bug, no traceback): a warning, never a lost file."""
    return Incident(component, start, end, message, "", "")


def _short_path(filename: str) -> str:
    parts = Path(filename).parts
    for root in ("pipelines", "kg"):
        if root in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(root):])
    return Path(filename).name


class Isolation:
    """Runs component calls for one document and keeps the incidents they raise, in the order they happen.

    Deterministic: the same input raises the same incidents in the same order, so ingest's warnings repeat.
    """

    def __init__(self, span: tuple[int, int] = (0, 0)):
        self.span = span  # the whole document: blamed when a document-level stage fails as a whole
        self.incidents: list[Incident] = []

    def call(self, span: tuple[int, int], fallback: T, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args)`, or `fallback` (and an incident on `span`) if it raises."""
        try:
            return fn(*args, **kwargs)
        except _FATAL:
            raise
        except Exception as exc:
            self.incidents.append(incident(component_name(fn), span[0], span[1], exc))
            return fallback

    def per_passage(self, spans: Sequence[tuple[int, int]], fn: Callable[..., list], *columns: Sequence,
                    empty: Callable[[], Any] = list) -> list:
        """A document-level stage with one output per passage (`fn(column1, column2, …)`, each column one item per
        passage): if it raises, the passages it raises on alone are blamed and given `empty()`, and the stage runs
        again without them. A stage that fails only on a combination of passages runs on each passage alone."""
        try:
            return fn(*columns)
        except _FATAL:
            raise
        except Exception as whole:
            alone = self._alone(spans, fn, columns)
            culprits = {i for i, value in enumerate(alone) if value is _FAILED}
            if not culprits:
                self.incidents.append(incident(component_name(fn), *self.span, whole))
                return [value[0][0] for value in alone]
            keep = [i for i in range(len(spans)) if i not in culprits]
            rest = self.call(self.span, None, fn, *([column[i] for i in keep] for column in columns))
            out = [empty() if value is _FAILED else value[0][0] for value in alone]
            for i, value in zip(keep, rest or ()):
                out[i] = value
            return out

    def aggregate(self, spans: Sequence[tuple[int, int]], fallback: T, fn: Callable[..., T], *columns: Sequence
                  ) -> T:
        """A document-level stage with one output for all passages: if it raises, it runs again without the
        passages it raises on alone (each blamed); `fallback` if it still fails."""
        try:
            return fn(*columns)
        except _FATAL:
            raise
        except Exception as whole:
            culprits = {i for i, value in enumerate(self._alone(spans, fn, columns)) if value is _FAILED}
            if not culprits:
                self.incidents.append(incident(component_name(fn), *self.span, whole))
                return fallback
            keep = [i for i in range(len(spans)) if i not in culprits]
            return self.call(self.span, fallback, fn, *([column[i] for i in keep] for column in columns))

    def _alone(self, spans: Sequence[tuple[int, int]], fn: Callable, columns: Sequence[Sequence]) -> list:
        """`fn` on each passage alone (a one-item column each): `(output,)`, or `_FAILED` with the passage blamed."""
        out: list = []
        for i, span in enumerate(spans):
            try:
                out.append((fn(*([column[i]] for column in columns)),))
            except _FATAL:
                raise
            except Exception as exc:
                self.incidents.append(incident(component_name(fn), *span, exc))
                out.append(_FAILED)
        return out


_FATAL = MemoryError  # the file is too large: ingest reports that for the whole file
_FAILED = object()
