// The calibrated parameters: each a named distribution with its source, ready for a scenario's
// `params`. Which data cell feeds which scenario parameter is decided here, with the reason beside it.
import type { Distribution } from '../scenario/schema.ts';
import type { DprkCalibration, FailureCell } from './dprk.ts';
import type { IcbCalibration, ViolenceRates } from './icb.ts';
import type { MidCalibration } from './mid.ts';
import { type BetaPosterior, betaMoments, betaProduct, betaSummary, lognormalFromMoments } from './stats.ts';

export interface CalibratedParam {
  name: string;
  /** Section of the library the parameter is listed under. */
  group: string;
  dist: Distribution;
  mean: number;
  /** 95% interval (equal-tailed for Beta, from the lognormal for rates). */
  lo: number;
  hi: number;
}

const sig = (x: number, digits = 6) => Number(x.toPrecision(digits));

function beta(name: string, group: string, p: BetaPosterior, source: string): CalibratedParam {
  return {
    name,
    group,
    dist: { beta: [sig(p.a), sig(p.b)], source },
    mean: p.mean,
    lo: p.lo,
    hi: p.hi,
  };
}

function lognormal(name: string, group: string, mu: number, sigma: number, source: string): CalibratedParam {
  return {
    name,
    group,
    dist: { lognormal: [sig(mu), sig(sigma)], source },
    mean: Math.exp(mu + (sigma * sigma) / 2),
    lo: Math.exp(mu - 1.959963984540054 * sigma),
    hi: Math.exp(mu + 1.959963984540054 * sigma),
  };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function counts(c: FailureCell): string {
  return `${c.failures} failed, ${c.successes} succeeded, ${c.unknown} unknown of ${c.tests} tests`;
}

const BETA_RULE = 'Beta(1 + failed, 1 + succeeded)';

/** Turns the three calibrations into named parameters (stable names, stable order). */
export function buildParams(d: DprkCalibration, icb: IcbCalibration, mid: MidCalibration): CalibratedParam[] {
  const out: CalibratedParam[] = [];
  const last = d.options.lastYear;
  const current = d.eras[d.eras.length - 1]!;

  // ---- DPRK test failure probability
  let g = `DPRK test failure probability (cns, tests 1984-${last}; outcomes after ${last} are provisional)`;
  out.push(
    beta(
      'dprk-failure-all',
      g,
      d.all.failure,
      `cns 1984-${last}, all classes: ${counts(d.all)}; ${BETA_RULE}`,
    ),
  );
  for (const c of d.byEra) {
    out.push(
      beta(
        `dprk-failure-era-${c.label}`,
        g,
        c.failure,
        `cns ${c.label}, all classes: ${counts(c)}; ${BETA_RULE}`,
      ),
    );
  }
  for (const c of d.byClass) {
    out.push(
      beta(
        `dprk-failure-${slug(c.label)}`,
        g,
        c.failure,
        `cns ${c.label} 1984-${last}: ${counts(c)}; ${BETA_RULE}`,
      ),
    );
  }
  for (const c of d.byClassEra) {
    out.push(
      beta(
        `dprk-failure-${slug(c.cls)}-${c.era}`,
        g,
        c.failure,
        `cns ${c.cls} ${c.era}: ${counts(c)}; ${BETA_RULE}`,
      ),
    );
  }
  for (const c of d.byFlight) {
    out.push(
      beta(
        `dprk-failure-flight-${c.label}`,
        g,
        c.failure,
        `cns 1984-${last}, tests that were flight ${c.label.replace('-plus', '+')} of their missile type: ${counts(c)}; ${BETA_RULE}`,
      ),
    );
  }
  out.push(
    beta(
      'dprk-deaths-per-failure',
      g,
      d.deaths.perFailure,
      `cns 1984-${last}: none of ${d.deaths.failures} failures is recorded as killing anyone; Beta(1 + 0, 1 + ${d.deaths.failures}) (an upper-leaning estimate: the prior dominates)`,
    ),
  );

  // ---- The two test actions of scenarios/lib/korea-actors.yaml
  g = `DPRK test outcomes used by scenarios/lib/korea-actors.yaml (class in the current era, ${current.id})`;
  const srbm = d.byClassEra.find((c) => c.cls === 'SRBM' && c.era === current.id);
  const irbm = d.byClassEra.find((c) => c.cls === 'IRBM' && c.era === current.id);
  if (srbm) {
    const f = srbm.failure;
    const unk = d.unknownTypeCurrentEra;
    const note = `${unk.failures} of the ${unk.failures + unk.successes} known outcomes of tests of unidentified type in ${current.id} were failures and are in no class: SRBM failures may be under-counted`;
    out.push(
      outcomeParam(
        'dprk-srbm-test-failure',
        g,
        { a: f.a, b: f.b },
        `cns SRBM ${current.id}: ${counts(srbm)}; ${BETA_RULE}; ${note}`,
      ),
    );
    out.push(
      outcomeParam(
        'dprk-srbm-test-success',
        g,
        { a: f.b, b: f.a },
        `cns SRBM ${current.id}: 1 - dprk-srbm-test-failure, Beta(1 + succeeded, 1 + failed)`,
      ),
    );
  }
  if (irbm) {
    const f = irbm.failure;
    const deaths = d.deaths.perFailure;
    const harmless = betaProduct({ a: f.a, b: f.b }, { a: deaths.b, b: deaths.a });
    const lethal = betaProduct({ a: f.a, b: f.b }, { a: deaths.a, b: deaths.b });
    const lethalMean = betaMoments(lethal.a, lethal.b).mean;
    const harmlessMean = betaMoments(harmless.a, harmless.b).mean;
    // Rounded nominal values that add up to exactly 1 (the outcomes of an action must).
    const vLethal = sig(lethalMean, 4);
    const vHarmless = sig(harmlessMean, 4);
    const vSuccess = sig(1 - vLethal - vHarmless, 8);
    out.push(
      outcomeParam(
        'dprk-irbm-test-success',
        g,
        { a: f.b, b: f.a },
        `cns IRBM ${current.id}: ${counts(irbm)}; Beta(1 + succeeded, 1 + failed); the class record since 1984 (${d.byClass.find((c) => c.label === 'IRBM')?.failures ?? 0} of ${(d.byClass.find((c) => c.label === 'IRBM')?.failures ?? 0) + (d.byClass.find((c) => c.label === 'IRBM')?.successes ?? 0)} failed) is dominated by the abandoned Musudan`,
        vSuccess,
      ),
    );
    out.push(
      outcomeParam(
        'dprk-irbm-test-failure',
        g,
        harmless,
        `cns: P(IRBM failure, ${current.id}) x (1 - dprk-deaths-per-failure), Beta matched on mean and variance`,
        vHarmless,
      ),
    );
    out.push(
      outcomeParam(
        'dprk-irbm-test-casualties',
        g,
        lethal,
        `cns: P(IRBM failure, ${current.id}) x dprk-deaths-per-failure, Beta matched on mean and variance (no failure has killed anyone: the rate is bounded, not observed)`,
        vLethal,
      ),
    );
  }

  // ---- Tempo, re-tests and overflights
  g = 'DPRK launch tempo and overflights of Japan (cns)';
  const t = d.tempo;
  const yearly = t.launchDaysByYear
    .filter((y) => y.year >= current.from)
    .map((y) => `${y.year} ${y.days}`)
    .join(', ');
  out.push(
    lognormal(
      'dprk-launch-days-per-day',
      g,
      t.yearly.mu,
      t.yearly.sigma,
      `cns ${current.id}: ${t.currentEra.days} launch days in ${t.currentEra.periodDays} days (${yearly}); lognormal of the yearly rates (launch days + 0.5) / 365, so the spread is between years, not sampling error`,
    ),
  );
  const r = d.retest;
  out.push(
    lognormal(
      'dprk-long-range-retest-per-day',
      g,
      r.perDay.mu,
      r.perDay.sigma,
      `cns 1984-${last}: ${r.events} long-range (IRBM, ICBM, SLV, HGV) launch days within ${d.options.retestWindowDays} days after ${r.failures.length} long-range failure days (${r.exposureDays} days watched); Gamma(0.5 + events, days) posterior as a lognormal`,
    ),
  );
  const ov = d.overflight;
  out.push(
    beta(
      'dprk-japan-overflight-per-test',
      g,
      ov.perTest,
      `cns 1984-${last}: ${ov.tests.length} of ${ov.perTest.n} tests overflew the Japanese home islands (Pacific landing, bearing 45-135 degrees: ${ov.tests.map((x) => x.date).join(', ')}); Beta(1 + k, 1 + n - k)`,
    ),
  );
  out.push(
    beta(
      'dprk-japan-overflight-per-long-range-test',
      g,
      ov.perLongRangeTest,
      `cns 1984-${last}: ${ov.perLongRangeTest.k} of ${ov.perLongRangeTest.n} IRBM, SLV and HGV tests overflew the home islands (ICBMs are lofted); Beta(1 + k, 1 + n - k)`,
    ),
  );
  // Re-tests that overfly Japan: the re-test rate times the overflight share, as a lognormal with the
  // product's mean and variance.
  const o = betaMoments(ov.perLongRangeTest.a, ov.perLongRangeTest.b);
  const rm = r.perDay.mean;
  const rv = r.perDay.sd ** 2;
  const prodMean = rm * o.mean;
  const prodSecond = (rv + rm * rm) * (o.variance + o.mean * o.mean);
  const ln = lognormalFromMoments(prodMean, Math.sqrt(prodSecond - prodMean * prodMean));
  out.push(
    lognormal(
      'dprk-overflight-retest-per-day',
      g,
      ln.mu,
      ln.sigma,
      'cns: dprk-long-range-retest-per-day x dprk-japan-overflight-per-long-range-test, lognormal matched on mean and variance',
    ),
  );

  // ---- ICB
  const rates = (prefix: string, group: string, v: ViolenceRates, what: string, later = false) => {
    const c = v.counts;
    const base = `icb ${what}: ${v.n} crises, violence none ${c[0]}, minor clashes ${c[1]}, serious clashes ${c[2]}, war ${c[3]}`;
    out.push(
      beta(
        `${prefix}-violence`,
        group,
        v.violence,
        `${base}; P(any violence) = Beta(1 + ${v.n - c[0]}, 1 + ${c[0]})`,
      ),
    );
    out.push(
      beta(
        `${prefix}-serious`,
        group,
        v.serious,
        `${base}; P(serious clashes or war) = Beta(1 + ${c[2] + c[3]}, 1 + ${c[0] + c[1]})`,
      ),
    );
    out.push(beta(`${prefix}-war`, group, v.war, `${base}; P(war) = Beta(1 + ${c[3]}, 1 + ${v.n - c[3]})`));
    if (later) {
      out.push(
        beta(
          `${prefix}-later-violence`,
          group,
          v.later,
          `icb ${what}: violence began after the crisis began (timvio 4) in ${v.later.k} of ${v.n}; Beta(1 + k, 1 + n - k)`,
        ),
      );
    }
  };
  g = `ICB v15 base rates by trigger (${icb.crises} crises, 1918-2019)`;
  rates('icb-all', g, icb.overall, 'all crises', true);
  for (const v of icb.byTrigger) rates(`icb-${v.id}`, g, v, `trigger ${v.name}`, true);
  rates('icb-non-violent', g, icb.nonViolentTriggers, 'all non-violent triggers (1-7)', true);
  g = 'ICB v15 base rates by crisis-management technique (the highest used; partly circular)';
  for (const v of icb.byTechnique) rates(`icb-technique-${v.id}`, g, v, `technique ${v.name}`);
  g = `ICB v15 actors' major responses by trigger (${icb.actors} crisis actors; Dirichlet(1, 1, 1) marginals, so each trigger's three means sum to 1)`;
  for (const v of icb.responses) {
    const c = v.counts;
    const base = `icb actors triggered by a ${v.name}: ${v.n} actors, major response violent (majres 8-9) ${c.violent}, non-violent military (6-7) ${c.military}, other (1-5) ${c.other}`;
    out.push(beta(`icb-response-${v.id}-violent`, g, v.violent, base));
    out.push(beta(`icb-response-${v.id}-military`, g, v.military, base));
    out.push(beta(`icb-response-${v.id}-other`, g, v.other, base));
  }

  // ---- Response kernels of the generic actors (scenarios/lib/generic-actors.yaml): what an actor does
  // when the other side's act is of this trigger type. A violent major response is full-scale war in the
  // ICB share of cases, otherwise fire; a non-violent military one is a show of force; any other
  // (verbal, political, economic, none) is a protest. Each kernel's four values sum to 1.
  g =
    'ICB v15 response kernels of the generic actors: violent response split into war (sevvio 4) and fire; values sum to 1';
  for (const v of icb.responses.filter(
    (r) => r.id === 'non-violent-military' || r.id === 'violent' || r.id === 'political',
  )) {
    const pv = { a: v.violent.a, b: v.violent.b };
    const w = v.warIfViolent;
    const war = betaProduct(pv, { a: w.a, b: w.b });
    const fire = betaProduct(pv, { a: w.b, b: w.a });
    const vWar = sig(betaMoments(war.a, war.b).mean, 4);
    const vFire = sig(betaMoments(fire.a, fire.b).mean, 4);
    const vMilitary = sig(v.military.mean, 4);
    const vOther = sig(1 - vWar - vFire - vMilitary, 8);
    const base = `icb actors triggered by a ${v.name}: major response violent ${v.counts.violent} of ${v.n} (of which ${w.k} of ${w.n} full-scale war, sevvio 4), non-violent military ${v.counts.military}, other ${v.counts.other}`;
    const beta = 'Beta matched on mean and variance';
    const outcomes: [string, { a: number; b: number }, string, number][] = [
      ['war', war, `P(violent) x P(war | violent), ${beta}`, vWar],
      ['fire', fire, `P(violent) x (1 - P(war | violent)), ${beta}`, vFire],
      ['military', v.military, 'Dirichlet(1, 1, 1) marginal', vMilitary],
      ['other', v.other, 'Dirichlet(1, 1, 1) marginal', vOther],
    ];
    for (const [outcome, ab, how, value] of outcomes)
      out.push(outcomeParam(`icb-kernel-${v.id}-${outcome}`, g, ab, `${base}; ${how}`, value));
  }

  // ---- MID
  g = `COW MID 5.0: escalation within disputes (incident data, ${mid.incidentDisputes} disputes 1992-2014)`;
  for (const o of mid.openings) {
    const name =
      o.opening === 2 ? 'threat' : o.opening === 3 ? 'display' : o.opening === 4 ? 'force' : undefined;
    if (!name || name === 'force') continue;
    out.push(
      beta(
        `mid-${name}-opening-force`,
        g,
        o.force,
        `mid: ${o.force.k} of ${o.n} disputes whose first incident (by start date) was a ${name === 'display' ? 'display of force' : 'threat'} reached use of force or war; Beta(1 + k, 1 + n - k)`,
      ),
    );
    out.push(
      beta(
        `mid-${name}-opening-war`,
        g,
        o.war,
        `mid: ${o.war.k} of ${o.n} disputes whose first incident was a ${name === 'display' ? 'display of force' : 'threat'} reached war; Beta(1 + k, 1 + n - k)`,
      ),
    );
  }
  out.push(
    beta(
      'mid-force-not-fatal',
      'COW MID 5.0: disputes 1816-2014',
      betaSummary(
        mid.fatalGivenForce.b,
        mid.fatalGivenForce.a,
        mid.fatalGivenForce.n - mid.fatalGivenForce.k,
        mid.fatalGivenForce.n,
      ),
      `mid: 1 - mid-force-fatal: ${mid.fatalGivenForce.n - mid.fatalGivenForce.k} of ${mid.fatalGivenForce.n} disputes whose highest level was use of force short of war had no death`,
    ),
  );
  out.push(
    beta(
      'mid-force-fatal',
      'COW MID 5.0: disputes 1816-2014',
      mid.fatalGivenForce,
      `mid: ${mid.fatalGivenForce.k} of ${mid.fatalGivenForce.n} disputes whose highest level was use of force short of war (fatality known) had at least one death; Beta(1 + k, 1 + n - k)`,
    ),
  );
  return out;
}

function outcomeParam(
  name: string,
  group: string,
  ab: { a: number; b: number },
  source: string,
  value?: number,
): CalibratedParam {
  const a = sig(ab.a);
  const b = sig(ab.b);
  const s = betaSummary(a, b);
  const dist: Distribution = value === undefined ? { beta: [a, b], source } : { beta: [a, b], value, source };
  return { name, group, dist, mean: value ?? s.mean, lo: s.lo, hi: s.hi };
}
