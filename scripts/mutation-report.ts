/**
 * Writes bench/MUTATION.md from Stryker's JSON report (reports/mutation/mutation.json), as
 * bench/run.ts writes RESULTS.md: one row per mutated core file, its score against the goal,
 * and the survivors of every file below it. npm runs it after `npm run test:mutation`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const GOAL = 90;
const REPORT = 'reports/mutation/mutation.json';
const OUT = 'bench/MUTATION.md';

interface Mutant {
  mutatorName: string;
  status: string;
  location: { start: { line: number; column: number } };
  replacement?: string;
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
// A run of some files (`-- --mutate <file>`) reports those only: MUTATION.md is from full runs.
const configUrl = new URL('../stryker.config.mjs', import.meta.url).href;
const { default: config } = (await import(configUrl)) as {
  default: { mutate: string[] };
};
const missing = config.mutate.filter((file) => !(file in report.files));
if (missing.length > 0) {
  console.log(`${OUT} not written: a partial run (${missing.length} configured files not in it)`);
  process.exit(0);
}
const count = (mutants: Mutant[], status: string) =>
  mutants.filter((mutant) => mutant.status === status).length;

interface Row {
  file: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  score: number;
  survivors: Mutant[];
}

// Stryker's own score: detected (killed or timed out) over every mutant that ran or had no
// test; compile and runtime errors and ignored mutants do not count.
const score = (row: Omit<Row, 'file' | 'score' | 'survivors'>) => {
  const detected = row.killed + row.timeout;
  const valid = detected + row.survived + row.noCoverage;
  return valid === 0 ? 100 : (100 * detected) / valid;
};

const rows: Row[] = Object.entries(report.files)
  .map(([path, { mutants }]) => {
    const counts = {
      killed: count(mutants, 'Killed'),
      timeout: count(mutants, 'Timeout'),
      survived: count(mutants, 'Survived'),
      noCoverage: count(mutants, 'NoCoverage'),
      ignored: count(mutants, 'Ignored'),
      errors: count(mutants, 'CompileError') + count(mutants, 'RuntimeError'),
    };
    return {
      file: path.replace(/^.*packages\/core\/src\//, ''),
      ...counts,
      score: score(counts),
      survivors: mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage'),
    };
  })
  .sort((a, b) => a.score - b.score || a.file.localeCompare(b.file));

const sum = (key: 'killed' | 'timeout' | 'survived' | 'noCoverage' | 'ignored' | 'errors') =>
  rows.reduce((total, row) => total + row[key], 0);
const total = {
  killed: sum('killed'),
  timeout: sum('timeout'),
  survived: sum('survived'),
  noCoverage: sum('noCoverage'),
  ignored: sum('ignored'),
  errors: sum('errors'),
};
const below = rows.filter((row) => row.score < GOAL);
const pct = (value: number) => `${value.toFixed(1)} %`;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

const lines = [
  '# Mutation testing of core',
  '',
  'Written by `npm run test:mutation` (Stryker with the vitest runner, `stryker.config.mjs`,',
  'then `node scripts/mutation-report.ts`); do not edit by hand. The mutated files are core',
  'files that decide something a user relies on (each named, with why, in the config); the',
  "tests are core's own. How to read it and what to do with a survivor: CONTRIBUTING.md.",
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Commit: ${commit}`,
  `- Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform} ${process.arch}; Node ${process.version}`,
  `- Goal: at least ${GOAL} % on every file. Met by ${rows.length - below.length} of ${rows.length} files.`,
  `- All files: ${pct(score(total))} (${total.killed + total.timeout} of ${total.killed + total.timeout + total.survived + total.noCoverage} mutants detected)`,
  '',
  'Score = (killed + timeout) / (killed + timeout + survived + no coverage). Ignored mutants',
  'carry a `// Stryker disable` comment in the source that says why they are equivalent.',
  '',
  '| file | score | killed | timeout | survived | no coverage | ignored | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.file} | ${row.score < GOAL ? '**' : ''}${pct(row.score)}${row.score < GOAL ? '**' : ''} | ${row.killed} | ${row.timeout} | ${row.survived} | ${row.noCoverage} | ${row.ignored} | ${row.errors} |`,
  ),
  `| all | ${pct(score(total))} | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.ignored} | ${total.errors} |`,
  '',
];

if (below.length > 0) {
  lines.push('## Survivors in files below the goal', '');
  for (const row of below) {
    lines.push(`### ${row.file}`, '');
    for (const mutant of row.survivors) {
      const { line, column } = mutant.location.start;
      const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
      lines.push(
        `- ${line}:${column} ${mutant.mutatorName}${mutant.status === 'NoCoverage' ? ' (no coverage)' : ''}${replacement ? `: \`${replacement.replaceAll('`', "'")}\`` : ''}`,
      );
    }
    lines.push('');
  }
}

writeFileSync(OUT, lines.join('\n'));
console.log(
  `${OUT}: ${pct(score(total))} overall, ${below.length} of ${rows.length} files below ${GOAL} %`,
);
