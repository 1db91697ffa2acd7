// The official @botpress/client under node, measured like benchmarks/worker.py measures Python clients.
// Usage: node official_client.mjs '<json spec>' (spec.requireFrom: a path inside the npm prefix).
// Prints one JSON line: {cells: [{op, concurrency, n, rps, cpu_us, wall_s}], notes: [...]}.
import { createRequire } from "node:module";

const spec = JSON.parse(process.argv[2]);
const require = createRequire(spec.requireFrom);
const { Client } = require("@botpress/client");

const TABLE = spec.table;
const client = new Client({ apiUrl: spec.url, token: spec.token, botId: spec.botId });
const calls = {
  get_user: () => client.getUser({ id: spec.userId }),
  list_users: () => client.listUsers({}),
  find_rows: () => client.findTableRows({ table: TABLE, limit: spec.findRows }),
};

async function runCell(call, concurrency, n, warmup, maxSeconds) {
  for (let i = 0; i < warmup; i++) await call();
  let done = 0;
  const deadline = maxSeconds == null ? Infinity : performance.now() + maxSeconds * 1000;
  const task = async () => {
    while (done < n && performance.now() < deadline) {
      done += 1;
      await call();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, () => task()));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { rps: done / wall, cpu_us: (cpu.user + cpu.system) / done, wall_s: wall, n: done };
}

const cells = [];
for (const cell of spec.cells) {
  const result = await runCell(calls[cell.op], cell.concurrency, cell.n, spec.warmup ?? 10, spec.max_seconds);
  cells.push({ ...cell, ...result });
}
console.log(JSON.stringify({ cells, notes: [] }));
