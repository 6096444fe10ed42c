// Recording and reading single runs: the playthrough behind a number.
import type { Model } from '../engine/model.ts';
import { OUTCOMES } from '../engine/run.ts';
import type { TraceRecord } from '../engine/trace.ts';
import { ownSimulator } from './kernel/simulator.ts';

/** Records run `run` of `seed` as a trace. */
export function traceRun(
  m: Model,
  seed: number,
  run: number,
): { trace: TraceRecord[]; outcome: string; peak: string } {
  const trace: TraceRecord[] = [];
  const r = ownSimulator(m).run(seed, run, { trace });
  return { trace, outcome: OUTCOMES[r.outcome]!, peak: m.rungIds[r.peak]! };
}

/** The first run index in [from, from + limit) with the given outcome, or -1. */
export function findRun(m: Model, seed: number, outcome: string, from = 0, limit = 1_000_000): number {
  const k = OUTCOMES.indexOf(outcome as (typeof OUTCOMES)[number]);
  const sim = ownSimulator(m);
  for (let run = from; run < from + limit; run++) {
    const r = sim.run(seed, run);
    if (k >= 0 ? r.outcome === k : m.rungIds[r.peak] === outcome) return run;
  }
  return -1;
}

function hours(m: Model, t: number): string {
  const h = t * m.tickHours;
  const d = Math.floor(h / 24);
  return `${d > 0 ? `${d}d ` : ''}${(h - d * 24).toFixed(0).padStart(2, '0')}h`;
}

function fmtBelief(m: Model, b: number[]): string {
  return b.map((x, t) => `${m.typeIds[t]} ${(x * 100).toFixed(0)}%`).join(', ');
}

