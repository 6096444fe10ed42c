// The state at the start of a run, seen as a decision context: priors, baseline readiness, protocols
// in force. The compiler uses it to find each actor's true responses; the talks room to prefill forms.
import type { Model } from './model.ts';
import type { DecisionContext } from './run.ts';

export class StartContext implements DecisionContext {
  readonly m: Model;
  lastRule = 0;
  /** The intent type assumed for each actor (set by the caller when it averages over types). */
  readonly types: Int32Array;
  constructor(m: Model) {
    this.m = m;
    this.types = new Int32Array(m.actors.length);
  }
  beliefOf(i: number, j: number, t: number): number {
    return this.m.actors[i]!.intentPrior[j * this.m.typeIds.length + t]!;
  }
  readinessOf(i: number): number {
    return this.m.actors[i]!.readiness0;
  }
  typeOf(i: number): number {
    return this.types[i]!;
  }
  holding(k: number): boolean {
    return this.m.talks[k]!.rounds > 0;
  }
  expectsOf(i: number): Float64Array {
    return this.m.actors[i]!.expects;
  }
  valueOf(a: number): number {
    return this.m.baseValue[a]!;
  }
  /** No policy is in force at the start. */
  policyActive(_i: number, _p: number): boolean {
    return false;
  }
  notifiedStimulus(): boolean {
    return false;
  }
}
