import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Core must run wherever fetch and Web Crypto exist (Node, Deno, Bun, workerd). The biome
// rule `noNodejsModules` and `"types": []` in its tsconfig catch most of this at build time;
// this test also covers Node-only globals that type-check through other lib files.
// `files/` is the Node entry point `@m2m-auth/core/files` (fromFile), on purpose outside it.
const srcDir = join(import.meta.dirname, '../src');
const sources = readdirSync(srcDir, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.ts') && !file.startsWith('files'))
  .map((file) => ({ file, text: readFileSync(join(srcDir, file), 'utf8') }));

describe('@m2m-auth/core sources', () => {
  it('exist', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each(sources)(
    '$file imports no node: module and uses no Node-only global',
    ({ file, text }) => {
      const stripped = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // The one exception: diagnostics.ts probes for diagnostics_channel through an optional
      // `process?.getBuiltinModule?.()` and publishes nothing where it is missing.
      const code =
        file === 'diagnostics.ts'
          ? stripped.replace(/process\?(: \{|\.getBuiltinModule\?\.)/g, '')
          : stripped;
      expect(code).not.toMatch(/from\s+['"]node:/);
      expect(code).not.toMatch(/import\(\s*['"]node:/);
      expect(code).not.toMatch(/\b(require|process|Buffer|__dirname|setImmediate)\b/);
    },
  );

  it('never reach the Node entry point files/ from the root', () => {
    for (const { text } of sources) expect(text).not.toMatch(/from\s+['"]\.\/files\//);
  });

  it('depends only on runtime-neutral packages', () => {
    const pkg = JSON.parse(readFileSync(join(srcDir, '../package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['jose', 'p-memoize']);
  });
});
