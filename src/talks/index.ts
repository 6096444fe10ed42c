// The contingency-talks room's domain: agenda, positions, the declared-positions overlay, gaps and their
// ranking, protocol drafts and leaks, the playbook. Pure of I/O: the server (src/server/talks/) stores,
// encrypts and authorises; these functions compute.
export { StartContext } from '../engine/start.ts';
export { deriveAgenda, roundDist, startResponse, triggersOf } from './agenda.ts';
export { DEFAULT_HALF_WIDTH, DEFAULT_MAX_RUNS, listGaps, type RankOptions, rankGaps } from './gaps.ts';
export {
  applyOverlay,
  checkDist,
  type DeclaredScenario,
  declareScenario,
  type Overlay,
  startDist,
  tvDistance,
  withExpectation,
} from './overlay.ts';
export {
  Cancelled,
  FlagsJob,
  LEAKED,
  LETHAL,
  pairedDelta,
  runArms,
  runFlags,
  runsFor,
  TALKS,
  WAR,
  whereHeld,
} from './paired.ts';
export { type PlaybookInput, playbookHtml, playbookMarkdown } from './playbook.ts';
export { checkPositions, type ExpectationSource, prefillPositions, selectTriggers } from './positions.ts';
export {
  breakEven,
  DEFAULT_LEAK_GRID,
  type DraftSpec,
  leakParams,
  type ProtocolOptions,
  packageOf,
  simulateProtocols,
} from './protocols.ts';
export {
  type Base,
  type Files,
  loadBase,
  resolveVenue,
  TalksError,
  talksInterventions,
} from './scenario.ts';
export * from './types.ts';
export { actionLabel, distWords, humanize, pct, pts } from './words.ts';
