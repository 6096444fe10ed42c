// Running the CLI in-process and capturing what it prints.

import { nodeIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { ROOT } from './scenarios.ts';

export async function brink(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    ...nodeIo(),
    cwd: ROOT,
    errIsTty: false,
    color: false,
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
  };
  const code = await main(args, io);
  return { code, out, err };
}
