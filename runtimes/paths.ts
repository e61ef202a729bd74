import { join, resolve } from 'node:path';

/** The repository root: tsc runs there, and binary hints are printed relative to it. */
export const root = resolve(import.meta.dirname, '..');

/** A path under the root's node_modules, where the runtimes' npm packages put their binaries. */
export const bin = (path: string): string => join(root, 'node_modules', path);
