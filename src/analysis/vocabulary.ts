// One vocabulary for what Brink reports, used by the CLI, the reports and the workbench, and the
// glossary that defines each term (the web's /glossary page and docs/glossary.md are made from it).
// "War or worse" is P(peak ≥ war): the run's peak reached the war rung or above, nuclear use included.
// "Ended in war" is the outcome: the run ended in war and not in nuclear use. They differ by the runs
// that ended in nuclear use.
import { DEFAULT_LADDER } from '../scenario/schema.ts';

/** The quantities a run is scored on, as people read them (ids as `--metric` takes them). */
export const QUANTITY = {
  warOrWorse: { label: 'war or worse', p: 'P(war or worse)', glossary: 'war-or-worse' },
  war: { label: 'ended in war', p: 'P(ended in war)', glossary: 'ended-in-war' },
  nuclearUse: { label: 'nuclear use', p: 'P(nuclear use)', glossary: 'nuclear-use-outcome' },
  resolved: { label: 'resolved', p: 'P(resolved)', glossary: 'resolved' },
  horizon: { label: 'unresolved at the horizon', p: 'P(unresolved at the horizon)', glossary: 'horizon' },
} as const;

export type QuantityId = keyof typeof QUANTITY;

/** The people's name of a quantity id (`warOrWorse`, `war`, …, `peak>=RUNG`), as "P(…)". */
export function quantityLabel(id: string): string {
  const q = QUANTITY[id as QuantityId];
  if (q) return q.p;
  const m = /^peak>=(.+)$/.exec(id);
  return m ? `P(peak >= ${m[1]})` : id;
}

/** How many parameters a Sobol design with `sobolTop` varies out of k uncertain ones (0 or >= k: all). */
export function sobolParameterCount(sobolTop: number, k: number): number {
  return sobolTop === 0 || sobolTop >= k ? k : sobolTop;
}

/** The Sobol design's parameters in words: `the 12 of 264 with the largest tornado swing` or `all 5`. */
export function sobolParameters(sobolTop: number, k: number): string {
  const K = sobolParameterCount(sobolTop, k);
  return K === k ? `all ${k}` : `the ${K} of ${k} with the largest tornado swing`;
}

/**
 * Which parameters a sensitivity analysis's Sobol design varied and why, in words (the CLI, the
 * reports and the workbench say the same). Screened: the indices are conditional on the others.
 */
export function sobolScreeningNote(s: {
  by: string;
  top: number;
  parameters: string[];
  heldAtNominal: number;
}): string {
  const K = s.parameters.length;
  if (s.by === 'all')
    return `The Sobol design varies all ${K} uncertain parameter${K === 1 ? '' : 's'} (no screening).`;
  return (
    `The Sobol design varies only the ${K} of ${K + s.heldAtNominal} uncertain parameters with the largest tornado swing |P(high) − P(low)|; ` +
    `the other ${s.heldAtNominal} are held at their nominal values, so these indices are conditional on them: shares of the variance when only these ${K} vary.`
  );
}

/** The glossary's sections, in the order the page and docs/glossary.md show them. */
export const GLOSSARY_GROUPS = [
  'Outcomes',
  'Escalation ladder',
  'Intervals and tests',
  'Analyses',
  'Talks',
] as const;

export interface GlossaryEntry {
  /** Anchor: /glossary#id, docs/glossary.md#id. */
  id: string;
  term: string;
  /** One or two sentences. */
  definition: string;
  group: (typeof GLOSSARY_GROUPS)[number];
}

const RUNGS: GlossaryEntry[] = DEFAULT_LADDER.map((r, i) => {
  const d = r.description ?? r.name;
  return {
    id: `rung-${r.id}`,
    term: `${r.name} (${r.id}, rung ${i})`,
    definition: `${d.charAt(0).toUpperCase()}${d.slice(1)}.${r.ends ? ' A run that reaches it ends there.' : ''}`,
    group: 'Escalation ladder',
  };
});

