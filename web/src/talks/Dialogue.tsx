// One dialogue: the pages its caller's role opens (host, delegation, observer). The page title is the
// codename and nothing else; the address holds only opaque ids and the tab.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get } from '../api.ts';
import { tabPanel } from '../components/Tabs.tsx';
import { Link, navigate } from '../router.tsx';
import { DraftsPanel } from './Drafts.tsx';
import {
  AgendaPanel,
  AuditPanel,
  GapsPanel,
  NotesPanel,
  PlaybookPanel,
  RoomPanel,
  SimulationPanel,
} from './HostPanels.tsx';
import {
  PositionsPanel,
  ReleasedPanel,
  ReleasesPanel,
  SharedEffectsPanel,
  SharedGapsPanel,
} from './PartyPanels.tsx';
import type { Overview } from './types.ts';
import { ErrorLine, Tabs } from './ui.tsx';
import './talks.css';
import { PlaybookLinks } from './Results.tsx';

type Tab =
  | 'room'
  | 'agenda'
  | 'positions'
  | 'releases'
  | 'released'
  | 'gaps'
  | 'drafts'
  | 'simulation'
  | 'effects'
  | 'playbook'
  | 'notes'
  | 'audit';

function tabsFor(ov: Overview): { id: Tab; label: string }[] {
  if (ov.role === 'host')
    return [
      { id: 'room', label: 'Room' },
      { id: 'agenda', label: 'Agenda' },
      { id: 'gaps', label: 'Gaps' },
      { id: 'drafts', label: 'Drafts' },
      { id: 'simulation', label: 'Simulation' },
      { id: 'playbook', label: 'Playbook' },
      { id: 'notes', label: 'Notes' },
      { id: 'audit', label: 'Audit log' },
    ];
  const shared: { id: Tab; label: string }[] = [
    { id: 'released', label: 'Released to you' },
    { id: 'gaps', label: 'Gaps' },
    { id: 'drafts', label: 'Drafts' },
    { id: 'effects', label: 'Effects' },
    ...(ov.playbookIssued && ov.onDistribution ? [{ id: 'playbook' as Tab, label: 'Playbook' }] : []),
  ];
  if (ov.role === 'observer') return shared;
  return [{ id: 'positions', label: 'Our positions' }, { id: 'releases', label: 'Releases' }, ...shared];
}

export function DialoguePage({ id, tab }: { id: string; tab: string | undefined }) {
  const [ov, setOv] = useState<Overview | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setOv(await get<Overview>(`/api/talks/${id}`));
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 404
          ? 'No such dialogue.'
          : e instanceof Error
            ? e.message
            : String(e),
      );
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (ov) document.title = `${ov.codename} · Brink`;
  }, [ov]);
  if (error)
    return (
      <div className="page">
        <ErrorLine error={error} />
        <Link to="/talks">Back to the talks</Link>
      </div>
    );
  if (!ov) return <div className="center muted">Loading…</div>;
  const tabs = tabsFor(ov);
  const current = (tabs.find((t) => t.id === tab)?.id ?? tabs[0]!.id) as Tab;
  return (
    <div className="page talks">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/talks">Talks</Link> <span aria-hidden="true">/</span> {ov.codename}
      </nav>
      <div className="page-head">
        <div>
          <h1 className="codename">{ov.codename}</h1>
          <p className="muted">
            {ov.role === 'host'
              ? `You host this dialogue as ${ov.hostLabel}.`
              : ov.role === 'observer'
                ? `You observe as ${ov.me?.label}: you see what the parties release to observers.`
                : `You speak for the ${ov.me?.label}. What you declare stays with your delegation and the host unless you release it.`}{' '}
            Parties: {ov.parties.map((p) => p.label).join(', ')}.
          </p>
        </div>
        <span className={`role-badge ${ov.role}`}>{ov.role}</span>
      </div>
      <Tabs tabs={tabs} value={current} onChange={(t) => navigate(`/talks/${ov.id}/${t}`)} />
      <div {...tabPanel('talks', current)} className="talks-panel">
        {current === 'room' ? <RoomPanel ov={ov} reload={load} /> : null}
        {current === 'agenda' ? <AgendaPanel ov={ov} reload={load} /> : null}
        {current === 'positions' ? <PositionsPanel ov={ov} /> : null}
        {current === 'releases' ? <ReleasesPanel ov={ov} /> : null}
        {current === 'released' ? <ReleasedPanel ov={ov} /> : null}
        {current === 'gaps' ? ov.role === 'host' ? <GapsPanel ov={ov} /> : <SharedGapsPanel ov={ov} /> : null}
        {current === 'drafts' ? <DraftsPanel ov={ov} /> : null}
        {current === 'simulation' ? <SimulationPanel ov={ov} /> : null}
        {current === 'effects' ? <SharedEffectsPanel ov={ov} /> : null}
        {current === 'playbook' ? (
          ov.role === 'host' ? (
            <PlaybookPanel ov={ov} reload={load} />
          ) : (
            <section className="panel">
              <h2>Playbook</h2>
              <p>The host issued the playbook to a distribution list that names you.</p>
              <PlaybookLinks dialogue={ov.id} />
            </section>
          )
        ) : null}
        {current === 'notes' ? <NotesPanel ov={ov} /> : null}
        {current === 'audit' ? <AuditPanel ov={ov} /> : null}
      </div>
    </div>
  );
}
