// The longest busy stretches of a thread's V8 .cpuprofile (node --cpu-prof; bench/server.ts
// --cpu-prof-dir): runs of samples that are not `(idle)`, each with its start (ms from the profile's
// start), its length, and where its time went (self time by function, and the project frames on the
// stack, inclusive). What held the event loop during a stall of /api/health.
//   node --import tsx bench/cpuprofile-stalls.ts FILE.cpuprofile [how many, default 5]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const prof = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
};
const top = Number(process.argv[3] ?? 5);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const stack = (id: number): Node[] => {
  const out: Node[] = [];
  for (let k: number | undefined = id; k !== undefined; k = parent.get(k)) out.push(byId.get(k)!);
  return out;
};

// Sample i covers [t_i, t_{i+1}); a stretch is consecutive non-idle samples.
const times: number[] = [];
let t = 0;
for (const d of prof.timeDeltas) {
  t += d;
  times.push(t);
}
const stretches: { from: number; to: number; ms: number }[] = [];
let from = -1;
for (let i = 0; i <= prof.samples.length; i++) {
  const idle = i === prof.samples.length || byId.get(prof.samples[i]!)!.callFrame.functionName === '(idle)';
  if (!idle && from < 0) from = i;
  if (idle && from >= 0) {
    const end = i < times.length ? times[i]! : times.at(-1)!;
    stretches.push({ from, to: i, ms: (end - times[from]!) / 1000 });
    from = -1;
  }
}
stretches.sort((a, b) => b.ms - a.ms);
for (const s of stretches.slice(0, top)) {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (let i = s.from; i < s.to; i++) {
    const dt = ((times[i + 1] ?? times[i]!) - times[i]!) / 1000;
    const st = stack(prof.samples[i]!);
    self.set(name(st[0]!), (self.get(name(st[0]!)) ?? 0) + dt);
    const seen = new Set<string>();
    for (const n of st) {
      const u = n.callFrame.url;
      if (!/\/(src|dist)\//.test(u) || /node_modules/.test(u)) continue;
      const k = name(n);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  const fmt = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${v.toFixed(1).padStart(6)} ms  ${k}`)
      .join('\n');
  process.stdout.write(
    `stretch of ${s.ms.toFixed(1)} ms at ${(times[s.from]! / 1000).toFixed(0)} ms (${s.to - s.from} samples)\n  self:\n${fmt(self, 10)}\n  project frames (inclusive):\n${fmt(incl, 14)}\n`,
  );
}
