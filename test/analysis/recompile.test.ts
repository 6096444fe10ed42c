// The safety net of cheap design points: a model whose numbers were drawn again on a compiled
// structure (`Recompiler.renumber`, used by `compileAt`) must equal, field for field, the model
// compiled from scratch from the document with those values (`compileFresh`), for every example
// scenario and fixture with distributions, with and without each of its interventions, at parameter
// draws of every kind the analyses make.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import {
  compileAt,
  compileFresh,
  drawnFields,
  type ParamTarget,
  paramTarget,
  uncertainTargets,
  valueAt,
} from '../../src/analysis/design.ts';
import { EpistemicDesign } from '../../src/analysis/epistemic.ts';
import { randomStream } from '../../src/engine/rng.ts';
import { recompiler } from '../../src/scenario/compile.ts';
import { prepare } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { exampleScenarios, interventionsOf, ROOT } from '../scenarios.ts';

const FIXTURES = [
  'test/fixtures/valid/beta-war.yaml',
  'test/fixtures/valid/dirichlet-doctrine.yaml',
  'test/fixtures/valid/dirichlet-war.yaml',
  'test/fixtures/valid/full-features.yaml',
];

const readFile = (p: string) => readFileSync(p, 'utf8');

function docOf(
  file: string,
  interventions: string[],
): { doc: Scenario; meta: { hash: string; interventions: string[] } } {
  const p = prepare(`${ROOT}${file}`, { readFile, interventions });
  if (!p.doc || !p.hash) throw new Error(`${file} ${interventions}: ${JSON.stringify(p.diagnostics)}`);
  return { doc: p.doc, meta: { hash: p.hash, interventions } };
}

/** Every document to check: each file alone and with each of its interventions. */
function documents(): { name: string; doc: Scenario; meta: { hash: string; interventions: string[] } }[] {
  const out = [];
  for (const file of [...exampleScenarios(), ...FIXTURES]) {
    const arms = [[], ...interventionsOf(file).map((i) => [i])];
    for (const arm of arms) out.push({ name: `${file} ${arm.join('+')}`, ...docOf(file, arm) });
  }
  return out;
}

const recompilers = new Map<Scenario, ReturnType<typeof recompiler>>();

/** The renumbered model; fails when the recompiler is not used (it must be, for a valid draw). */
function renumbered(
  doc: Scenario,
  meta: { hash: string; interventions: string[] },
  targets: readonly ParamTarget[],
  values: readonly number[],
) {
  if (!recompilers.has(doc)) recompilers.set(doc, recompiler(doc, meta));
  const r = recompilers.get(doc);
  assert.ok(r, 'the document compiles once');
  const m = r.renumber(drawnFields(doc, targets, values));
  assert.ok(m, 'the draw compiles by renumbering');
  return m;
}

test('renumber: drawn models equal models compiled from scratch, every scenario and intervention', () => {
  const docs = documents();
  assert.ok(docs.length >= 10, `only ${docs.length} documents`);
  let checked = 0;
  for (const [k, { name, doc, meta }] of docs.entries()) {
    if (uncertainTargets(doc).length === 0) continue;
    // Parameter draws as --epistemic makes them (Dirichlet tables as Gamma draws, normalised).
    const design = new EpistemicDesign([doc], 4, 1000 + k);
    for (let d = 0; d < design.draws; d++) {
      const pt = design.point(doc, meta, d);
      assert.deepStrictEqual(
        renumbered(doc, meta, pt.targets, pt.values),
        compileFresh(doc, pt.targets, pt.values, meta),
        `${name}, draw ${d}`,
      );
      checked++;
    }
    // One parameter at a time (sensitivity, sweeps, break-even), at random quantiles.
    const targets = uncertainTargets(doc);
    const random = randomStream(77, k);
    for (let i = 0; i < 6; i++) {
      const t = targets[Math.floor(random() * targets.length)]!;
      const v = [valueAt(t, random())];
      assert.deepStrictEqual(
        renumbered(doc, meta, [t], v),
        compileFresh(doc, [t], v, meta),
        `${name}, ${t.name}=${v[0]}`,
      );
      checked++;
    }
    // Every parameter at its own quantile, no Dirichlet (a Sobol design's rows).
    const values = targets.map((t) => valueAt(t, random()));
    assert.deepStrictEqual(
      renumbered(doc, meta, targets, values),
      compileFresh(doc, targets, values, meta),
      `${name}, all parameters`,
    );
    checked++;
  }
  assert.ok(checked >= 100, `only ${checked} draws checked`);
});

test('renumber: a renumbered model does not change the model it was made from, nor the next draw', () => {
  const { doc, meta } = docOf('scenarios/korea-decapitation-misread.yaml', []);
  const r = recompiler(doc, meta)!;
  const before = structuredClone(r.model);
  const design = new EpistemicDesign([doc], 3, 5);
  const models = [0, 1, 2].map((d) => {
    const pt = design.point(doc, meta, d);
    return r.renumber(drawnFields(doc, pt.targets, pt.values))!;
  });
  assert.deepStrictEqual(r.model, before);
  const pt = design.point(doc, meta, 0);
  assert.deepStrictEqual(models[0], compileFresh(doc, pt.targets, pt.values, meta));
  assert.notDeepStrictEqual(models[0], models[1]);
});

test('compileAt: a value that does not compile names it, as compiling from scratch does', () => {
  const { doc, meta } = docOf('scenarios/korea-decapitation-misread.yaml', []);
  const t = paramTarget(doc, 'actors.DPRK.perception.misread.US.bomber-flight.US.strike-package');
  assert.equal(recompiler(doc, meta)!.renumber(drawnFields(doc, [t], [1.5])), undefined);
  const fresh = (() => {
    try {
      compileFresh(doc, [t], [1.5], meta);
    } catch (e) {
      return (e as Error).message;
    }
    return 'compiled';
  })();
  assert.match(fresh, /probability/);
  assert.throws(
    () => compileAt(doc, [t], [1.5], meta),
    (e: Error) => e instanceof RangeError && e.message === fresh,
  );
});

test('renumber: every object of a renumbered model has the hidden class of its compiled twin', () => {
  // The engine's code is fast on one shape per kind of object; a renumbered model must not add a
  // second one (objects copied with `{...x}` get another V8 map than those the compiler's literals make).
  setFlagsFromString('--allow-natives-syntax');
  const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
  const { doc, meta } = docOf('scenarios/korea-decapitation-misread.yaml', ['eu-hosted-talks']);
  const design = new EpistemicDesign([doc], 2, 9);
  const pt = design.point(doc, meta, 1);
  const fresh = compileFresh(doc, pt.targets, pt.values, meta);
  const patched = renumbered(doc, meta, pt.targets, pt.values);
  let objects = 0;
  const walk = (a: unknown, b: unknown, at: string) => {
    if (typeof a !== 'object' || a === null || ArrayBuffer.isView(a)) return;
    assert.ok(sameMap(a, b as object), `${at}: another hidden class`);
    objects++;
    for (const k of Object.keys(a)) walk((a as never)[k], (b as never)[k], `${at}.${k}`);
  };
  walk(fresh, patched, 'model');
  assert.ok(objects > 500, `only ${objects} objects`);
});
