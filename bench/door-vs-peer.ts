/**
 * Runs the door-versus-peer comparison alone (the full bench runs it too, after the soak): mock and sink in
 * their own processes, then bench/door-compare.ts. A full run writes bench/results-peer.json and replaces the
 * section in bench/RESULTS.md; a smoke run (seconds; the peer only if already installed) prints the section.
 * Run: npm run bench:peer [-- --reps=N --smoke --no-install]; re-render from stored figures:
 * node dist/bench/door-vs-peer.js --render=bench/results-peer.json
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPARE_FULL, COMPARE_SMOKE, compareDoorAndPeer, compareProblems } from "./door-compare.js";
import type { CompareRun, CompareSettings } from "./door-compare.js";
import { SECTION_END, SECTION_START, renderCompare } from "./door-report.js";
import { load } from "./machine.js";
import { startMock, startSink, writeConfig } from "./procs.js";
import type { Proc } from "./procs.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Puts the section into RESULTS.md: in place of the old one, or at the end. */
function writeSection(resultsPath: string, section: string): void {
  const old = existsSync(resultsPath) ? readFileSync(resultsPath, "utf8") : "";
  const start = old.indexOf(SECTION_START);
  const end = old.indexOf(SECTION_END);
  const next = start >= 0 && end > start ? `${old.slice(0, start)}${section}${old.slice(end + SECTION_END.length)}` : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsPath, next);
}

async function main(): Promise<number> {
  const resultsPath = option("out") ?? join(ROOT, "bench", "RESULTS.md");
  const renderFrom = option("render");
  if (renderFrom) {
    writeSection(resultsPath, renderCompare(JSON.parse(readFileSync(renderFrom, "utf8")) as CompareRun));
    return 0;
  }
  const smoke = process.env["BENCH_SMOKE"] === "1" || process.argv.includes("--smoke");
  const reps = option("reps");
  const base = smoke ? COMPARE_SMOKE : COMPARE_FULL;
  const s: CompareSettings = { ...base, ...(reps ? { repetitions: Number(reps) } : {}), ...(process.argv.includes("--no-install") ? { installPeer: false } : {}) };
  const started = Date.now();
  const log = (m: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  };
  log(`load average ${load()}`);
  const tmp = mkdtempSync(join(tmpdir(), "gateway-bench-peer-"));
  const procs: Proc[] = [];
  try {
    const mock = await startMock(1000, 12);
    procs.push(mock);
    const sink = await startSink();
    procs.push(sink);
    const run = await compareDoorAndPeer(mock.port, sink.port, writeConfig(tmp, mock.port), tmp, s, log);
    log(`load average ${load()}`);
    const section = renderCompare(run);
    if (smoke) process.stdout.write(`${section}\n`);
    else {
      writeFileSync(join(ROOT, "bench", "results-peer.json"), `${JSON.stringify(run, null, 1)}\n`);
      writeSection(resultsPath, section);
      log(`wrote ${resultsPath} and bench/results-peer.json`);
    }
    const bad = compareProblems(run);
    for (const p of bad) log(`PROBLEM: ${p}`);
    return bad.length > 0 ? 1 : 0;
  } finally {
    for (const p of procs.reverse()) await p.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`door vs peer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
