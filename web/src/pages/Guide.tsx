// The first-run guide, shown on the scenario list right after the first account is created: open a
// scenario, run it, read the result, compare a measure. It can be dismissed and does not come back.
import type { WorkspaceRef } from '../api.ts';
import { Term } from '../components/Term.tsx';
import { Link } from '../router.tsx';

export function FirstRunGuide({ ws, onClose }: { ws: WorkspaceRef; onClose: () => void }) {
  return (
    <section className="page guide" aria-labelledby="guide-h">
      <div className="panel guide-panel">
        <div className="row space">
          <h2 id="guide-h">Your first analysis, in four steps</h2>
          <button type="button" className="ghost small" onClick={onClose}>
            Hide the guide
          </button>
        </div>
        <ol className="steps">
          <li>
            <strong>Open a scenario.</strong> Pick one of the three Korea crises below, e.g. “The US
            intercepts a DPRK test missile”. The editor shows its YAML with live checks, and a quick preview
            of 2,000 runs.
          </li>
          <li>
            <strong>Run it.</strong> Under <em>Ensemble</em> beside the editor, keep 20,000 runs and seed 1
            and press <em>Run</em>. The results page follows the run as it goes.
          </li>
          <li>
            <strong>Read the result.</strong> The headline is <Term id="war-or-worse">P(war or worse)</Term>:
            the share of runs whose <Term id="peak">peak</Term> reached war or above, with its{' '}
            <Term id="wilson">95% interval</Term>. The charts show how far crises climb and by which paths;
            each has a data table.
          </li>
          <li>
            <strong>Compare a measure.</strong> Back on the scenario, the <em>Compare</em> tab runs
            interventions (e.g. EU-hosted talks, a hotline) on the same random worlds as the baseline and
            shows the <Term id="pts">change in points</Term>, the runs each one{' '}
            <Term id="saved-harmed">saves</Term> and why.
          </li>
        </ol>
        <p className="muted small">
          Colleagues join under <Link to={`/w/${ws.id}/members`}>Members</Link>; every term is explained in
          the <Link to="/glossary">glossary</Link>.
        </p>
      </div>
    </section>
  );
}
