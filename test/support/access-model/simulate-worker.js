// Runs @cloud-copilot/iam-simulate's (asynchronous) runSimulation for simulator.ts, which blocks on
// a shared flag until the answer is posted back, so AccessModel.check() can stay synchronous.
const { parentPort, workerData } = require('worker_threads');

let simulate;

/** Keys given an array that iam-simulate treats as single-valued (it would keep only the first element). */
async function singleValuedArrays(context) {
  const out = [];
  for (const [key, value] of Object.entries(context)) {
    if (!Array.isArray(value)) continue;
    try {
      if (!simulate.isConditionKeyArray(await simulate.typeForContextKey(key))) out.push(key);
    } catch {
      // unknown keys are reported as ignored context keys instead
    }
  }
  return out;
}

parentPort.on('message', async ({ signal, port, simulation, options }) => {
  let reply;
  try {
    // loaded here so that a failure to load is reported to the waiting caller instead of hanging it
    simulate ??= require(workerData.modulePath);
    const { runSimulation, getDenialReasons, getGrantReasons } = simulate;
    const result = await runSimulation(simulation, options);
    const analyses = result.resultType === 'single' ? [result.result.analysis] : result.resultType === 'wildcard' ? result.results.map((r) => r.analysis) : [];
    reply = {
      result: JSON.parse(JSON.stringify(result)),
      grants: analyses.flatMap((a) => (a ? getGrantReasons(a) : [])),
      denials: analyses.flatMap((a) => (a ? getDenialReasons(a) : [])),
      singleValuedArrays: await singleValuedArrays(simulation.request.contextVariables),
    };
  } catch (e) {
    reply = { error: String((e && e.stack) || e) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
