// A checkbox per intervention of a scenario, as the run, compare and sensitivity launchers list them.

export interface InterventionRef {
  id: string;
  title: string;
}

/** Checkboxes for `interventions`; `selected` holds the checked ids in the order they were checked. */
export function InterventionChecks(p: {
  interventions: readonly InterventionRef[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <>
      {p.interventions.map((iv) => (
        <label key={iv.id} className="check">
          <input
            type="checkbox"
            checked={p.selected.includes(iv.id)}
            onChange={(e) =>
              p.onChange(e.target.checked ? [...p.selected, iv.id] : p.selected.filter((x) => x !== iv.id))
            }
          />
          <span>
            {iv.title} <code>{iv.id}</code>
          </span>
        </label>
      ))}
    </>
  );
}
