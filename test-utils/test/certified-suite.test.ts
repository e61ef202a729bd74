import { type ClientSetup, describeCertified } from '../src/conformance/index.ts';
import { referenceClient } from './reference-client.ts';

// The reference client reads only `provider` and `origins` of its setup.
describeCertified('reference client (fetch + core request policy)', (setup) =>
  referenceClient(setup as ClientSetup),
);
