// Every doc region written by a generator in scripts/docs/ matches what the generator prints now.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillRegions, generators, render } from '../scripts/docs/lib.ts';

test('fillRegions replaces a marked region and keeps the rest', () => {
  const text = 'a\n<!-- BEGIN generated: t (npm run docs) -->\nold\n<!-- END generated: t -->\nb\n';
  assert.equal(
    fillRegions(text, { t: 'new' }),
    'a\n<!-- BEGIN generated: t (npm run docs) -->\nnew\n<!-- END generated: t -->\nb\n',
  );
  assert.throws(() => fillRegions(text, {}), /no generator output for region t/);
  assert.throws(() => fillRegions(text, { t: 'x', u: 'y' }), /region u that the doc does not mark/);
});

for (const g of await generators()) {
  test(`${g.doc} matches what scripts/docs/${g.name}.ts generates (npm run docs -- ${g.name})`, async () => {
    const r = await render(g);
    assert.equal(r.committed, r.generated, `${g.doc} is stale: run npm run docs -- ${g.name}`);
  });
}
