import assert from 'node:assert/strict';
import test from 'node:test';
import { colorByDefault } from '../src/cli/color.ts';
import { nodeIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';

const ESC = String.fromCharCode(27);

test('colorByDefault: NO_COLOR wins, FORCE_COLOR next, then a terminal; CI alone colours nothing', () => {
  assert.equal(colorByDefault({ CI: 'true' }, false), false);
  assert.equal(colorByDefault({}, true), true);
  assert.equal(colorByDefault({ TERM: 'dumb' }, true), false);
  assert.equal(colorByDefault({ NO_COLOR: '1', FORCE_COLOR: '1' }, true), false);
  assert.equal(colorByDefault({ FORCE_COLOR: '1' }, false), true);
  assert.equal(colorByDefault({ FORCE_COLOR: '0' }, true), false);
});

test('brink run prints plain text without colour and ANSI bold with it', async () => {
  const run = async (color: boolean) => {
    let out = '';
    const code = await main(['run', 'scenarios/korea-test-failure.yaml', '--runs', '50'], {
      ...nodeIo(),
      errIsTty: false,
      color,
      out: (t) => {
        out += t;
      },
      err: () => {},
    });
    assert.equal(code, 0);
    return out;
  };
  const plain = await run(false);
  assert.ok(!plain.includes(ESC), 'no escape codes');
  assert.match(plain, /Most frequent escalation paths/);
  assert.ok((await run(true)).includes(`${ESC}[1mMost frequent escalation paths`));
  // The palette does not leak into the next command.
  assert.ok(!(await run(false)).includes(ESC));
});
