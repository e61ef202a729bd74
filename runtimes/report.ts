/** What the harness prints: a line per runtime as it finishes, then the summary table. */

export interface Outcome {
  target: string;
  version: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  problems: string[];
  summary?: string;
}

export const ms = (n: number): string =>
  n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;

/** One runtime's result and every problem found, printed as soon as it is known. */
export function report(o: Outcome): void {
  const head = `${o.status === 'passed' ? 'PASS' : 'FAIL'} ${o.target} (${o.version}) in ${ms(o.ms)}`;
  console.log(`${head}${o.summary ? `: ${o.summary}` : ''}`);
  for (const p of o.problems) console.log(`  - ${p}`);
}

/**
 * The table, then the `runtimes: N passed, N failed, N skipped` line that CI logs are read
 * for; returns the exit code (1 if any runtime failed).
 */
export function summarize(outcomes: Outcome[], elapsed: number): number {
  console.log('\nruntime   version                                   result   time');
  for (const o of outcomes) {
    console.log(
      `${o.target.padEnd(9)} ${o.version.slice(0, 40).padEnd(41)} ${o.status.padEnd(8)} ${ms(o.ms)}`,
    );
  }
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  console.log(`total ${ms(elapsed)}`);
  console.log(
    `runtimes: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`,
  );
  return count('failed') > 0 ? 1 : 0;
}
