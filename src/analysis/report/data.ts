// What a report holds: the results of one command, the assumptions behind them and the manifest that
// reproduces them. Plain data, rendered as HTML, Markdown or CSV.
import type { BreakevenReport } from '../breakeven.ts';
import type { CompareReport, RareComparison } from '../compare.ts';
import type { RunReport } from '../ensemble.ts';
import type { EpistemicRunReport } from '../epistemic.ts';
import type { Attribution, Counterfactual, PathTree } from '../paths.ts';
import type { RareResult } from '../rare.ts';
import type { SensitivityReport } from '../sensitivity.ts';
import type { SweepReport } from '../sweep.ts';
import type { Assumption } from './assumptions.ts';

export interface Manifest {
  /** The command that reproduces the report. */
  command: string;
  scenario: { id: string; title: string; file: string; hash: string };
  engine: string;
  brink: string;
  seed: number;
  runs: number | null;
  interventions: string[];
  /** Other settings (estimator, metric, design sizes). */
  settings: Record<string, string | number>;
}

export interface InterventionInfo {
  id: string;
  title: string;
  description: string | null;
  sources: string[];
}

export interface ReportData {
  kind: 'run' | 'compare' | 'sweep' | 'sensitivity' | 'breakeven';
  title: string;
  manifest: Manifest;
  run?: RunReport;
  paths?: PathTree;
  attribution?: { warRuns: number; causes: Attribution[] };
  counterfactual?: Counterfactual | null;
  rare?: RareResult;
  compare?: CompareReport;
  rareCompare?: RareComparison;
  sweep?: SweepReport;
  sensitivity?: SensitivityReport;
  breakeven?: BreakevenReport;
  /**
   * Rows shown of the long tables (a sensitivity's tornado and Sobol indices), largest first: default
   * REPORT_ROWS (20), 0 all (`--top N`). The CSV keeps every row.
   */
  rows?: number;
  /** The parameter-uncertainty band of a run (`--epistemic N`), when `run` does not carry it. */
  epistemic?: EpistemicRunReport;
  assumptions: Assumption[];
  interventions: InterventionInfo[];
}
