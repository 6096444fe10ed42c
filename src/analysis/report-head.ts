// What every analysis report opens with: the scenario it ran on (id and content hash), the engine
// version and the seed, so that a report names what re-runs it to the same numbers.

export interface ReportHead {
  scenario: { id: string; hash: string };
  engine: string;
  seed: number;
}

/** The head of a report, in the order the JSON lists it. */
export function reportHead(id: string, hash: string, engine: string, seed: number): ReportHead {
  return { scenario: { id, hash }, engine, seed };
}
