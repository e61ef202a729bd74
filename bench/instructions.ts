/**
 * `npm run bench:instructions`: client instructions per request, counted by
 * valgrind --tool=callgrind (repeatable, unlike wall-clock time on a shared 2-core machine),
 * for each adapter against its bare client. The per-request count is the difference between
 * a run of 520 and a run of 20 requests, divided by 500, which cancels start-up. Writes
 * bench/INSTRUCTIONS.md. Needs valgrind (Debian package `valgrind`).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const client = fileURLToPath(new URL('./instructions-client.ts', import.meta.url));
const SMALL = 20;
const LARGE = 520;

/** Instructions valgrind counted in the client process for `count` requests. */
function collected(name: string, mode: string, count: number): number {
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      '--trace-children=no',
      process.execPath,
      '--conditions=@m2m-auth/source',
      client,
      name,
      mode,
      String(count),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const match = /Collected : (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || !match?.[1]) {
    throw new Error(
      `valgrind failed for ${name}/${mode}: ${(run.stderr ?? String(run.error)).slice(-400)}`,
    );
  }
  return Number(match[1]);
}

const perRequest = (name: string, mode: string) =>
  (collected(name, mode, LARGE) - collected(name, mode, SMALL)) / (LARGE - SMALL);

const rows: string[] = [];
for (const name of ['fetch', 'axios', 'got', 'ky']) {
  const bare = perRequest(name, 'bare');
  const adapter = perRequest(name, 'adapter');
  const ratio = bare / adapter;
  rows.push(
    `| ${name} | ${Math.round(bare).toLocaleString('en-US')} | ${Math.round(adapter).toLocaleString('en-US')} | **${ratio.toFixed(3)}** ${ratio >= 0.95 ? '(goal met)' : '(goal missed)'} |`,
  );
  console.log(rows.at(-1));
}

writeFileSync(
  new URL('./INSTRUCTIONS.md', import.meta.url),
  `# Adapter overhead in instructions

Written by \`npm run bench:instructions\` (\`node bench/instructions.ts\`, needs valgrind); do not
edit by hand. Node ${process.version}, ${new Date().toISOString()}.

Instructions executed by the client process per GET to a loopback API in another process
(valgrind --tool=callgrind, \`(count(520) - count(20)) / 500\`), token cached. Unlike wall-clock
throughput on a shared 2-core machine (bench/RESULTS.md, where an A/A control moves by ±5 %),
they do not depend on what else the machine does; V8's JIT still moves them by a few percent
between runs (a ratio above 1.0 is that noise). Goal: bare / adapter >= 0.95.

| client | bare client | with our adapter | ratio bare / adapter |
|---|---:|---:|---:|
${rows.join('\n')}
`,
);
