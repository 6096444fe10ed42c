// Writes the synthetic benchmark scenarios: N actors on a ring, each watching its k nearest neighbours
// on either side through imperfect ISR, with doctrine against each neighbour, a hotline to each, and
// random patrols (hazards) that keep the crisis going until the horizon or war.
//   node --import tsx bench/gen-synthetic.ts        (rewrites bench/scenarios/synthetic-*.yaml)
// The small one is a quick, Korea-sized crisis; the large one has four times more actors, a horizon
// six times longer, and about a hundred times more decisions per run.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { formatText } from '../src/scenario/format.ts';

export interface SyntheticSpec {
  id: string;
  title: string;
  actors: number;
  /** Neighbours watched on each side of the ring. */
  reach: number;
  days: number;
  /** Spontaneous patrols per actor and day. */
  patrolsPerDay: number;
  /** The lowest rung that keeps a crisis open (patrols are displays). */
  quietRung: string;
}

export const SYNTHETIC: SyntheticSpec[] = [
  {
    id: 'synthetic-small',
    title: 'Synthetic: four actors, fifteen days',
    actors: 4,
    reach: 1,
    days: 15,
    patrolsPerDay: 0.15,
    quietRung: 'alert',
  },
  {
    id: 'synthetic-large',
    title: 'Synthetic: sixteen actors, ninety days',
    actors: 16,
    reach: 2,
    days: 90,
    patrolsPerDay: 0.15,
    quietRung: 'display',
  },
];

const name = (i: number) => `S${String(i + 1).padStart(2, '0')}`;

