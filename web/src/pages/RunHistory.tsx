import { useEffect, useState } from 'react';
import { get, kindOf, post, type RunSummary, type WorkspaceRef } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { jobLine } from './RunPage.tsx';

export const STATUS_LABEL: Record<string, string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

function historyLine(r: RunSummary): string {
  const m = r.manifest;
  if (m.kind === 'compare')
    return `${m.compare.arms.join(', ')} · ${m.runs.toLocaleString()} runs per arm · seed ${m.seed}`;
  if (m.kind === 'sensitivity')
    return `${m.sensitivity.parameters} parameters${m.interventions.length ? ` · with ${m.interventions.join(' + ')}` : ''} · seed ${m.seed}`;
  if (m.kind !== 'run') return jobLine(m);
  return `${m.runs.toLocaleString()} runs · seed ${m.seed}${m.interventions.length ? ` · ${m.interventions.join(' + ')}` : ' · baseline'}`;
}

export function RunHistory({ ws, scenarioId }: { ws: WorkspaceRef; scenarioId: string }) {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  useEffect(() => {
    void get<RunSummary[]>(`/api/workspaces/${ws.id}/runs?scenarioId=${scenarioId}&limit=30`).then(setRuns);
  }, [ws.id, scenarioId]);
  if (!runs) return <p className="muted small">Loading…</p>;
  if (!runs.length) return <p className="muted small">No runs yet.</p>;
  return (
    <ul className="history">
      {runs.map((r) => (
        <li key={r.id}>
          <Link to={`/w/${ws.id}/r/${r.id}`}>
            <span className={`pill ${r.status}`}>{STATUS_LABEL[r.status]}</span>{' '}
            {kindOf(r.manifest) === 'run' ? null : <span className="kind">{kindOf(r.manifest)}</span>}{' '}
            {historyLine(r)}
          </Link>
          <span className="muted small">
            {' '}
            v{r.manifest.scenarioVersion} ·{' '}
            {new Date(r.createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}
          </span>
          {r.status === 'interrupted' && ws.role !== 'viewer' ? (
            <button
              type="button"
              className="ghost small"
              onClick={async () => {
                await post(`/api/workspaces/${ws.id}/runs/${r.id}/resume`);
                navigate(`/w/${ws.id}/r/${r.id}`);
              }}
            >
              Resume
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
