// The exercises' entry: the exercises one facilitates or plays in, and, for an analyst of a workspace,
// setting one up: a scenario, teams for some of its actors (the others are played by the model's
// doctrine), a turn length, and an MSEL imported from CSV in HSEEP's columns (editable later).
import { useEffect, useState } from 'react';
import { errText, get, post, type ScenarioSummary, type WorkspaceRef } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { ErrorLine, when } from '../talks/ui.tsx';

interface ExerciseRef {
  id: string;
  title: string;
  role: 'facilitator' | 'team';
  team: string | null;
  createdAt: string;
}
interface TeamRow {
  label: string;
  actor: string;
}

const slug = (s: string, k: number) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30) || `team-${k + 1}`;

export function ExercisesHome({ workspaces }: { workspaces: WorkspaceRef[] }) {
  const [list, setList] = useState<ExerciseRef[] | null>(null);
  const [error, setError] = useState('');
  const ws = workspaces.find((w) => w.role !== 'viewer');
  useEffect(() => {
    document.title = 'Exercises · Brink';
    void get<ExerciseRef[]>('/api/exercises').then(setList, (e: Error) => setError(e.message));
  }, []);
  return (
    <div className="page exercises">
      <div className="page-head">
        <div>
          <h1>Tabletop exercises</h1>
          <p className="muted">
            Teams play their actor against the model: each sees only what its actor perceives, decides among
            its options or writes over the scenario's channels; the engine adjudicates; the facilitator
            injects, and the review shows which decisions moved the risk. The facilitator's guide is{' '}
            <code>docs/exercises.md</code> in the Brink repository.
          </p>
        </div>
      </div>
      <ErrorLine error={error} />
      <div className="grid2">
        <section className="panel" aria-labelledby="ex-h">
          <h2 id="ex-h">Your exercises</h2>
          {list === null ? (
            <p className="muted">Loading…</p>
          ) : list.length === 0 ? (
            <p className="muted">
              No exercise yet. Set one up, or open the team invitation link you were given.
            </p>
          ) : (
            <ul className="plain dialogue-list" aria-label="Exercises">
              {list.map((x) => (
                <li key={x.id}>
                  <Link to={`/exercises/${x.id}`}>{x.title}</Link>{' '}
                  <span className="pill">{x.role === 'facilitator' ? 'facilitator' : `team ${x.team}`}</span>{' '}
                  <span className="muted small">{when(x.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {ws ? <CreateExercise ws={ws} /> : null}
      </div>
    </div>
  );
}

function CreateExercise({ ws }: { ws: WorkspaceRef }) {
  const [scenarios, setScenarios] = useState<ScenarioSummary[]>([]);
  const [scenario, setScenario] = useState('');
  const [actors, setActors] = useState<{ id: string; name: string }[]>([]);
  const [title, setTitle] = useState('');
  const [seed, setSeed] = useState('');
  const [turnHours, setTurnHours] = useState('6');
  const [clock, setClock] = useState<'turns' | 'realtime'>('turns');
  const [multiplier, setMultiplier] = useState('60');
  const [teams, setTeams] = useState<TeamRow[]>([
    { label: '', actor: '' },
    { label: '', actor: '' },
  ]);
  const [csv, setCsv] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void get<ScenarioSummary[]>(`/api/workspaces/${ws.id}/scenarios`).then((l) => {
      const list = l.filter((s) => s.kind === 'scenario');
      setScenarios(list);
      if (list[0]) setScenario(list[0].path);
    });
  }, [ws.id]);
  useEffect(() => {
    if (!scenario) return;
    void get<{ actors: { id: string; name: string }[] }>(
      `/api/workspaces/${ws.id}/exercises/actors?scenario=${encodeURIComponent(scenario)}`,
    ).then(
      (r) => setActors(r.actors),
      (e) => setError(errText(e)),
    );
  }, [ws.id, scenario]);
  const create = async () => {
    setBusy(true);
    setError('');
    try {
      const chosen = teams.filter((t) => t.actor);
      const { id } = await post<{ id: string }>(`/api/workspaces/${ws.id}/exercises`, {
        title,
        scenario,
        ...(seed ? { seed: Number(seed) } : {}),
        turnHours: Number(turnHours),
        clock: clock === 'turns' ? { kind: 'turns' } : { kind: 'realtime', multiplier: Number(multiplier) },
        teams: chosen.map((t, k) => ({ id: slug(t.label, k), label: t.label || t.actor, actor: t.actor })),
      });
      if (csv.trim()) await post(`/api/exercises/${id}/msel.csv`, { csv });
      navigate(`/exercises/${id}`);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="new-h">
      <h2 id="new-h">Set up an exercise</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label>
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <label>
          Scenario to play
          <select value={scenario} onChange={(e) => setScenario(e.target.value)}>
            {scenarios.map((s) => (
              <option key={s.path} value={s.path}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <div className="row">
          <label>
            Clock
            <select value={clock} onChange={(e) => setClock(e.target.value as 'turns' | 'realtime')}>
              <option value="turns">Turns (the facilitator advances the game)</option>
              <option value="realtime">Real time, faster by a multiplier</option>
            </select>
          </label>
          {clock === 'turns' ? (
            <label>
              Turn (scenario hours)
              <input type="number" min={1} value={turnHours} onChange={(e) => setTurnHours(e.target.value)} />
            </label>
          ) : (
            <label>
              Multiplier (scenario hours per wall-clock hour)
              <input
                type="number"
                min={1}
                max={10000}
                value={multiplier}
                onChange={(e) => setMultiplier(e.target.value)}
              />
            </label>
          )}
          <label>
            Seed
            <input
              type="number"
              min={0}
              value={seed}
              placeholder="random"
              onChange={(e) => setSeed(e.target.value)}
            />
          </label>
        </div>
        <fieldset>
          <legend>Teams (actors without a team are played by the model's doctrine)</legend>
          {teams.map((t, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows in time order, never reordered
            <div className="row" key={`team-${k}`}>
              <label>
                Name of team {k + 1}
                <input
                  value={t.label}
                  onChange={(e) =>
                    setTeams(teams.map((x, j) => (j === k ? { ...x, label: e.target.value } : x)))
                  }
                />
              </label>
              <label>
                Plays (actor) of team {k + 1}
                <select
                  value={t.actor}
                  onChange={(e) =>
                    setTeams(teams.map((x, j) => (j === k ? { ...x, actor: e.target.value } : x)))
                  }
                >
                  <option value="">—</option>
                  {actors.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.id}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          ))}
          <button
            type="button"
            className="ghost"
            onClick={() => setTeams([...teams, { label: '', actor: '' }])}
          >
            Add a team
          </button>
        </fieldset>
        <label>
          MSEL (CSV in HSEEP's columns, optional)
          <textarea rows={4} value={csv} onChange={(e) => setCsv(e.target.value)} />
        </label>
        <ErrorLine error={error} />
        <button type="submit" className="primary" disabled={busy || !title}>
          Create the exercise
        </button>
      </form>
    </section>
  );
}
