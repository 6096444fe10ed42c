// Tabletop exercises: the set-up, the MSEL, the exercise log and its replay, each team's view, the
// coach's look-ahead and the after-action review. Pure of I/O: the server (src/server/exercises) keeps
// the log and the members; everything shown is computed here from the log.
export * from './aar.ts';
export * from './clock.ts';
export * from './coach.ts';
export * from './game.ts';
export * from './msel.ts';
export * from './schema.ts';
export * from './views.ts';
