// DPRK missile tests (CNS database, nagix copy): failure rates by era, class and how often the type had
// flown, launch tempo, re-tests after a long-range failure, and overflights of Japan.
import { DataError, int, parseCsv } from './csv.ts';
import { type BetaPosterior, betaPosterior, gammaMoments, lognormalFromMoments, quartiles } from './stats.ts';

export type Outcome = 'success' | 'failure' | 'unknown';

export interface MissileTest {
  seq: number;
  /** ISO date; `YYYY-MM` when the day is unknown. */
  date: string;
  year: number;
  slug: string;
  name: string;
  cls: string;
  landing: string;
  bearing: number | undefined;
  outcome: Outcome;
  /** How many flights of this type came before this one, plus one (undefined: type unknown). */
  flight: number | undefined;
}

export const TEST_COLUMNS = [
  'seq',
  'date',
  'year',
  'missile_slug',
  'missile_name',
  'missile_class',
  'landing',
  'bearing_deg',
  'outcome',
] as const;

/** Reads the test list and numbers each test within its missile type (in database order). */
export function readTests(text: string, file = 'tests.csv'): MissileTest[] {
  const rows = parseCsv(text, file, TEST_COLUMNS);
  const flown = new Map<string, number>();
  return rows.map((r, i) => {
    const outcome = r.outcome as Outcome;
    if (outcome !== 'success' && outcome !== 'failure' && outcome !== 'unknown') {
      throw new DataError(
        `${file}: row ${i + 2}: outcome must be success, failure or unknown, got '${r.outcome}'`,
      );
    }
    const year = int(r.year);
    if (!Number.isFinite(year)) throw new DataError(`${file}: row ${i + 2}: year '${r.year}' is not a year`);
    const slug = r.missile_slug ?? '';
    let flight: number | undefined;
    if (slug !== '' && slug !== 'unknown') {
      flight = (flown.get(slug) ?? 0) + 1;
      flown.set(slug, flight);
    }
    const bearing = Number(r.bearing_deg);
    return {
      seq: int(r.seq),
      date: r.date ?? '',
      year,
      slug,
      name: r.missile_name ?? slug,
      cls: r.missile_class || 'Unknown',
      landing: r.landing ?? '',
      bearing: r.bearing_deg !== '' && Number.isFinite(bearing) ? bearing : undefined,
      outcome,
      flight,
    };
  });
}

/** Failure counts of a set of tests and the posterior of the failure probability over known outcomes. */
export interface FailureCell {
  label: string;
  tests: number;
  successes: number;
  failures: number;
  unknown: number;
  /** Beta(1 + failures, 1 + successes). */
  failure: BetaPosterior;
}

export function failureCell(label: string, tests: readonly MissileTest[]): FailureCell {
  const successes = tests.filter((t) => t.outcome === 'success').length;
  const failures = tests.filter((t) => t.outcome === 'failure').length;
  return {
    label,
    tests: tests.length,
    successes,
    failures,
    unknown: tests.length - successes - failures,
    failure: betaPosterior(failures, successes + failures),
  };
}

export interface Era {
  id: string;
  from: number;
  to: number;
  name: string;
}

/** Eras of the programme (calibration-figures 7.1): before Kim Jong Un, his development surge, since 2020. */
export function erasThrough(lastYear: number): Era[] {
  return [
    { id: '1984-2011', from: 1984, to: 2011, name: 'before Kim Jong Un' },
    { id: '2012-2019', from: 2012, to: 2019, name: 'Kim Jong Un, development surge' },
    { id: `2020-${lastYear}`, from: 2020, to: lastYear, name: 'since 2020' },
  ];
}

export const CLASSES = ['SRBM', 'MRBM', 'IRBM', 'ICBM', 'SLBM', 'SLV', 'HGV', 'Unknown'] as const;

/** How often the type had flown before: first flight, second or third, fourth to tenth, later. */
export const FLIGHT_BANDS = [
  { id: '1', from: 1, to: 1, name: 'first flight of the type' },
  { id: '2-3', from: 2, to: 3, name: 'second or third flight' },
  { id: '4-10', from: 4, to: 10, name: 'fourth to tenth flight' },
  { id: '11-plus', from: 11, to: Number.POSITIVE_INFINITY, name: 'eleventh flight or later' },
] as const;

