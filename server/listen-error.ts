import { StartupCode } from '../codec/error-codes.ts';
import { MachineError } from '../lib/startup-error.ts';

/** The gateway could not listen (address in use, not local, no permission): LISTEN_FAILED. */
export class ListenError extends MachineError {
  constructor(host: string, port: number, cause: unknown) {
    const why =
      (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
    super(StartupCode.LISTEN_FAILED, `cannot listen on ${host}:${port} (${why})`, { cause });
    this.name = 'ListenError';
  }
}
