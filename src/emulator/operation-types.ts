/** Types shared by the emulated WS-Man operations. */
import type { EmulatorDialect } from './dialect.js';
import type { EnumerationStore } from './enumerations.js';
import type { JobModel } from './model.js';
import type { ServiceInstance } from './services.js';
import type { SoapRequest } from './soap.js';

export type OperationName = 'Identify' | 'Get' | 'Enumerate' | 'Pull' | 'Release' | 'Invoke';

export interface OperationContext {
  readonly model: JobModel;
  /** The host's service instances (services.ts); empty for a namespace that shows nothing. */
  readonly services: readonly ServiceInstance[];
  readonly enumerations: EnumerationStore;
  readonly computerName: string;
  /** Server cap on envelope size (MaxEnvelopeSizekb × 1024). */
  readonly maxEnvelopeSize: number;
  /** Profiles for an authenticated Identify; undefined when the request was not authenticated. */
  readonly securityProfiles: readonly string[] | undefined;
  readonly now: () => Date;
  /** Which server the host behaves as (dialect.ts). */
  readonly dialect: EmulatorDialect;
  /** Whether the DMTF association filter dialect is answered (EmulatedHostOptions.associationFilter). */
  readonly associationFilter: boolean;
}

export interface OperationResult {
  readonly operation: OperationName;
  readonly xml: string;
  readonly method?: string;
}

/** An operation handler; `limit` is the effective MaxEnvelopeSize of the reply. */
export type OperationHandler = (req: SoapRequest, ctx: OperationContext, limit: number) => OperationResult;
