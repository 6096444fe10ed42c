import { useEffect, useState } from 'react';
import { get, post, type RunSummary, type WorkspaceRef } from '../api.ts';
import { Link, navigate } from '../router.tsx';

export const STATUS_LABEL: Record<string, string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

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
            {r.manifest.runs.toLocaleString()} runs · seed {r.manifest.seed}
            {r.manifest.interventions.length ? ` · ${r.manifest.interventions.join(' + ')}` : ' · baseline'}
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
