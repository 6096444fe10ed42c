// The analysis kernel's one door to the engine: every Simulator outside src/engine is made here. A
// Simulator holds the state of the run in progress (and scratch buffers sized by the model), so one per
// model serves any number of runs on this thread one after another (`simulatorOf`); callers that keep
// one run's state while another runs (a counterfactual replay beside its run, splitting's branches,
// a trace) take one of their own (`ownSimulator`).
import type { Model } from '../../engine/model.ts';
import { Simulator } from '../../engine/run.ts';

const shared = new WeakMap<Model, Simulator>();

/** The simulator of `m` shared by sequential work on this thread (no run's state kept across calls). */
export function simulatorOf(m: Model): Simulator {
  let s = shared.get(m);
  if (!s) {
    s = ownSimulator(m);
    shared.set(m, s);
  }
  return s;
}

/** A simulator of `m` for the caller alone. */
export function ownSimulator(m: Model): Simulator {
  return new Simulator(m);
}
