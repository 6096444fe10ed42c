// A scenario's `features:` as the kernels of the generic crisis library: the fitted coefficients are
// named params of scenarios/lib/generic-fit.yaml (written by `brink fit`), read here. Pure.
import {
  type Coefficients,
  type DyadFeatures,
  dyadParams,
  FEATURES,
  GROUPS,
  OPTIONS,
  STANDOFF_PARAM,
  STIMULI,
} from './generic-model.ts';
import type { Features } from './schema.ts';

export const alphaParam = (s: number, o: number) => `gfit-alpha-${STIMULI[s]!.id}-${OPTIONS[o]!.id}`;
export const betaParam = (g: number, f: number) => `gfit-beta-${GROUPS[g]}-${FEATURES[f]!.id}`;
export const centerParam = (f: number) => `gfit-center-${FEATURES[f]!.id}`;
export const NUCLEAR_USE_PARAM = 'gfit-nuclear-use';

/** The coefficients in a document's params, or undefined when it has none (it does not extend the fit). */
export function coefficientsOf(
  params: Record<string, unknown> | undefined,
): { c: Coefficients; nuclearUse: number; standoff: number } | undefined {
  if (!params || typeof params[NUCLEAR_USE_PARAM] !== 'number') return undefined;
  const get = (k: string) => {
    const v = params[k];
    if (typeof v !== 'number') throw new Error(`generic fit: parameter ${k} missing`);
    return v;
  };
  return {
    c: {
      alpha: STIMULI.map((_, s) => OPTIONS.map((_, o) => (o === 0 ? 0 : get(alphaParam(s, o))))),
      beta: GROUPS.map((_, g) => FEATURES.map((_, f) => get(betaParam(g, f)))),
      center: FEATURES.map((_, f) => get(centerParam(f))),
    },
    nuclearUse: get(NUCLEAR_USE_PARAM),
    // A fit made before the stand-off existed has none: no stand-off.
    standoff: typeof params[STANDOFF_PARAM] === 'number' ? params[STANDOFF_PARAM] : 0,
  };
}

/** `params.NAME` overrides that give a document's generic actors the kernels of its declared features. */
export function featureOverrides(
  params: Record<string, unknown> | undefined,
  f: DyadFeatures,
): Record<string, number> | undefined {
  const co = coefficientsOf(params);
  if (!co) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(dyadParams(co.c, f, co.nuclearUse))) out[`params.${k}`] = v;
  return out;
}

/** A scenario's declared `features:` as the dyad features of the generic library (actors A and B). */
export function dyadFeaturesOf(f: Features): {
  features: DyadFeatures;
  problems: string[];
  /** The problems with the field path of each (for located diagnostics). */
  located: { path: (string | number)[]; message: string }[];
} {
  const located: { path: (string | number)[]; message: string }[] = [];
  const sides = (list: string[] | undefined, field: string) => {
    (list ?? []).forEach((id, i) => {
      if (id !== 'A' && id !== 'B')
        located.push({
          path: ['features', field, i],
          message: `features.${field}: '${id}' is not A or B (the generic library's actors)`,
        });
    });
    return { A: (list ?? []).includes('A'), B: (list ?? []).includes('B') };
  };
  if (f.stronger !== undefined && f.stronger !== 'A' && f.stronger !== 'B') {
    located.push({
      path: ['features', 'stronger'],
      message: `features.stronger: '${f.stronger}' is not A or B (the generic library's actors)`,
    });
  }
  const problems = located.map((p) => p.message);
  return {
    located,
    features: {
      nuclear: sides(f.nuclear, 'nuclear'),
      greatPower: sides(f.greatPowers, 'greatPowers'),
      allied: sides(f.alliedToGreatPower, 'alliedToGreatPower'),
      stronger: f.stronger === 'A' || f.stronger === 'B' ? f.stronger : undefined,
      protracted: f.protracted ?? false,
      threat: f.threat ?? 'other',
      nonStateTrigger: f.nonStateTrigger ?? false,
    },
    problems,
  };
}