/** Every term the workbench, the reports and the CLI use without explaining in place. */
export const GLOSSARY: GlossaryEntry[] = [
  {
    id: 'run',
    term: 'Run',
    definition:
      'One simulated crisis from the trigger to its end (or the horizon), with its own random draws. An ensemble is many runs of the same scenario; every share below is a share of runs.',
    group: 'Outcomes',
  },
  {
    id: 'peak',
    term: 'Peak',
    definition:
      'The highest rung of the escalation ladder a run reached. "P(peak ≥ rung)" is the share of runs whose peak reached that rung or a higher one (the exceedance curve).',
    group: 'Outcomes',
  },
  {
    id: 'war-or-worse',
    term: 'War or worse, P(war or worse)',
    definition:
      'The share of runs whose peak reached the war rung or above: P(peak ≥ war). It counts runs that ended in war and runs that ended in nuclear use. Comparisons, sensitivity analyses and the talks room rank by it.',
    group: 'Outcomes',
  },
  {
    id: 'ended-in-war',
    term: 'Ended in war, P(ended in war)',
    definition:
      'The share of runs that ended in war without nuclear use (an outcome). Lower than war or worse by the runs that ended in nuclear use.',
    group: 'Outcomes',
  },
  {
    id: 'nuclear-use-outcome',
    term: 'Nuclear use',
    definition: 'The share of runs that ended with a nuclear detonation in anger (the top rung).',
    group: 'Outcomes',
  },
  {
    id: 'resolved',
    term: 'Resolved',
    definition: 'The share of runs in which the crisis calmed down before the horizon without war.',
    group: 'Outcomes',
  },
  {
    id: 'horizon',
    term: 'Unresolved at the horizon',
    definition:
      'The share of runs still open when the simulated time ran out (the scenario’s horizon), neither resolved nor at war.',
    group: 'Outcomes',
  },
  {
    id: 'lethal-chain',
    term: 'Misperception in the chain',
    definition:
      'A run whose escalation to a lethal rung can be traced back, act by act, to a misreading, a missed act or a false alarm. The bar chart shows which misperception began the chain.',
    group: 'Outcomes',
  },
  {
    id: 'mean-length',
    term: 'Mean length',
    definition:
      'The average simulated duration of a run, in hours, from the trigger to its end or the horizon.',
    group: 'Outcomes',
  },
  ...RUNGS,
  {
    id: 'ci',
    term: 'CI, 95% interval',
    definition:
      'A 95% confidence interval: the range of values the true share could have, given the runs done. More runs give a narrower interval; two intervals that overlap do not by themselves mean "no difference" (see Newcombe).',
    group: 'Intervals and tests',
  },
  {
    id: 'parameter-band',
    term: 'Parameter-uncertainty band',
    definition:
      'Where a probability lies when the uncertain parameters (the judged and estimated numbers that carry a distribution) vary: the 5th to 95th percentile of the probability across N parameter draws (a Latin hypercube), each run on the same random numbers. Not the Monte Carlo interval, which says only how precisely the runs pin the probability down with every parameter at its nominal value: more runs narrow that interval, not this band.',
    group: 'Intervals and tests',
  },
  {
    id: 'p-helps',
    term: 'P(helps)',
    definition:
      'The share of parameter draws in which an intervention lowers the probability (its paired difference with the baseline is below zero), with a Wilson 95% interval over the draws: how sure we can be that the measure helps, whatever the uncertain numbers turn out to be.',
    group: 'Intervals and tests',
  },
  {
    id: 'evppi',
    term: 'EVPPI',
    definition:
      'Expected value of partial perfect information: how much lower, in points of probability, the outcome would be on average if one uncertain parameter were known before deciding whether to adopt an intervention. Zero when knowing it would never change the decision.',
    group: 'Intervals and tests',
  },
  {
    id: 'wilson',
    term: 'Wilson interval',
    definition:
      'The 95% interval of a single share (e.g. P(war or worse) = 0.7% of 20,000 runs). Unlike the textbook "± 1.96 standard errors" it stays inside 0–100% and is honest for rare events.',
    group: 'Intervals and tests',
  },
  {
    id: 'newcombe',
    term: 'Newcombe interval',
    definition:
      'The 95% interval of a difference between two shares measured on the same runs (paired), such as an intervention minus the baseline. An interval that does not cross zero is a difference the runs resolve.',
    group: 'Intervals and tests',
  },
  {
    id: 'mcnemar',
    term: 'McNemar mid-p',
    definition:
      'A test of a paired difference: how surprising the runs that changed one way against those that changed the other would be if the intervention did nothing. Small (e.g. below 0.05) means unlikely to be chance.',
    group: 'Intervals and tests',
  },
  {
    id: 'pts',
    term: 'pts (percentage points)',
    definition:
      'A difference between two percentages: from 2.0% to 1.5% is −0.5 pts (a 25% relative fall). Comparisons report changes in pts.',
    group: 'Intervals and tests',
  },
  {
    id: 'bootstrap',
    term: 'Bootstrap interval',
    definition:
      'An interval found by recomputing a result on many resamples of the runs; used for Sobol indices and break-even points.',
    group: 'Intervals and tests',
  },
  {
    id: 'crn',
    term: 'Common random numbers (paired runs)',
    definition:
      'Run i of every arm uses the same random draws, so the only difference between two arms of a run is the intervention. Differences are then measured run by run, with much less noise.',
    group: 'Analyses',
  },
  {
    id: 'arm',
    term: 'Arm',
    definition:
      'One variant in a comparison: the baseline, an intervention, or a combination of interventions (a + b).',
    group: 'Analyses',
  },
  {
    id: 'saved-harmed',
    term: 'Saved and harmed runs',
    definition:
      'Saved: runs that reach war or worse at baseline but not with the intervention. Harmed (pushed into it): the reverse. The net effect is saved minus harmed.',
    group: 'Analyses',
  },
  {
    id: 'mechanism',
    term: 'Mechanism',
    definition:
      'An event (a message delivered, a misreading, an act) that happens much more or much less often with the intervention than without it in the runs it changed, found by replaying those runs in both arms.',
    group: 'Analyses',
  },
  {
    id: 'exceedance',
    term: 'Exceedance curve',
    definition:
      'P(peak ≥ rung) for every rung: how far crises climb. Drawn on a log scale so rare rungs show.',
    group: 'Analyses',
  },
  {
    id: 'tornado',
    term: 'Tornado',
    definition:
      'The metric with one uncertain parameter at a low and a high quantile of its distribution and every other at its nominal value; the longest bars matter most.',
    group: 'Analyses',
  },
  {
    id: 'sobol',
    term: 'Sobol indices (first order, total)',
    definition:
      'Shares of the variance of the metric due to each parameter when the parameters of the design vary together. First order: the parameter alone; total: with its interactions. A total much larger than the first order means the parameter matters through interactions. A sensitivity analysis varies, by default, the 12 parameters with the largest tornado swing and holds the others at nominal, so its indices are conditional on those.',
    group: 'Analyses',
  },
  {
    id: 'nominal',
    term: 'Nominal value',
    definition:
      'The value a plain run uses for an uncertain parameter (its stated value, else the mean of its distribution).',
    group: 'Analyses',
  },
  {
    id: 'seed',
    term: 'Seed',
    definition:
      'The number every random draw of a job derives from. The same scenario, seed and engine version give the same numbers, on any number of workers.',
    group: 'Analyses',
  },
  {
    id: 'gap',
    term: 'Expectation gap',
    definition:
      'What one delegation expects another to do after a trigger, against what that delegation declared. Its size is the share of probability that would have to move (0–100%).',
    group: 'Talks',
  },
  {
    id: 'smallest-gap',
    term: 'Smallest gap ranked',
    definition:
      'Gaps smaller than this size (a share from 0 to 1, e.g. 0.02 = 2%) count as aligned and are not simulated or ranked.',
    group: 'Talks',
  },
  {
    id: 'break-even-leak',
    term: 'Break-even leak probability',
    definition:
      'The chance per round that the talks leak at which the package of agreed protocols stops lowering P(war or worse).',
    group: 'Talks',
  },
];
