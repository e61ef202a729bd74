export type { InstrumentOptions } from './instrument.ts';
export { instrumentM2MAuth } from './instrument.ts';
