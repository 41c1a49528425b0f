// A correct client that takes SLOW_START_MS (default 7 s) to come up, as a relay or a JVM does on a
// loaded machine: it waits, then runs the minimal example driver unchanged.
const ms = Number(process.env.SLOW_START_MS ?? 7000);
await new Promise((resolve) => setTimeout(resolve, ms));
await import('../../../clients/examples/minimal-driver.mjs');
