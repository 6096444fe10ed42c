// The glossary: every term the results use, defined in a line or two (src/analysis/vocabulary.ts, which
// also makes docs/glossary.md). Terms on other pages link here with <Term>.
import { GLOSSARY, GLOSSARY_GROUPS as GROUPS } from '../../../src/analysis/vocabulary.ts';
import { Page } from '../components/Page.tsx';

export function GlossaryPage() {
  return (
    <Page
      title="Glossary"
      className="glossary"
      intro={
        <>
          What the numbers on the results pages, in the reports and on the command line mean. Every figure is
          a share of simulated runs, with its 95% interval.
        </>
      }
    >
      <nav aria-label="Glossary sections" className="toc">
        <ul className="plain row wrap">
          {GROUPS.map((g) => (
            <li key={g}>
              <a href={`#${slug(g)}`}>{g}</a>
            </li>
          ))}
        </ul>
      </nav>
      {GROUPS.map((g) => (
        <section key={g} className="panel" aria-labelledby={slug(g)}>
          <h2 id={slug(g)} tabIndex={-1}>
            {g}
          </h2>
          {g === 'Escalation ladder' ? (
            <p className="muted small">
              Brink’s default ladder, from rung 0 to rung 9. A scenario may define its own; its rung ids then
              show in the charts.
            </p>
          ) : null}
          <dl className="terms">
            {GLOSSARY.filter((e) => e.group === g).map((e) => (
              <div key={e.id}>
                <dt id={e.id} tabIndex={-1}>
                  {e.term}
                </dt>
                <dd>{e.definition}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </Page>
  );
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z]+/g, '-');
