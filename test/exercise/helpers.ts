// An exercise of korea-intercept for tests: the set-up, and a log driven by scripted moves.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  checkEntry,
  duePending,
  fold,
  type Game,
  type LogEntry,
  type LoggedEntry,
  replay,
  type Setup,
} from '../../src/exercise/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** korea-intercept.yaml and the libraries it extends, as a workspace holds them. */
export function koreaFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'korea-intercept.yaml': readFileSync(`${ROOT}scenarios/korea-intercept.yaml`, 'utf8'),
  };
  for (const f of readdirSync(`${ROOT}scenarios/lib`))
    if (f.endsWith('.yaml')) files[`lib/${f}`] = readFileSync(`${ROOT}scenarios/lib/${f}`, 'utf8');
  return files;
}

export function koreaSetup(over: Partial<Setup> = {}): Setup {
  return {
    title: 'Intercept tabletop',
    scenario: { path: 'korea-intercept.yaml', files: koreaFiles() },
    seed: 11,
    teams: [
      { id: 'blue', label: 'Washington', actor: 'US' },
      { id: 'red', label: 'Pyongyang', actor: 'DPRK' },
      { id: 'yellow', label: 'Beijing', actor: 'PRC' },
    ],
    turnHours: 6,
    clock: { kind: 'turns' },
    msel: [
      {
        id: '1',
        trigger: { atHours: 2 },
        synopsis: 'Kyodo reports debris sightings off Hokkaido',
        to: ['US', 'PRC'],
        from: 'press',
        expected: 'Clarify with Tokyo',
        objective: 'Crisis communication',
        controller: 'C1',
        notes: '',
      },
      {
        id: '2',
        trigger: { afterAct: 'US.intercept', delayHours: 2 },
        synopsis: 'KCNA statement: the interception is an act of war',
        to: ['DPRK'],
        from: 'KCNA',
        expected: '',
        objective: '',
        controller: '',
        notes: '',
      },
    ],
    coach: { runs: 400, windowDays: 14 },
    ...over,
  };
}

/** A log in memory: appends entries the way the server does (checked, then conditional injects fired). */
export class Log {
  readonly entries: LoggedEntry[] = [];
  constructor(setup: Setup) {
    this.push({ kind: 'setup', setup });
  }
  private push(entry: LogEntry): void {
    this.entries.push({ seq: this.entries.length, at: `t${this.entries.length}`, userId: 'u', entry });
  }
  game(): Game {
    return replay(fold(this.entries));
  }
  /** Appends a checked entry, then fires conditional injects that became due (as the server does). */
  append(entry: LogEntry, team: Setup['teams'][number] | null = null): Game {
    checkEntry(this.game(), entry, team);
    this.push(entry);
    for (let k = 0; k < 20; k++) {
      const due = duePending(this.game());
      if (due.length === 0) break;
      for (const e of due) this.push(e);
    }
    return this.game();
  }
}

/**
 * Plays turns: each team facing a decision takes its `pick` (by default its first option); the
 * facilitator advances the clock a turn when nothing is waiting.
 */
export function playTurns(
  log: Log,
  turns: number,
  pick: (key: string, options: string[]) => string = (_k, o) => o[0]!,
) {
  const setup = log.game().state.setup;
  for (let i = 0; i < turns; i++) {
    let g = log.game();
    for (let guard = 0; g.pending && guard < 50; guard++) {
      const p = g.pending;
      g = log.append(
        {
          kind: 'choose',
          key: p.key,
          action: pick(
            p.key,
            p.options.map((o) => o.act),
          ),
          by: p.team!.id,
        },
        p.team,
      );
    }
    if (g.run.ended) break;
    const ticks = Math.round(setup.turnHours / g.model.tickHours);
    g = log.append({ kind: 'clock', now: Math.min(g.model.horizon, g.state.now + ticks) });
  }
  return log.game();
}
