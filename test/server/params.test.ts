import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { exampleFiles } from '../../src/server/workspace.ts';
import { keyParams, mergedValue, setParam } from '../../web/src/components/params.ts';
import { EXAMPLES } from './helpers.ts';

const files = exampleFiles(EXAMPLES);

test('setParam adds an override under a new top-level key and changes nothing else', () => {
  const text = files['korea-intercept.yaml']!;
  const out = setParam(text, ['channels', 'us-dprk-hotline', 'exists'], true);
  assert.ok(out.startsWith(text.trimEnd()), 'the original text is untouched');
  assert.equal(parse(out).channels['us-dprk-hotline'].exists, true);
  const again = setParam(out, ['channels', 'us-dprk-hotline', 'availability'], 0.5);
  assert.deepEqual(parse(again).channels['us-dprk-hotline'], { exists: true, availability: 0.5 });
  const replaced = setParam(again, ['channels', 'us-dprk-hotline', 'availability'], 0.25);
  assert.equal(replaced, again.replace('availability: 0.5', 'availability: 0.25'));
});

test('setParam replaces a value in place, keeping comments and flow maps', () => {
  const text =
    'version: 1 # v\nchannels:\n  a: { availability: 0.9, latencyHours: 1 } # note\n  b:\n    exists: false\n';
  const out = setParam(text, ['channels', 'a', 'availability'], 0.4);
  assert.equal(out, text.replace('0.9', '0.4'));
  const nested = setParam(text, ['channels', 'b', 'availability'], 0.7);
  assert.equal(
    nested,
    'version: 1 # v\nchannels:\n  a: { availability: 0.9, latencyHours: 1 } # note\n  b:\n    exists: false\n    availability: 0.7\n',
  );
  const sibling = setParam(text, ['channels', 'c', 'exists'], true);
  assert.deepEqual(parse(sibling).channels.c, { exists: true });
  assert.match(sibling, /# note/);
});

test('keyParams reads channels, detection and misreadings from the merged library', () => {
  const merged = mergedValue(files, 'korea-decapitation-misread.yaml');
  const params = keyParams(merged, files['korea-decapitation-misread.yaml']!);
  const hotline = params.find((p) => p.path.join('.') === 'channels.us-dprk-hotline.exists');
  assert.equal(hotline?.value, false);
  assert.equal(hotline?.inherited, true);
  assert.ok(params.some((p) => p.group === 'Detection (ISR)' && p.path[1] === 'DPRK'));
  assert.ok(params.some((p) => p.group === 'Misreading'));
  assert.ok(params.every((p) => p.kind === 'toggle' || (p.value >= 0 && p.value <= 1)));
});

test('keyParams: a judged number with a distribution shows at its nominal value and is edited at `value`, the distribution kept', () => {
  const name = 'korea-decapitation-misread.yaml';
  const merged = mergedValue(files, name);
  const params = keyParams(merged, files[name]!);
  // lib/korea-actors.yaml: Pyongyang detects ground acts with {beta: [12, 8], value: 0.6}.
  const ground = params.find((p) => p.path.join('.') === 'actors.DPRK.perception.isr.ground.detect.value');
  assert.equal(ground?.value, 0.6);
  assert.equal(ground?.inherited, true);
  const edited = { ...files, [name]: setParam(files[name]!, ground!.path, 0.4) };
  const detect = (
    mergedValue(edited, name) as { actors: { DPRK: { perception: { isr: { ground: unknown } } } } }
  ).actors.DPRK.perception.isr.ground;
  assert.deepEqual(detect, {
    detect: { beta: [12, 8], value: 0.4, source: 'judged-beta' },
    latencyHours: { triangular: [1.5, 3, 4.5], value: 3, source: 'judged-spread' },
  });
});
