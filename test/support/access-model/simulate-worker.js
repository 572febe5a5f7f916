// Runs @cloud-copilot/iam-simulate's (asynchronous) runSimulation for simulator.ts, which blocks on
// a shared flag until the answer is posted back, so AccessModel.check() can stay synchronous.
const { parentPort, workerData } = require('worker_threads');
const { runSimulation, getDenialReasons, getGrantReasons } = require(workerData.modulePath);

parentPort.on('message', async ({ signal, port, simulation, options }) => {
  let reply;
  try {
    const result = await runSimulation(simulation, options);
    const analyses = result.resultType === 'single' ? [result.result.analysis] : result.resultType === 'wildcard' ? result.results.map((r) => r.analysis) : [];
    reply = {
      result: JSON.parse(JSON.stringify(result)),
      grants: analyses.flatMap((a) => (a ? getGrantReasons(a) : [])),
      denials: analyses.flatMap((a) => (a ? getDenialReasons(a) : [])),
    };
  } catch (e) {
    reply = { error: String((e && e.stack) || e) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
