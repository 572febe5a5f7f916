import * as path from 'path';
// from 'timers', not the global: Jest's fake timers must not keep an idle worker alive
import { clearTimeout, setTimeout } from 'timers';
import { MessageChannel, Worker, receiveMessageOnPort } from 'worker_threads';
import type { RequestDenial, RequestGrant, RunSimulationResults, Simulation } from '@cloud-copilot/iam-simulate';

/** What one simulation returned, plus iam-simulate's own summary of the deciding statements. */
export interface SimulationOutput {
  readonly result: RunSimulationResults;
  readonly grants: RequestGrant[];
  readonly denials: RequestDenial[];
  /** Context keys given an array although iam-simulate takes them as single-valued. */
  readonly singleValuedArrays: string[];
}

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;

/** An idle worker ends after this long (Jest loads this module afresh per test file: no thread may pile up). */
export const IDLE_MS = 1_000;

/** Whether a worker thread is running (for the harness's own tests). */
export function workerRunning(): boolean {
  return worker !== undefined;
}

/**
 * Runs iam-simulate's runSimulation (async: it loads its IAM reference data lazily) in a worker
 * thread and waits for it synchronously, so tests can write `expect(model.check(...)).toBe(...)`.
 * The worker is unref'd (it never keeps a test process alive) and ends after a second without work.
 */
export function simulateSync(simulation: Simulation): SimulationOutput {
  if (idleTimer) clearTimeout(idleTimer);
  if (!worker) {
    worker = new Worker(path.join(__dirname, 'simulate-worker.js'), {
      workerData: { modulePath: require.resolve('@cloud-copilot/iam-simulate') },
    });
    worker.unref();
    worker.on('error', () => { worker = undefined; });
  }
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    worker.postMessage({ signal, port: port2, simulation, options: { simulationMode: 'Strict' } }, [port2]);
    if (Atomics.wait(signal, 0, 0, 60_000) === 'timed-out') {
      throw new Error('AccessModel: iam-simulate did not answer within 60 s.');
    }
    const reply = receiveMessageOnPort(port1)?.message as (SimulationOutput & { error?: string }) | undefined;
    if (!reply) throw new Error('AccessModel: the iam-simulate worker answered nothing.');
    if (reply.error) throw new Error(`AccessModel: iam-simulate failed: ${reply.error}`);
    return reply;
  } finally {
    port1.close();
    idleTimer = setTimeout(() => {
      void worker?.terminate();
      worker = undefined;
    }, IDLE_MS);
    idleTimer.unref();
  }
}
