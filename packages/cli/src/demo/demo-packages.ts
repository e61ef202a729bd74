/**
 * The packages `m2m-auth demo` runs that the CLI does not install: the test servers, the
 * other adapters and their HTTP clients. `token` and `request` need none of them, so they
 * are optional peer dependencies, and package.json is the one list of them.
 */
import { readFileSync } from 'node:fs';

export interface DemoPackage {
  name: string;
  /** The range package.json asks for, e.g. `^1.21.1`. */
  range: string;
}

/** The CLI's optional peers, as package.json declares them (two levels up from src/demo and dist/demo alike). */
export function demoPackages(): DemoPackage[] {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { peerDependencies?: Record<string, string> };
  return Object.entries(manifest.peerDependencies ?? {}).map(([name, range]) => ({ name, range }));
}

/** Whether `name` resolves from here, as the demo's own imports will. */
function isInstalled(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

export const missingDemoPackages = (): DemoPackage[] =>
  demoPackages().filter(({ name }) => !isInstalled(name));

const spec = ({ name, range }: DemoPackage) => `'${name}@${range}'`;

/** What to run to get the missing packages: with npx all of them, next to an install only those missing. */
export function demoInstallHint(missing: readonly DemoPackage[]): string {
  const all = demoPackages();
  return [
    `m2m-auth: demo needs packages the CLI does not install (token and request do not): ${missing.map(({ name }) => name).join(', ')} missing`,
    '  with npx:',
    `    npx -p @m2m-auth/cli ${all.map((p) => `-p ${spec(p)}`).join(' ')} m2m-auth demo`,
    '  next to an installed CLI (add -g for a global one):',
    `    npm install ${missing.map(spec).join(' ')}`,
    '',
  ].join('\n');
}
