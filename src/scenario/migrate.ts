// Scenario format migrations: ordered functions from one version to the next, applied to the YAML
// document so comments (the sources) stay. `brink fmt --upgrade` writes the result; the loader reads old
// versions directly (a v1 file compiles with v1 defaults), so upgrading never changes a run.
import { isMap, parseDocument, YAMLMap } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { formatText } from './format.ts';
import { parseText } from './parse.ts';
import { FORMAT_VERSION } from './schema.ts';

type YamlDoc = ReturnType<typeof parseDocument>;

/**
 * v1 -> v2. The one default that differs: a v1 crisis resolves with every readiness within one level of
 * baseline, a v2 one at baseline; the upgrade writes `time.readinessSlack: 1` so the file runs as before.
 */
function v1ToV2(doc: YamlDoc): void {
  doc.set('version', 2);
  if (doc.get('kind') === 'library') return;
  let time = doc.get('time');
  if (!isMap(time)) {
    time = new YAMLMap();
    doc.set('time', time);
  }
  const t = time as YAMLMap;
  if (!t.has('readinessSlack')) t.set('readinessSlack', 1);
}

/** Migrations by the version they start from. */
const MIGRATIONS: Record<number, (doc: YamlDoc) => void> = { 1: v1ToV2 };

/** The text of a scenario file upgraded to the current format, formatted (comments kept). */
export function upgradeText(
  text: string,
  file = '<text>',
): { text?: string; diagnostics: Diagnostic[]; from?: number } {
  const parsed = parseText(text, file);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  const v = (parsed.value as { version?: unknown } | null)?.version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v > FORMAT_VERSION || v < 1)
    return {
      diagnostics: [
        {
          code: 'E_VERSION',
          severity: 'error',
          message: `cannot upgrade version ${String(v)}: this Brink reads versions 1 to ${FORMAT_VERSION}`,
          path: ['version'],
        },
      ],
    };
  if (v === FORMAT_VERSION) return { ...formatText(text, file), from: v };
  if (/\.json$/i.test(file)) {
    let value = parsed.value as Record<string, unknown>;
    for (let k = v; k < FORMAT_VERSION; k++) {
      const doc = parseDocument(JSON.stringify(value));
      MIGRATIONS[k]!(doc);
      value = doc.toJS() as Record<string, unknown>;
    }
    return { ...formatText(JSON.stringify(value), file), from: v };
  }
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  for (let k = v; k < FORMAT_VERSION; k++) MIGRATIONS[k]!(doc);
  return { ...formatText(doc.toString(), file), from: v };
}
