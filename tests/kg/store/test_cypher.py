"""Every Cypher statement of the project passes Neo4j's own parser and semantic analysis, offline.

The linter is `tools/cypher-lint/lint.mjs` over `@neo4j-cypher/language-support`; it needs `node` and
`npm ci` in tools/cypher-lint (`make lint-tools`). Statements are also checked to carry values only as
`$parameters`, never through Python string formatting.
"""
from __future__ import annotations

import ast
import inspect
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg.store import cypher

ROOT = Path(__file__).resolve().parents[3]
LINT_DIR = ROOT / "tools" / "cypher-lint"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"
CYPHER_VERSION = "CYPHER 5"

ALLOWED_WARNINGS: dict[str, str] = {}
"""Statement name -> message fragment of a warning accepted on purpose (with the reason next to it). None today."""

NAMES = [s.name for s in cypher.ALL_STATEMENTS]


def run_linter(statements: list[dict], **schema: list[str]) -> dict[str, list[dict]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Cypher statements not linted")
    if not PACKAGE.is_file():
        pytest.skip("tools/cypher-lint/node_modules missing (run `make lint-tools`): Cypher statements not linted")
    spec = {"statements": statements, "cypherVersions": [CYPHER_VERSION], **schema}
    done = subprocess.run([node, str(LINT_DIR / "lint.mjs")], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return {r["name"]: r["diagnostics"] for r in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def lint_results() -> dict[str, list[dict]]:
    """One linter process for all statements: the parser warms up once (a few seconds per process)."""
    return run_linter([{"name": s.name, "query": s.query, "parameters": s.parameters} for s in cypher.ALL_STATEMENTS],
                      labels=list(cypher.LABELS), relationshipTypes=list(cypher.RELATIONSHIP_TYPES),
                      propertyKeys=list(cypher.PROPERTY_KEYS + cypher.ROW_KEYS))


@pytest.mark.parametrize("name", NAMES)
def test_statement_lints_clean(lint_results: dict[str, list[dict]], name: str) -> None:
    diagnostics = lint_results[name]
    errors = [d for d in diagnostics if d["severity"] == "error"]
    unexpected = [d for d in diagnostics if d["severity"] != "error"
                  and not (name in ALLOWED_WARNINGS and ALLOWED_WARNINGS[name] in d["message"])]
    assert not errors, errors
    assert not unexpected, unexpected


BROKEN = [
    ("MATCH (e:Entity) RETRN e", {}, "error", "Invalid input 'RETRN'"),
    ("MATCH (e:Entity {key: $key}) RETURN e", {}, "error", "Parameter $key is not defined"),
    ("MATCH (e:Entity) RETURN other", {}, "error", "Variable `other` not defined"),
    ("MATCH (e:Entity) RETURN toLowr(e.name)", {}, "error", "Function toLowr is not present"),
    ("CALL db.index.fulltext.queryNode('passage_text', $q) YIELD node RETURN node", {"q": "x"}, "error",
     "Procedure db.index.fulltext.queryNode is not present"),
    ("MATCH (e:Entiti) RETURN e", {}, "warning", "Label Entiti is not present"),
    ("MATCH (e:Entity) RETURN e.nmae", {}, "warning", "nmae is not present"),
]


@pytest.fixture(scope="module")
def broken_results() -> dict[str, list[dict]]:
    return run_linter([{"name": str(i), "query": q, "parameters": p} for i, (q, p, _, _) in enumerate(BROKEN)],
                      labels=list(cypher.LABELS), relationshipTypes=list(cypher.RELATIONSHIP_TYPES),
                      propertyKeys=list(cypher.PROPERTY_KEYS))


@pytest.mark.parametrize("case", range(len(BROKEN)), ids=[b[3] for b in BROKEN])
def test_linter_reports_broken_statement(broken_results: dict[str, list[dict]], case: int) -> None:
    """Proves the linter really runs: parse, parameter, semantic, catalogue and schema checks all fire."""
    _, _, severity, fragment = BROKEN[case]
    found = broken_results[str(case)]
    assert any(d["severity"] == severity and fragment in d["message"] for d in found), found


def test_module_builds_no_statement_by_formatting() -> None:
    """f-strings, str.format, % and + would let values bypass parameters; statements must be plain literals."""
    tree = ast.parse(inspect.getsource(cypher))
    offenders = [ast.unparse(n)[:80] for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)
                 or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                     and n.func.attr in {"format", "join"})
                 or (isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mod, ast.Add))
                     and isinstance(n.left, (ast.Constant, ast.Name)))]
    assert not offenders


