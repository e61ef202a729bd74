import { describeAdapterConformance } from '../src/conformance/index.ts';
import { referenceClient } from './reference-client.ts';

describeAdapterConformance('reference client (fetch + core request policy)', referenceClient);
