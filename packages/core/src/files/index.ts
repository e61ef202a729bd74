// `@m2m-auth/core/files`: credentials read from files, for Node (and runtimes with its `fs`).
export type { FromFileOptions } from './from-file.ts';
export { fromFile } from './from-file.ts';
