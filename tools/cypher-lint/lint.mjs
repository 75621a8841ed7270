// Lints Cypher statements offline with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
//
// stdin:  [{name, query, parameters}]                      (a bare list), or
//         {statements: [...], labels, relationshipTypes, propertyKeys, cypherVersions}
// stdout: [{name, cypherVersion, diagnostics: [{severity, message, line, character, offset}]}]
//
// lintCypherQuery(query, dbSchema) reads parameters from dbSchema.parameters (an undeclared $param is an
// error). Procedures and functions come from the package's bundled mock schema, a snapshot of a real
// server's catalogue, so unknown procedures or functions are errors too. Labels, relationship types and
// property keys, when given, turn typos into "not present in the database" warnings. Console commands
// (:param, :use) are off: application statements never contain them.
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function lint(input) {
  const spec = Array.isArray(input) ? { statements: input } : input;
  const versions = spec.cypherVersions ?? ['CYPHER 5'];
  const out = [];
  for (const { name, query, parameters } of spec.statements) {
    for (const version of versions) {
      const dbSchema = {
        functions: testData.mockSchema.functions,
        procedures: testData.mockSchema.procedures,
        parameters: parameters ?? {},
        defaultLanguage: version,
        ...(spec.labels && { labels: spec.labels }),
        ...(spec.relationshipTypes && { relationshipTypes: spec.relationshipTypes }),
        ...(spec.propertyKeys && { propertyKeys: spec.propertyKeys }),
      };
      const { diagnostics } = lintCypherQuery(query, dbSchema, { consoleCommandsEnabled: false });
      out.push({
        name,
        cypherVersion: version,
        diagnostics: diagnostics.map((d) => ({
          severity: SEVERITY[d.severity] ?? String(d.severity),
          message: d.message,
          line: d.range.start.line + 1,
          character: d.range.start.character + 1,
          offset: d.offsets.start,
        })),
      });
    }
  }
  return out;
}

try {
  process.stdout.write(JSON.stringify(lint(JSON.parse(await readStdin())), null, 1) + '\n');
} catch (err) {
  process.stderr.write(`cypher-lint: ${err.stack ?? err}\n`);
  process.exit(2);
}
