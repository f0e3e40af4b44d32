import type { Instance } from '../instance/instance.js';
import type { LatencyRecord } from '../report/run-stats.js';

/** `--verbose` lines on stderr, in the original cas runner's `[start:N]` / `[request:N]` style (N: cas's instance index). */
export function verboseReporter(stderr: NodeJS.WritableStream) {
  return {
    onStarted(instances: readonly Instance[]): void {
      for (const instance of instances) {
        const state = instance.state();
        stderr.write(
          instance.status === 'ready'
            ? `[start:${instance.index}] ok (pid ${state.pid ?? '?'}, ${Math.round(instance.startupMs ?? 0)} ms)\n`
            : `[start:${instance.index}] fail: ${instance.lastError ?? instance.status}\n`,
        );
      }
    },
    onRecord(record: LatencyRecord): void {
      const who = record.instance === null ? '-' : String(record.instance);
      stderr.write(record.ok ? `[request:${who}] ok (${record.latencyMs} ms)\n` : `[request:${who}] fail: ${String(record.code ?? 'unknown')}\n`);
    },
  };
}
