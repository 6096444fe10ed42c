// `brink exercise replay LOG.json`: replays an exercise log (the facilitator's export, GET
// /api/exercises/{id}/log) with the engine and prints the true events as a playthrough, or the
// after-action review (`--aar md|html`): the same game as in the workbench, from the log alone.
import { z } from 'zod';
import { SYNC } from '../../analysis/kernel/executor.ts';
import { renderTrace } from '../../analysis/trace.ts';
import {
  aarHtml,
  aarMarkdown,
  buildAar,
  decisionEffects,
  ExerciseError,
  fold,
  LogEntry,
  replay,
} from '../../exercise/index.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { nonNegativeInt } from '../options.ts';

const Log = z.array(
  z.object({ seq: z.number().int().min(0), at: z.string(), userId: z.string(), entry: LogEntry }),
);

export const registerExercise: Registrar = (program, io) => {
  const ex = program.command('exercise').description('tabletop exercises (see docs/exercises.md)');
  ex.command('replay')
    .description(
      'replays an exercise log (JSON from the workbench) and prints the true events, or the AAR/IP',
    )
    .argument('<log>', 'exercise log (GET /api/exercises/{id}/log)')
    .option('--aar <format>', 'print the after-action review instead: md or html')
    .option(
      '--runs <n>',
      'runs per counterfactual in the review (default: the exercise setting)',
      nonNegativeInt,
    )
    .action(async (file: string, o: { aar?: string; runs?: number }) => {
      const text = io.readFile(file);
      if (text === undefined) throw new UserError(`${file}: no such file`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new UserError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      const parsed = Log.safeParse(json);
      if (!parsed.success) {
        const i = parsed.error.issues[0]!;
        throw new UserError(
          `${file}: ${i.path.join('.') || '(top)'}: ${i.message} (an exercise log is the JSON array GET /api/exercises/{id}/log gives)`,
        );
      }
      try {
        const game = replay(fold(parsed.data));
        if (o.aar) {
          if (o.aar !== 'md' && o.aar !== 'html') throw new UserError(`--aar takes md or html, not ${o.aar}`);
          const effects = await decisionEffects(game, SYNC, o.runs ?? game.state.setup.coach.runs);
          const aar = buildAar(game, effects);
          io.out(o.aar === 'md' ? aarMarkdown(aar) : aarHtml(aar));
          return;
        }
        io.out(
          `${game.state.setup.title}: ${game.state.setup.scenario.path} seed ${game.state.setup.seed}, ${parsed.data.length} log entries, game at tick ${game.t}\n\n`,
        );
        io.out(renderTrace(game.model, game.run.trace));
        if (!game.run.ended)
          io.out(
            `\n(the game goes on: ${game.pending ? `waiting for ${game.pending.key}` : `clock at tick ${game.state.now}`})\n`,
          );
      } catch (e) {
        if (e instanceof ExerciseError) throw new UserError(`${file}: ${e.message}`);
        throw e;
      }
    });
};
