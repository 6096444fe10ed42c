// Human names for the ids that analyses report: acts (`PRC.relay-reassurance`), actors, channels,
// interventions and uncertain parameters (`actors.DPRK.perception.isr.air.detect`), read from the
// merged scenario (the file and what it extends).
import { useEffect, useState } from 'react';
import { isPlainObject } from '../../../src/scenario/merge.ts';
import { get } from '../api.ts';
import { mergedValue } from './params.ts';

export interface Names {
  act(ref: string): string | undefined;
  channel(id: string): string | undefined;
  actor(id: string): string;
  /** An uncertain parameter's path in words, or the path. */
  param(path: string): string;
  /** A mechanism sentence or event with its act and channel ids named. */
  text(s: string): string;
}

const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
const nameOf = (v: unknown): string | undefined => {
  const n = obj(v).name ?? obj(v).title;
  return typeof n === 'string' ? n : undefined;
};
const ACRONYMS = new Set(['dprk', 'prc', 'rok', 'us', 'srbm', 'irbm', 'icbm', 'isr', 'eu', 'un', 'pla']);
const words = (id: string) =>
  id
    .split(/[-_]/)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w))
    .join(' ');

/** The names of a merged scenario document (`mergedValue` of the editor's form). */
export function namesOf(doc: Record<string, unknown>): Names {
  const actors = obj(doc.actors);
  const channels = obj(doc.channels);
  const act = (ref: string) => {
    const [a, x] = ref.split('.');
    return a && x ? nameOf(obj(obj(actors[a]).actions)[x]) : undefined;
  };
  const channel = (id: string) => nameOf(channels[id]);
  const actor = (id: string) => id;
  const quoted = (ref: string) => {
    const n = act(ref);
    return n ? `“${n}”` : ref;
  };
  const param = (path: string): string => {
    // actors.A.perception.misread["X.a"]["Y.b"], actors.A.perception.falseAlarms["X.a"]
    let m = /^actors\.([^.]+)\.perception\.misread\["([^"]+)"\]\["([^"]+)"\]$/.exec(path);
    if (m) return `${m[1]} misreads ${quoted(m[2]!)} as ${quoted(m[3]!)}`;
    m = /^actors\.([^.]+)\.perception\.falseAlarms\["([^"]+)"\]$/.exec(path);
    if (m) return `${m[1]}: false alarms of ${quoted(m[2]!)}`;
    m = /^actors\.([^.]+)\.perception\.isr\.([^.]+)\.detect$/.exec(path);
    if (m) return `${m[1]} detects ${m[2]} acts`;
    m = /^actors\.([^.]+)\.decision\.(.+)$/.exec(path);
    if (m) return `${m[1]}: decision ${m[2]!.split('.').map(words).join(', ')}`;
    m = /^channels\.([^.]+)\.acceptance\.([^.]+)$/.exec(path);
    if (m) return `${channel(m[1]!) ?? words(m[1]!)}: ${m[2]} accepts messages`;
    m = /^channels\.([^.]+)\.(.+)$/.exec(path);
    if (m) return `${channel(m[1]!) ?? words(m[1]!)}: ${m[2]!.split('.').map(words).join(' ')}`;
    m = /^params\.(.+)$/.exec(path);
    if (m) return words(m[1]!).replace(/^./, (c) => c.toUpperCase());
    m = /^talks\.([^.]+)\.(.+)$/.exec(path);
    if (m) return `talks ${words(m[1]!)}: ${m[2]!.split('.').map(words).join(' ')}`;
    return path;
  };
  const text = (s: string) =>
    s
      .replace(/\b([A-Z][A-Za-z0-9]*)\.([a-z0-9][a-z0-9-]*)\b/g, (ref) => {
        const n = act(ref);
        return n ? `“${n}” (${ref})` : ref;
      })
      .replace(/ via ([a-z0-9-]+)/g, (all, id: string) => {
        const n = channel(id);
        return n ? ` via ${n}` : all;
      })
      .replace(/->/g, ' → ');
  return { act, channel, actor, param, text };
}

/** Names when the scenario is not known (yet): ids as they are. */
export const NO_NAMES: Names = {
  act: () => undefined,
  channel: () => undefined,
  actor: (id) => id,
  param: (p) => p,
  text: (s) => s,
};

/** The names of a workspace's scenario file (loaded once per file; ids until then). */
export function useNames(ws: string, path: string): Names {
  const [names, setNames] = useState<Names>(NO_NAMES);
  useEffect(() => {
    let live = true;
    get<Record<string, string>>(`/api/workspaces/${ws}/files`).then(
      (files) => live && setNames(namesOf(mergedValue(files, path))),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [ws, path]);
  return names;
}
