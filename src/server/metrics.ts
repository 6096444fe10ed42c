// What an operator watches: the event loop's delay (perf_hooks), request latencies by route, the worker
// pool, password hashing and the job queue; `/api/health` gives the essentials as JSON and `/metrics`
// everything in Prometheus' text format. Who may read /metrics: docs/decisions/0018-server-load.md.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Context } from 'hono';
import type { RunStatus } from '../store/index.ts';
import { passwordHashing, safeEqual } from './auth.ts';
import { backgroundStats } from './background-thread.ts';
import type { Services } from './http.ts';
import { clientAddress } from './signin.ts';

/** Event-loop delay over the last full window and the current one (milliseconds). */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  /** Seconds covered. */
  window: number;
}

const WINDOW_MS = 10_000;

/**
 * The event loop's delay, sampled every 10 ms by Node (a timer's lateness): what a request waits before
 * the server starts on it. One monitor per process; figures cover the last 10-20 s.
 */
class LoopMonitor {
  readonly #h: IntervalHistogram;
  #previous: LoopDelay = { p50: 0, p99: 0, max: 0, window: 0 };
  #since = performance.now();
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#h = monitorEventLoopDelay({ resolution: 10 });
    this.#h.enable();
    this.#timer = setInterval(() => {
      this.#previous = this.#read();
      this.#h.reset();
      this.#since = performance.now();
    }, WINDOW_MS);
    this.#timer.unref();
  }

  #read(): LoopDelay {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const n = this.#h.count;
    return {
      p50: n ? ms(this.#h.percentile(50)) : 0,
      p99: n ? ms(this.#h.percentile(99)) : 0,
      max: n ? ms(this.#h.max) : 0,
      window: (performance.now() - this.#since) / 1000,
    };
  }

  /** The worse of the current window and the last full one. */
  delay(): LoopDelay {
    const cur = this.#read();
    const prev = this.#previous;
    return {
      p50: Math.max(cur.p50, prev.p50),
      p99: Math.max(cur.p99, prev.p99),
      max: Math.max(cur.max, prev.max),
      window: Math.round((cur.window + prev.window) * 10) / 10,
    };
  }
}

let monitor: LoopMonitor | undefined;
export function loopDelay(): LoopDelay {
  monitor ??= new LoopMonitor();
  return monitor.delay();
}

/** Upper bounds (seconds) of the request latency histogram. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Series {
  counts: number[];
  sum: number;
  count: number;
}

/** Request latencies by method, route (the route table's path, so the label set stays small) and status. */
export class RequestMetrics {
  readonly #series = new Map<string, Series>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method.toUpperCase()}\u0000${route}\u0000${status}`;
    let s = this.#series.get(key);
    if (!s) {
      s = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  lines(): string[] {
    const out = [
      '# HELP brink_http_request_duration_seconds Time from routing a request to its response (API routes).',
      '# TYPE brink_http_request_duration_seconds histogram',
    ];
    for (const [key, s] of [...this.#series].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [method, route, status] = key.split('\u0000') as [string, string, string];
      const l = `method="${method}",route="${esc(route)}",status="${status}"`;
      LATENCY_BUCKETS.forEach((le, i) => {
        out.push(`brink_http_request_duration_seconds_bucket{${l},le="${le}"} ${s.counts[i]}`);
      });
      out.push(`brink_http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.count}`);
      out.push(`brink_http_request_duration_seconds_sum{${l}} ${s.sum}`);
      out.push(`brink_http_request_duration_seconds_count{${l}} ${s.count}`);
    }
    return out;
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** What /api/health reports about load. */
export function loadReport(services: Pick<Services, 'pool' | 'jobs'>) {
  const p = services.pool.stats();
  const h = passwordHashing.stats();
  return {
    eventLoopDelayMs: loopDelay(),
    queue: {
      pool: { threads: p.threads, running: p.running, waiting: p.queued },
      jobs: services.jobs.stats(),
      passwordHashing: { running: h.running, waiting: h.waiting },
    },
  };
}

/** The whole set in Prometheus text format (version 0.0.4). */
export async function prometheusText(services: Services, metrics: RequestMetrics): Promise<string> {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, values: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of values) out.push(`${name}${labels} ${v}`);
  };
  const d = loopDelay();
  metric('brink_event_loop_delay_seconds', 'gauge', 'Event-loop delay over the last 10-20 s.', [
    ['{quantile="0.5"}', d.p50 / 1000],
    ['{quantile="0.99"}', d.p99 / 1000],
    ['{quantile="1"}', d.max / 1000],
  ]);
  out.push(...metrics.lines());
  const p = services.pool.stats();
  metric('brink_pool_threads', 'gauge', 'Worker threads of the request pool.', [['', p.threads]]);
  metric('brink_pool_tasks', 'gauge', 'Request-pool tasks by state now.', [
    ['{state="running"}', p.running],
    ['{state="waiting"}', p.queued],
  ]);
  metric('brink_pool_tasks_total', 'counter', 'Request-pool tasks since start by outcome.', [
    ['{outcome="ok"}', p.completed - p.failed],
    ['{outcome="failed"}', p.failed],
    ['{outcome="refused"}', p.refused],
  ]);
  metric(
    'brink_pool_operations_total',
    'counter',
    'Request-pool tasks finished since start by operation (validate, prepare, analysis, trace, report, …).',
    Object.entries(p.byOp).map(([op, count]) => [`{op="${esc(op)}"}`, count]),
  );
  metric(
    'brink_pool_busy_seconds_total',
    'counter',
    'Thread-seconds the request pool spent on tasks (utilisation = rate / brink_pool_threads).',
    [['', p.busySeconds]],
  );
  const h = passwordHashing.stats();
  metric('brink_password_hashing', 'gauge', 'Password hashes running and waiting.', [
    ['{state="running"}', h.running],
    ['{state="waiting"}', h.waiting],
  ]);
  metric('brink_password_hashing_refused_total', 'counter', 'Sign-ins refused (429) for a full line.', [
    ['', h.refused],
  ]);
  const byStatus = await services.store.countRunsByStatus();
  metric(
    'brink_jobs',
    'gauge',
    'Jobs (runs, comparisons, sensitivity analyses) by state, in the database.',
    (Object.keys(byStatus) as RunStatus[]).map((s) => [`{state="${s}"}`, byStatus[s]]),
  );
  const b = backgroundStats();
  metric(
    'brink_background_tasks_total',
    'counter',
    'Talks analyses and exercise jobs started on a background thread of their own since start, by kind.',
    Object.entries(b.started).map(([kind, count]) => [`{kind="${esc(kind)}"}`, count]),
  );
  metric('brink_background_tasks', 'gauge', 'Background threads computing a task now.', [
    ['{state="running"}', b.running],
  ]);
  const j = services.jobs.stats();
  metric('brink_job_queue', 'gauge', "This process's job queue.", [
    ['{state="waiting"}', j.queued],
    ['{state="running"}', j.running],
  ]);
  return `${out.join('\n')}\n`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Who may read /metrics: with BRINK_METRICS_TOKEN set, a caller presenting it as a Bearer token; without
 * it, callers on this machine (loopback, as the socket or the trusted proxies say).
 */
export function metricsAllowed(c: Context, services: Services, token: string | undefined): boolean {
  if (token) {
    const m = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '');
    return m !== null && safeEqual(m[1]!, token);
  }
  return LOOPBACK.test(clientAddress(c, services.auth));
}
