// `brink serve` in a child process for the crash test (run with node --import tsx).
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(['serve', ...process.argv.slice(2)]);
