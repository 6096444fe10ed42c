// Every analysis the edges serve, one definition each: the analysis layer's (src/analysis/registry.ts)
// and the backtests (of hand-written cases, and on ICB crises), which score against historical data and
// so live with the calibration (src/calibration/case-backtest.ts, icb-analysis.ts), a layer above the
// analyses. The server's job routes, its job queue, the stored reports and the CLI's registry commands
// are driven by this table.
import { ANALYSES as CORE, ANALYSIS_KINDS as CORE_KINDS } from './analysis/registry.ts';
import { backtest } from './calibration/case-backtest.ts';
import { backtestIcb } from './calibration/icb-analysis.ts';

/** The analyses a job can run, by kind. */
export const ANALYSES = { ...CORE, backtest, 'backtest-icb': backtestIcb } as const;

/** The kinds of analysis started through the generic job routes (an ensemble has its own: it takes `set`). */
export const ANALYSIS_KINDS = [...CORE_KINDS, 'backtest', 'backtest-icb'] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];
