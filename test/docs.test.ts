import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOC_FILE, updateDocs } from '../scripts/gen-docs.ts';
import { CODES } from '../src/scenario/diagnostics.ts';
import { validateFile } from '../src/scenario/load.ts';
import { mergePatch } from '../src/scenario/merge.ts';
import { parseText } from '../src/scenario/parse.ts';

const TEXT = readFileSync(DOC_FILE, 'utf8');

interface Block {
  yaml: string;
  line: number;
  /** The HTML comment just above the block, if any: `fragment`, `fragment: tutorial`, `file: NAME`, `tutorial: complete`. */
  mark?: string;
}

function yamlBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```yaml') continue;
    const start = i;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() !== '```') j++;
    const block: Block = { yaml: `${lines.slice(start + 1, j).join('\n')}\n`, line: start + 1 };
    let k = start - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const mark = /^<!--\s*(.+?)\s*-->$/.exec(lines[k]?.trim() ?? '')?.[1];
    if (mark && !mark.startsWith('BEGIN') && !mark.startsWith('END')) block.mark = mark;
    blocks.push(block);
    i = j;
  }
  return blocks;
}

const BLOCKS = yamlBlocks(TEXT);
const FILES: Record<string, string> = {};
for (const b of BLOCKS) {
  const name = /^file:\s*(\S+)$/.exec(b.mark ?? '')?.[1];
  if (name) FILES[name] = b.yaml;
}

test('parseText reads every yaml block of docs/scenario-language.md', () => {
  assert.ok(BLOCKS.length >= 10);
  for (const b of BLOCKS) {
    const r = parseText(b.yaml, `docs line ${b.line}`);
    assert.deepEqual(r.diagnostics, [], `block at line ${b.line}`);
  }
});

test('validateFile accepts every yaml block of docs/scenario-language.md that is not a fragment, interventions included', () => {
  for (const b of BLOCKS) {
    if (b.mark?.startsWith('fragment')) continue;
    const name = /^file:\s*(\S+)$/.exec(b.mark ?? '')?.[1] ?? `block-${b.line}.yaml`;
    const r = validateFile(name, { readFile: (p) => (p === name ? b.yaml : FILES[p]) });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `block at line ${b.line}`);
  }
});

test('mergePatch of the tutorial steps in docs/scenario-language.md gives its complete scenario, which validates', () => {
  const steps = BLOCKS.filter((b) => b.mark === 'fragment: tutorial');
  const complete = BLOCKS.filter((b) => b.mark === 'tutorial: complete');
  assert.ok(steps.length >= 7, 'the tutorial has its steps');
  assert.equal(complete.length, 1, 'the tutorial ends with one complete scenario');
  let merged: unknown = {};
  for (const s of steps) merged = mergePatch(merged, parseText(s.yaml, 'step').value).value;
  assert.deepStrictEqual(merged, parseText(complete[0]!.yaml, 'complete').value);
  const r = validateFile('tutorial.yaml', { readFile: () => complete[0]!.yaml });
  assert.deepEqual(r.diagnostics, [], 'the tutorial scenario has no warnings either');
});

test('updateDocs leaves docs/scenario-language.md unchanged: the reference and code tables are up to date', () => {
  assert.ok(
    updateDocs(TEXT) === TEXT,
    'docs/scenario-language.md is stale: run `npx tsx scripts/gen-docs.ts`',
  );
  for (const code of Object.keys(CODES)) assert.ok(TEXT.includes(`| \`${code}\` |`), code);
});
