/**
 * What a package's tarball must hold, judged from its own package.json: every file its
 * `exports`, `bin`, `main` and `types` point to; a README and a LICENSE; no tests and no
 * `.tsbuildinfo`; and `repository`, `homepage` and `bugs` that lead to the one repository
 * the root package.json names (with `directory` saying where the package lives in it).
 */

export interface Manifest {
  name: string;
  private?: boolean;
  exports?: unknown;
  bin?: string | Record<string, string>;
  main?: string;
  types?: string;
  typings?: string;
  repository?: string | { url?: string; directory?: string };
  homepage?: string;
  bugs?: string | { url?: string };
}

/** The repository's web address from its git URL: `git+https://host/o/r.git` -> `https://host/o/r`. */
export const webUrl = (gitUrl: string) => gitUrl.replace(/^git\+/, '').replace(/\.git$/, '');

/**
 * Problems of one package, each a sentence; none when it is fine to publish. `directory` is
 * the package's folder relative to the repository root, `repository` the root's git URL.
 */
export function packageProblems(
  manifest: Manifest,
  packed: string[],
  directory: string,
  repository: string,
): string[] {
  const problems: string[] = [];
  const has = new Set(packed);
  for (const [field, target] of pointers(manifest)) {
    const path = target.replace(/^\.\//, '');
    const found = path.includes('*') ? packed.some(globOf(path)) : has.has(path);
    if (!found) problems.push(`${field} points to ${target}, which is not in the tarball`);
  }
  for (const path of packed) {
    if (path.endsWith('.tsbuildinfo')) problems.push(`ships build state: ${path}`);
    else if (isTest(path)) problems.push(`ships a test: ${path}`);
  }
  if (!packed.some((path) => /^readme(\.|$)/i.test(path))) problems.push('ships no README');
  if (!packed.some((path) => /^licen[cs]e(\.|$)/i.test(path))) problems.push('ships no LICENSE');
  problems.push(...metadataProblems(manifest, directory, repository));
  return problems;
}

/** `[field, target]` for every file the manifest points to (`null` exports excluded). */
function pointers(manifest: Manifest): [string, string][] {
  const found: [string, string][] = [];
  const walk = (value: unknown, at: string) => {
    if (typeof value === 'string') found.push([at, value]);
    else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${at}[${i}]`);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${at}["${key}"]`);
    }
  };
  walk(manifest.exports, 'exports');
  walk(typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : manifest.bin, 'bin');
  for (const field of ['main', 'types', 'typings'] as const) walk(manifest[field], field);
  return found;
}

/** An exports pattern (`./dist/*.js`) as a test on packed paths. */
function globOf(pattern: string): (path: string) => boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  const regex = new RegExp(`^${source}$`);
  return (path) => regex.test(path);
}

const isTest = (path: string) =>
  /(^|\/)(test|tests|__tests__)\//.test(path) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(path);

function metadataProblems(manifest: Manifest, directory: string, repository: string): string[] {
  const problems: string[] = [];
  const web = webUrl(repository);
  const repo = manifest.repository;
  if (typeof repo !== 'object' || repo.url !== repository || repo.directory !== directory) {
    problems.push(
      `repository should be { "type": "git", "url": "${repository}", "directory": "${directory}" }`,
    );
  }
  if (!manifest.homepage?.startsWith(web)) problems.push(`homepage should be under ${web}`);
  const bugs = typeof manifest.bugs === 'string' ? manifest.bugs : manifest.bugs?.url;
  if (!bugs?.startsWith(web)) problems.push(`bugs should be under ${web}`);
  return problems;
}