export function syntheticScenario(s: SyntheticSpec): Record<string, unknown> {
  const ids = Array.from({ length: s.actors }, (_, i) => name(i));
  const neighbours = (i: number) => {
    const out = new Set<number>();
    for (let d = 1; d <= s.reach; d++) {
      out.add((i + d) % s.actors);
      out.add((i - d + s.actors) % s.actors);
    }
    out.delete(i);
    return [...out].sort((a, b) => a - b).map(name);
  };
  const slug = (id: string) => id.toLowerCase();
  const hotline = (a: string, b: string) => (a < b ? `hl-${slug(a)}-${slug(b)}` : `hl-${slug(b)}-${slug(a)}`);
  const actors: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const hazards: Record<string, unknown> = {};
  ids.forEach((id, i) => {
    const nb = neighbours(i);
    const m = nb.length;
    const actions: Record<string, unknown> = {
      protest: { rung: 'coercion', domain: 'political', visibility: 'public' },
      patrol: {
        rung: 'display',
        domain: 'air',
        intent: { defensive: 1, coercive: 2, 'attack-preparing': 3 },
      },
      exercise: {
        rung: 'display',
        domain: 'ground',
        visibility: 'public',
        intent: { defensive: 1, coercive: 1.5, 'attack-preparing': 2 },
      },
      alert: {
        rung: 'alert',
        domain: 'ground',
        readiness: 3,
        intent: { defensive: 1, coercive: 1.5, 'attack-preparing': 4 },
      },
      skirmish: {
        rung: 'lethal-clash',
        domain: 'maritime',
        visibility: 'public',
        intent: { defensive: 0.5, coercive: 1.5, 'attack-preparing': 3 },
      },
      strike: {
        rung: 'war',
        domain: 'missile',
        preemptive: true,
        intent: { defensive: 0.01, coercive: 0.05, 'attack-preparing': 1 },
      },
      'stand-down': { rung: 'routine', domain: 'ground', visibility: 'public', standDown: true },
    };
    const doctrine: Record<string, unknown> = {};
    const misread: Record<string, unknown> = {};
    const falseAlarms: Record<string, number> = {};
    const intent: Record<string, unknown> = {};
    for (const j of nb) {
      actions[`reassure-${slug(j)}`] = {
        rung: 'routine',
        domain: 'political',
        message: { to: j, kind: 'reassure', via: [hotline(id, j)] },
        intent: { defensive: 2, coercive: 1, 'attack-preparing': 0.5 },
      };
      channels[hotline(id, j)] = {
        between: [id, j].sort(),
        kind: 'hotline',
        availability: 0.9,
        latencyHours: 1,
        credibility: 2,
        acceptance: 0.8,
      };
      misread[`${j}.patrol`] = { [`${j}.strike`]: 0.0005 };
      misread[`${j}.exercise`] = { [`${j}.alert`]: 0.05 };
      falseAlarms[`${j}.strike`] = 0.00002;
      intent[j] = { defensive: 0.5, coercive: 0.4, 'attack-preparing': 0.1 };
      // Echo probabilities scale as 1/neighbours so that the cascade of responses stays subcritical
      // (each act begets fewer than one act on average) whatever the ring's reach.
      const e = (x: number) => Math.round((x / m) * 1e4) / 1e4;
      doctrine[`patrol-${slug(j)}`] = {
        on: `${j}.patrol`,
        respond: { wait: 1 - 0.15 - e(0.3), protest: 0.15, patrol: e(0.3) },
      };
      doctrine[`exercise-${slug(j)}`] = {
        on: `${j}.exercise`,
        respond: { wait: 0.7 - e(0.3), exercise: e(0.2), [`reassure-${slug(j)}`]: 0.3, alert: e(0.1) },
      };
      doctrine[`alert-${slug(j)}`] = {
        on: `${j}.alert`,
        respond: {
          wait: 0.55 - e(0.35),
          protest: 0.25,
          alert: e(0.3),
          skirmish: e(0.05),
          [`reassure-${slug(j)}`]: 0.2,
        },
      };
      doctrine[`skirmish-${slug(j)}`] = {
        on: `${j}.skirmish`,
        choose: ['wait', 'protest', 'alert', 'skirmish'],
        values: { skirmish: -20 },
      };
      doctrine[`protest-${slug(j)}`] = {
        on: `${j}.protest`,
        respond: { wait: 1 - e(0.3), protest: e(0.15), exercise: e(0.15) },
      };
      doctrine[`reassured-${slug(j)}`] = {
        on: `${j}.reassure-${slug(id)}`,
        respond: { 'stand-down': 0.5, wait: 0.5 },
      };
      doctrine[`stand-down-${slug(j)}`] = {
        on: `${j}.stand-down`,
        respond: { 'stand-down': e(0.2), wait: 1 - e(0.2) },
      };
      doctrine[`war-${slug(j)}`] = { on: `${j}.strike`, respond: { strike: e(0.9), alert: 1 - e(0.9) } };
    }
    actors[id] = {
      name: `Synthetic actor ${i + 1}`,
      type: { defensive: 0.6, coercive: 0.3, 'attack-preparing': 0.1 },
      readiness: 1,
      decisionHours: 1 + (i % 3),
      actions,
      perception: {
        isr: {
          air: { detect: 0.8, latencyHours: 1 },
          ground: { detect: 0.7, latencyHours: 2 },
          maritime: { detect: 0.85 },
          missile: { detect: 0.95 },
          nuclear: { detect: 0.5, latencyHours: 3 },
        },
        misread,
        falseAlarms,
        readiness: { misread: [1, 1, 1.2, 1.5, 2], falseAlarms: [1, 1, 1.5, 2, 3] },
      },
      beliefs: { intent, bias: { forgettingPerDay: 0.1, confirm: 1, disconfirm: 0.9 } },
      decision: {
        rationality: 0.1,
        preemption: { against: nb, survivability: 0.9, firstStrikeLoss: 300 },
      },
      doctrine,
    };
    hazards[`patrols-${slug(id)}`] = { action: `${id}.patrol`, ratePerDay: s.patrolsPerDay };
  });
  const injects: Record<string, unknown> = {};
  for (let i = 0; i < s.actors; i += 4)
    injects[`exercise-${slug(name(i))}`] = { atHours: i, action: `${name(i)}.exercise` };
  return {
    version: 1,
    id: s.id,
    title: s.title,
    description: `Benchmark scenario written by bench/gen-synthetic.ts: ${s.actors} actors on a ring, each watching ${2 * s.reach} neighbours, ${s.days} days, patrols at ${s.patrolsPerDay} per actor and day.`,
    time: {
      tickHours: 1,
      horizonDays: s.days,
      warPhaseHours: 72,
      resolveQuietHours: 96,
      quietRung: s.quietRung,
    },
    actors,
    channels,
    hazards,
    injects,
  };
}

if (process.argv[1]?.endsWith('gen-synthetic.ts')) {
  for (const s of SYNTHETIC) {
    const path = new URL(`./scenarios/${s.id}.yaml`, import.meta.url);
    const head = `# ${s.title}. Generated by bench/gen-synthetic.ts (do not edit by hand).\n`;
    const { text, diagnostics } = formatText(
      head + stringify(syntheticScenario(s), { lineWidth: 0 }),
      path.pathname,
    );
    if (!text) throw new Error(JSON.stringify(diagnostics));
    writeFileSync(path, text);
  }
}
