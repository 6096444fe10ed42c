// Makes the column subsets in data/ from the full third-party files (../shared/data by default), so the
// repository ships only what `brink calibrate` reads. Rows are kept whole and in order; only columns are
// dropped. Run: npx tsx scripts/extract-data.ts [SHARED_DATA_DIR]. Prints the sha256 of each source file
// (recorded in data/*/README.md).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const shared = resolve(process.argv[2] ?? join(root, '..', 'shared', 'data'));

interface Subset {
  from: string;
  to: string;
  columns: string[];
}

const SUBSETS: Subset[] = [
  {
    from: 'cns-nk-missile-tests/derived/nagix_tests_flat.csv',
    to: 'cns-nk-missile-tests/tests.csv',
    columns: [
      'seq',
      'date',
      'year',
      'series',
      'missile_slug',
      'missile_name',
      'missile_class',
      'landing',
      'bearing_deg',
      'outcome',
    ],
  },
  {
    from: 'icb-v15/icb1v15.csv',
    to: 'icb-v15/icb1-crises.csv',
    columns: [
      'crisno',
      'crisname',
      'break',
      'trigent',
      'yrtrig',
      'motrig',
      'datrig',
      'yrterm',
      'moterm',
      'daterm',
      'brexit',
      'gravcr',
      'crismg',
      'viol',
      'timvio',
      'forout',
      'period',
      'protrac',
      'powdissy',
    ],
  },
  {
    from: 'icb-v15/icb2v15.csv',
    to: 'icb-v15/icb2-actors.csv',
    columns: [
      'crisno',
      'cracno',
      'cracid',
      'actor',
      'triggr',
      'yrtrig',
      'motrig',
      'datrig',
      'trigent',
      'majres',
      'crismg',
      'sevvio',
      'viol',
      'allycap',
      'powdis',
      'nuclear',
    ],
  },
  {
    from: 'cow-mid-5.0/MIDA_5.0.csv',
    to: 'cow-mid-5.0/mida-disputes.csv',
    columns: ['dispnum', 'styear', 'endyear', 'fatality', 'hiact', 'hostlev', 'recip'],
  },
  {
    from: 'cow-mid-5.0/MIDI_5.0.csv',
    to: 'cow-mid-5.0/midi-incidents.csv',
    columns: ['dispnum', 'incidnum', 'stday', 'stmon', 'styear', 'fatality', 'action', 'hostlev'],
  },
];

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

for (const s of SUBSETS) {
  const bytes = readFileSync(join(shared, s.from));
  const sha = createHash('sha256').update(bytes).digest('hex');
  const rows = parse(bytes.toString('utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  for (const c of s.columns) {
    if (rows.length && !(c in rows[0]!)) throw new Error(`${s.from}: no column ${c}`);
  }
  const out = [s.columns.join(',')];
  for (const r of rows) out.push(s.columns.map((c) => csvCell(r[c] ?? '')).join(','));
  const target = join(root, 'data', s.to);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${out.join('\n')}\n`);
  process.stdout.write(`${s.to}: ${rows.length} rows from ${s.from} (sha256 ${sha})\n`);
}