PLACEHOLDER = re.compile(r"\{\s*(?:[A-Za-z_]\w*|\d+)?\s*(?:![rsa])?\s*(?::[^{}]*)?\}|%\(\w+\)[sdr]|%[sdr]\b")
CYPHER_MAP = re.compile(r"\{\s*\w+\s*:\s*[^{}]+\}")


def placeholders(text: str) -> list[str]:
    """`{name}`, `{}`, `{0}`, `%s` are Python placeholders, never Cypher (maps are `{key: value}`, `{.prop}`)."""
    return [m.group(0) for m in PLACEHOLDER.finditer(text) if not CYPHER_MAP.fullmatch(m.group(0))]


@pytest.mark.parametrize("statement", cypher.ALL_STATEMENTS, ids=NAMES)
def test_statement_has_no_format_placeholder(statement: cypher.Statement) -> None:
    assert not placeholders(statement.query)


@pytest.mark.parametrize("statement", cypher.ALL_STATEMENTS, ids=NAMES)
def test_example_parameters_match_statement(statement: cypher.Statement) -> None:
    assert set(re.findall(r"\$(\w+)", statement.query)) == set(statement.parameters)


def test_every_statement_is_listed_once() -> None:
    listed = [s.query for s in cypher.ALL_STATEMENTS]
    constants = {name: value for name, value in vars(cypher).items()
                 if name.isupper() and isinstance(value, str) and " " in value}
    assert len(set(NAMES)) == len(NAMES)
    assert sorted(listed) == sorted(constants.values())
    assert all(constants[s.name] == s.query for s in cypher.ALL_STATEMENTS)


def test_index_names_and_vector_config_agree() -> None:
    assert f"FULLTEXT INDEX {cypher.FULLTEXT_INDEX} " in cypher.FULLTEXT_PASSAGE_TEXT
    assert f"'{cypher.FULLTEXT_INDEX}'" in cypher.SEARCH_TEXT
    assert f"VECTOR INDEX {cypher.VECTOR_INDEX} " in cypher.VECTOR_PASSAGE_EMBEDDING
    assert f"`vector.dimensions`: {cypher.EMBEDDING_DIMENSIONS}" in cypher.VECTOR_PASSAGE_EMBEDDING
    assert "'cosine'" in cypher.VECTOR_PASSAGE_EMBEDDING


@pytest.mark.parametrize(("label", "key"), [("Document", "id"), ("Passage", "id"), ("Entity", "key"),
                                            ("Fact", "id"), ("Alias", "id")])
def test_merge_keys_are_unique_constraints(label: str, key: str) -> None:
    """MERGE on a key without a uniqueness constraint is a full scan and can race into duplicates."""
    assert any(f":{label}) REQUIRE " in s and f".{key} IS UNIQUE" in s for s in cypher.SCHEMA)


@pytest.mark.parametrize(("text", "flagged"), [
    ("MATCH (n {key}) RETURN n", True), ("RETURN {}", True), ("RETURN {0}", True), ("RETURN {x!r}", True),
    ("RETURN '%s'", True), ("RETURN '%(name)s'", True),
    ("MATCH (n {key: $key}) RETURN n {.key, .name}", False), ("RETURN COUNT { MATCH (n) } AS n", False),
])
def test_placeholder_pattern(text: str, flagged: bool) -> None:
    assert bool(placeholders(text)) is flagged
