// Runs a bundled rotation handler (assets-style index.js) in its own Node process, as Lambda
// would: one event per stdin line, one result per line on fd 3; the handler's logs stay on
// stdout/stderr. Lets a test give the process its own environment (NODE_EXTRA_CA_CERTS is only
// read at start-up).
const { writeSync } = require('node:fs');
const { createInterface } = require('node:readline');

const { handler } = require(process.argv[2]);
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const { id, event } = JSON.parse(line);
  try {
    await handler(event);
    writeSync(3, `${JSON.stringify({ id, ok: true })}\n`);
  } catch (err) {
    writeSync(3, `${JSON.stringify({ id, ok: false, name: err && err.name, message: String(err && err.message), stack: String(err && err.stack) })}\n`);
  }
});
