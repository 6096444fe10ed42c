// docs/glossary.md: the glossary the workbench shows at /glossary, from the same entries
// (src/analysis/vocabulary.ts).
import { GLOSSARY, GLOSSARY_GROUPS } from '../../src/analysis/vocabulary.ts';

export const doc = 'docs/glossary.md';

export async function regions(): Promise<Record<string, string>> {
  const out: string[] = [];
  for (const g of GLOSSARY_GROUPS) {
    out.push(`## ${g}`, '');
    for (const e of GLOSSARY.filter((x) => x.group === g))
      out.push(`<a id="${e.id}"></a>**${e.term}**: ${e.definition}`, '');
  }
  return { terms: out.join('\n') };
}