/** Renders a trace as a playthrough: true events beside each actor's picture, beliefs and choices. */
export function renderTrace(m: Model, trace: TraceRecord[]): string {
  const out: string[] = [];
  let lastT = -1;
  for (const r of trace) {
    if (r.kind === 'chance') continue; // draws are data for tools, not part of the story
    if (r.t !== lastT && r.kind !== 'types' && r.kind !== 'talks') {
      out.push(`\n-- ${hours(m, r.t)} --`);
      lastT = r.t;
    }
    switch (r.kind) {
      case 'types':
        out.push(
          `true intent types: ${Object.entries(r.types)
            .map(([a, t]) => `${a} ${t}`)
            .join(', ')}`,
        );
        break;
      case 'talks':
        if (r.round === 0) {
          out.push(
            `talks ${r.talks}: ${Object.entries(r.participation ?? {})
              .map(([a, p]) => `${a} takes part with p ${(p * 100).toFixed(0)}%`)
              .join(', ')}${r.declined?.length ? `; DECLINED by ${r.declined.join(', ')}` : ''}`,
          );
          break;
        }
        if (r.convened === false) {
          out.push(`talks ${r.talks} round ${r.round}: not convened; the talks end`);
          break;
        }
        out.push(
          `talks ${r.talks} round ${r.round}: understanding ${(r.understanding * 100).toFixed(0)}%` +
            (r.leakedTo.length ? `; LEAKED to ${r.leakedTo.join(', ')}` : '') +
            (r.broken ? '; talks broke off' : ''),
        );
        break;
      case 'event': {
        const draw = r.outcome
          ? ` [outcome ${r.outcome.chosen}${r.outcome.forced ? ' (forced)' : ''} of ${r.outcome.options.map((o) => `${o.id} ${(o.p * 100).toFixed(1)}%`).join(', ')}]`
          : '';
        out.push(
          `TRUE  #${r.event} ${r.act} (${r.rung})${draw}${r.substitutedFor ? ` SUBSTITUTED for ${r.substitutedFor}` : ''} <- ${r.cause}${r.misperceptionInChain ? '  [misperception in chain]' : ''}`,
        );
        break;
      }
      case 'perceive':
        out.push(
          `  ${r.observer} sees #${r.event} as ${r.disbelieved ? `${r.perceived}  ** DISBELIEVED **` : r.perceived === r.act ? r.perceived : `${r.perceived}  ** MISREAD ** (p ${(r.misreadP * 100).toFixed(1)}%)`}` +
            ` (detect p ${(r.detectP * 100).toFixed(0)}%${r.notified ? ', notified in advance' : ''}${r.arrives > r.t ? `, report at ${hours(m, r.arrives)}` : ''})`,
        );
        break;
      case 'miss':
        out.push(
          `  ${r.observer} MISSES #${r.event} ${r.act} (detect p ${(r.detectP * 100).toFixed(0)}%${Math.abs(r.beliefDelta) > 0.02 ? `; seeing it would have ${r.beliefDelta < 0 ? 'lowered' : 'raised'} its hostile belief by ${Math.abs(r.beliefDelta * 100).toFixed(0)} points` : ''})`,
        );
        break;
      case 'false-alarm':
        out.push(`  ${r.observer} FALSE ALARM: phantom ${r.perceived}`);
        break;
      case 'belief':
        out.push(
          `    ${r.observer} about ${r.about} (${r.reason}): ${fmtBelief(m, r.before)} -> ${fmtBelief(m, r.after)}`,
        );
        break;
      case 'decide':
        out.push(
          `    ${r.actor} decides on ${r.stimulus} by rule ${r.rule}: ${r.options.map((o) => `${o.act} ${(o.p * 100).toFixed(1)}%`).join(', ')} -> ${r.chosen}${r.delayHours !== undefined && r.delayHours > 0 ? ` (carried out in ${r.delayHours} h)` : ''}`,
        );
        break;
      case 'message':
        out.push(
          `  message ${r.from} -> ${r.to} via ${r.channel}: ${r.status}${r.arrives !== undefined ? ` (arrives ${hours(m, r.arrives)})` : ''}`,
        );
        break;
      case 'leak':
        out.push(
          `  LEAK to ${r.to}: ${r.source}${r.credibility ? `; ${r.credibility.channel} credibility ${r.credibility.from.toFixed(2)} -> ${r.credibility.to.toFixed(2)}` : ''}`,
        );
        break;
      case 'readiness':
        out.push(`  ${r.actor} readiness ${r.from} -> ${r.to} (${r.reason})`);
        break;
      case 'notify':
        out.push(
          `  notice ${r.by} -> ${r.to} of #${r.event}: ${r.delivered ? 'delivered' : r.complied ? 'not delivered' : 'not given'}`,
        );
        break;
      case 'holds':
        out.push(`  ${r.actor} holds readiness ${r.readiness} (${r.act} again: no new act)`);
        break;
      case 'review':
        out.push(
          `  ${r.observer} REVIEW of ${r.perceived} (${r.by}): ${r.corrected ? `corrected, it was ${r.act}` : 'not corrected'}`,
        );
        break;
      case 'cancel':
        out.push(`    ${r.actor} HOLDS ${r.act}: ${r.reason.replace(/^held: /, '')}`);
        break;
      case 'consult':
        out.push(
          r.status === 'asked'
            ? `    ${r.actor} consults ${r.ally} before ${r.act} (answer at ${hours(m, r.answerAt)})`
            : `  ${r.ally} ${r.status === 'vetoed' ? 'VETOES' : 'agrees to'} ${r.actor}'s ${r.act}`,
        );
        break;
      case 'policy':
        out.push(`  ${r.actor} policy ${r.policy}: ${r.active ? 'in force' : 'revoked'}`);
        break;
      case 'war':
        out.push(r.event === 'begins' ? `  WAR phase ${r.phase} begins` : `  CEASEFIRE (phase ${r.phase})`);
        break;
      case 'end':
        out.push(`\nEND ${r.outcome}, peak ${r.peak}${r.reason ? ` (${r.reason})` : ''}`);
        break;
    }
  }
  return `${out.join('\n').trimStart()}\n`;
}