/** Classes flown on trajectories that can cross Japan (ICBMs are all lofted: calibration-figures 7.1). */
export const OVERFLIGHT_CLASSES = ['IRBM', 'SLV', 'HGV'];
/** Long-range classes for re-tests after a failure. */
export const LONG_RANGE_CLASSES = ['IRBM', 'ICBM', 'SLV', 'HGV'];

export interface DprkOptions {
  /** Last year used for failure rates (newer outcomes are provisional). */
  lastYear: number;
  /** Days after a long-range failure in which re-tests are counted. */
  retestWindowDays: number;
}

export const DEFAULT_DPRK_OPTIONS: DprkOptions = { lastYear: 2024, retestWindowDays: 30 };

export interface DprkCalibration {
  options: DprkOptions;
  eras: Era[];
  all: FailureCell;
  byEra: FailureCell[];
  byClass: FailureCell[];
  byClassEra: (FailureCell & { cls: string; era: string })[];
  byFlight: FailureCell[];
  byType: (FailureCell & { slug: string })[];
  /** Tests whose type is unknown in the current era: their failures are not in any class cell. */
  unknownTypeCurrentEra: FailureCell;
  /** Tests newer than `lastYear`, not used. */
  provisional: FailureCell;
  overflight: {
    /** Tests landing in the Pacific on an eastward bearing (45-135 degrees): over the home islands. */
    tests: MissileTest[];
    perTest: BetaPosterior;
    perLongRangeTest: BetaPosterior;
    /** Southward Pacific launches (Okinawa corridor), not counted as home-island overflights. */
    southward: MissileTest[];
  };
  tempo: {
    launchDaysByYear: { year: number; days: number }[];
    currentEra: { days: number; periodDays: number; perDay: number };
    /** Lognormal of the yearly launch-day rate over the current era (year-to-year spread). */
    yearly: { mu: number; sigma: number; mean: number };
    /** Gaps between launch days from 2012 (days). */
    gaps: { q1: number; median: number; q3: number; max: number };
  };
  retest: {
    failures: { date: string; name: string; followUps: string[] }[];
    events: number;
    exposureDays: number;
    /** Lognormal matched to the Gamma(0.5 + events, exposure) posterior of the rate per day. */
    perDay: { mu: number; sigma: number; mean: number; sd: number };
  };
  /** Failures through lastYear, and failures with recorded deaths (none in the CNS narratives). */
  deaths: { failures: number; withDeaths: number; perFailure: BetaPosterior };
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, (m ?? 1) - 1, d ?? 1) / 86_400_000;
}

function inYears(t: MissileTest, from: number, to: number): boolean {
  return t.year >= from && t.year <= to;
}

/** The DPRK calibration of the test list. */
export function calibrateDprk(all: readonly MissileTest[], options = DEFAULT_DPRK_OPTIONS): DprkCalibration {
  const { lastYear } = options;
  const used = all.filter((t) => t.year <= lastYear);
  const eras = erasThrough(lastYear);
  const current = eras[eras.length - 1]!;
  const byEra = eras.map((e) =>
    failureCell(
      e.id,
      used.filter((t) => inYears(t, e.from, e.to)),
    ),
  );
  const classes = CLASSES.filter((c) => used.some((t) => t.cls === c));
  const byClass = classes.map((c) =>
    failureCell(
      c,
      used.filter((t) => t.cls === c),
    ),
  );
  const byClassEra = classes.flatMap((cls) =>
    eras
      .map((e) => ({
        ...failureCell(
          `${cls} ${e.id}`,
          used.filter((t) => t.cls === cls && inYears(t, e.from, e.to)),
        ),
        cls,
        era: e.id,
      }))
      .filter((c) => c.tests > 0),
  );
  const byFlight = FLIGHT_BANDS.map((b) =>
    failureCell(
      b.id,
      used.filter((t) => t.flight !== undefined && t.flight >= b.from && t.flight <= b.to),
    ),
  );
  const slugs = [...new Set(used.filter((t) => t.flight !== undefined).map((t) => t.slug))].sort();
  const byType = slugs.map((slug) => {
    const tests = used.filter((t) => t.slug === slug);
    return { ...failureCell(tests[0]!.name, tests), slug };
  });

  // Overflights of the Japanese home islands: Pacific landings on an eastward bearing.
  const east = (t: MissileTest) =>
    t.landing === 'pacific-ocean' && t.bearing !== undefined && t.bearing >= 45 && t.bearing <= 135;
  const overflights = used.filter(east);
  const longRange = used.filter((t) => OVERFLIGHT_CLASSES.includes(t.cls));
  const southward = used.filter(
    (t) => t.landing === 'pacific-ocean' && t.bearing !== undefined && t.bearing > 135 && t.bearing < 225,
  );

  // Tempo: launch days (days with at least one test).
  const days = [...new Set(used.map((t) => t.date))].filter((d) => d.length === 10).sort();
  const years = new Map<number, number>();
  for (const d of days) years.set(Number(d.slice(0, 4)), (years.get(Number(d.slice(0, 4))) ?? 0) + 1);
  const launchDaysByYear: { year: number; days: number }[] = [];
  for (let y = 2012; y <= lastYear; y++) launchDaysByYear.push({ year: y, days: years.get(y) ?? 0 });
  const eraYears = launchDaysByYear.filter((y) => y.year >= current.from);
  const eraDays = eraYears.reduce((s, y) => s + y.days, 0);
  const periodDays = dayNumber(`${lastYear + 1}-01-01`) - dayNumber(`${current.from}-01-01`);
  // Year-to-year spread: log of (launch days + 0.5) / 365 per year (0.5 keeps a quiet year finite).
  const logs = eraYears.map((y) => Math.log((y.days + 0.5) / 365));
  const mu = logs.reduce((s, x) => s + x, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((s, x) => s + (x - mu) ** 2, 0) / Math.max(1, logs.length - 1));
  const recent = days.filter((d) => Number(d.slice(0, 4)) >= 2012).map(dayNumber);
  const gapList = recent.slice(1).map((d, i) => d - recent[i]!);

  // Re-tests: long-range launch days within the window after each long-range failure day.
  const lrDays = [...new Set(used.filter((t) => LONG_RANGE_CLASSES.includes(t.cls)).map((t) => t.date))]
    .filter((d) => d.length === 10)
    .sort();
  const failureDays = [
    ...new Set(
      used.filter((t) => LONG_RANGE_CLASSES.includes(t.cls) && t.outcome === 'failure').map((t) => t.date),
    ),
  ].sort();
  const failures = failureDays.map((date) => {
    const d0 = dayNumber(date);
    const names = [
      ...new Set(
        used.filter((t) => t.date === date && LONG_RANGE_CLASSES.includes(t.cls)).map((t) => t.name),
      ),
    ];
    return {
      date,
      name: names.join(', '),
      followUps: lrDays.filter((d) => {
        const gap = dayNumber(d) - d0;
        return gap > 0 && gap <= options.retestWindowDays;
      }),
    };
  });
  const events = failures.reduce((s, f) => s + f.followUps.length, 0);
  const exposureDays = failures.length * options.retestWindowDays;
  // Jeffreys prior for a Poisson rate: Gamma(0.5, 0).
  const g = gammaMoments(0.5 + events, exposureDays);
  const ln = lognormalFromMoments(g.mean, g.sd);

  const failuresUsed = used.filter((t) => t.outcome === 'failure').length;

  return {
    options,
    eras,
    all: failureCell(`1984-${lastYear}`, used),
    byEra,
    byClass,
    byClassEra,
    byFlight,
    byType,
    unknownTypeCurrentEra: failureCell(
      `type unknown ${current.id}`,
      used.filter((t) => t.cls === 'Unknown' && inYears(t, current.from, current.to)),
    ),
    provisional: failureCell(
      `after ${lastYear}`,
      all.filter((t) => t.year > lastYear),
    ),
    overflight: {
      tests: overflights,
      perTest: betaPosterior(overflights.length, used.length),
      perLongRangeTest: betaPosterior(
        overflights.filter((t) => longRange.includes(t)).length,
        longRange.length,
      ),
      southward,
    },
    tempo: {
      launchDaysByYear,
      currentEra: { days: eraDays, periodDays, perDay: eraDays / periodDays },
      yearly: { mu, sigma, mean: Math.exp(mu + (sigma * sigma) / 2) },
      gaps: { ...quartiles(gapList), max: Math.max(...gapList) },
    },
    retest: { failures, events, exposureDays, perDay: { ...ln, mean: g.mean, sd: g.sd } },
    deaths: { failures: failuresUsed, withDeaths: 0, perFailure: betaPosterior(0, failuresUsed) },
  };
}
