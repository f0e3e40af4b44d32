import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { MergedMineReport, MergedRunReport } from '../../src/merge/merge-reports.js';
import type { RunReport } from '../../src/report/run-report.js';
import { CAS_BIN, ROOT } from '../helpers/cas-cli.js';
import { readJson } from '../helpers/shard-checks.js';
import { rolloutThreadIds } from '../helpers/home-snapshot.js';
import { idsOf, makeThreads, readLines } from '../helpers/mine-homes.js';

// No cluster runs here: the manifests are checked field by field, and the commands their pods
// would run are run as they are, with a temp dir for the volume and `cas` on PATH.
const RECIPE = path.join(ROOT, 'examples', 'kubernetes');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & {
    template?: { spec: { restartPolicy: string; containers: Container[]; volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }> } };
  };
}

async function manifest(file: string): Promise<Manifest> {
  const documents = parseAllDocuments(await readFile(path.join(RECIPE, file), 'utf8'));
  expect(Array.isArray(documents) ? documents.length : 0, `${file}: one document`).toBe(1);
  const [document] = documents as ReturnType<typeof parseAllDocuments> & unknown[];
  expect((document as { errors: unknown[] }).errors).toEqual([]);
  return (document as { toJS(): Manifest }).toJS();
}

const container = (job: Manifest) => job.spec.template!.spec.containers[0]!;
const envOf = (job: Manifest, name: string) => container(job).env.find((entry) => entry.name === name);
const plainEnv = (job: Manifest) => Object.fromEntries(container(job).env.filter((entry) => entry.value !== undefined).map((entry) => [entry.name, entry.value!]));

/** The volume a job mounts its results volume from, and where. */
function resultsMount(job: Manifest): { claim: string | undefined; path: string } {
  const mount = container(job).volumeMounts[0]!;
  const volume = job.spec.template!.spec.volumes.find((entry) => entry.name === mount.name)!;
  return { claim: volume.persistentVolumeClaim?.claimName, path: mount.mountPath };
}

let dir: string;
let results: string;
let shimPath: string;
let pvc: Manifest;
let shards: Manifest;
let merge: Manifest;
let rerun: Manifest;
/** A home the pods mine, split over them by thread id (as /results/homes/... would be). */
let home: string;

beforeAll(async () => {
  [pvc, shards, merge, rerun] = await Promise.all([manifest('results-pvc.yaml'), manifest('shards-job.yaml'), manifest('merge-job.yaml'), manifest('rerun-shard.yaml')]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-k8s-'));
  results = path.join(dir, 'results');
  await mkdir(results);
  home = path.join(results, 'homes', '0');
  await makeThreads(home, 3);
  // The image puts cas on PATH; here a shim runs the built CLI.
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'cas'), `#!/bin/sh\nexec "${process.execPath}" "${CAS_BIN}" "$@"\n`);
  await chmod(path.join(bin, 'cas'), 0o755);
  shimPath = `${bin}:${process.env.PATH ?? ''}`;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs a job's container command as its pod would, with the volume at `results`. */
function runPod(job: Manifest, env: Record<string, string>) {
  const { command, args } = container(job);
  return execa(command[0]!, [...command.slice(1), ...args], {
    reject: false,
    // A smaller load than the manifest's, on one instance per pod: four pods share this machine.
    env: { ...plainEnv(job), ...env, RESULTS: results, PATH: shimPath, CAS_REQUESTS: '80', CAS_RATE: '160', CAS_INSTANCES: '1' },
    extendEnv: true,
    cwd: dir,
  });
}

describe('the Kubernetes recipe', () => {
  it('is an Indexed Job whose pods know their shard, on a volume the merge job shares', () => {
    expect(shards).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    const { completions, parallelism, backoffLimitPerIndex } = shards.spec as { completions: number; parallelism: number; backoffLimitPerIndex: number };
    expect(Number.isInteger(completions) && completions > 1).toBe(true);
    expect(parallelism).toBeGreaterThanOrEqual(1);
    expect(parallelism).toBeLessThanOrEqual(completions);
    expect(backoffLimitPerIndex).toBeGreaterThanOrEqual(1);
    // backoffLimitPerIndex needs pods that are not restarted in place.
    expect(shards.spec.template!.spec.restartPolicy).toBe('Never');
    // Kubernetes tells a pod its index, not how many there are: the count must be the completions.
    expect(envOf(shards, 'CAS_SHARD_COUNT')?.value).toBe(String(completions));
    expect(envOf(shards, 'CAS_JOB_ID')?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['batch.kubernetes.io/job-name']");
    expect(container(shards).args[0]).toMatch(/cas run --shard "\$\{CAS_SHARD:-auto\}"/);
    expect(container(shards).args[0]).toMatch(/cas batch --shard "\$\{CAS_SHARD:-auto\}"/);
    expect(container(shards).args[0]).toMatch(/cas mine --shard "\$\{CAS_SHARD:-auto\}" --codex-home "\$CAS_MINE_HOMES"/);

    expect(pvc).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    expect((pvc.spec as { accessModes: string[] }).accessModes).toContain('ReadWriteMany');
    for (const job of [shards, merge, rerun]) {
      expect(resultsMount(job)).toEqual({ claim: pvc.metadata.name, path: envOf(job, 'RESULTS')?.value });
      expect(container(job).image).toBe(container(shards).image);
    }
    expect(container(merge).args[0]).toContain('runs=("$RESULTS"/run-[0-9]*.json)');
    expect(container(merge).args[0]).toContain('cas merge "${reports[@]}" --check-outputs');
    expect(container(merge).args[0]).toContain('cas merge --batch');
    // A rerun is the same pod, told its shard and the first job's name.
    expect(container(rerun).args).toEqual(container(shards).args);
    expect(envOf(rerun, 'CAS_JOB_ID')?.value).toBe(shards.metadata.name);
    expect(envOf(rerun, 'CAS_SHARD')?.value).toMatch(new RegExp(`^\\d+/${completions}$`));
    // A mine shard rerun continues from its checkpoint.
    expect(envOf(rerun, 'CAS_MINE_RESUME')?.value).toBe('1');
  });

  // Four pods, a merge, a rerun and a merge again: a dozen cas processes on a shared machine.
  it('runs: every pod its share, the merge job the whole, and a rerun of one shard merges again', { timeout: 180_000 }, async () => {
    const count = (shards.spec as { completions: number }).completions;
    const lines = Array.from({ length: 30 }, (_, i) => (i === 11 ? '' : JSON.stringify({ id: `r${i}`, method: 'thread/list', params: { limit: 1 } })));
    await writeFile(path.join(results, 'requests.jsonl'), `${lines.join('\n')}\n`);
    // The downward API would give CAS_JOB_ID the job's name.
    const mine = { CAS_MINE_HOMES: home };
    const pods = await Promise.all(Array.from({ length: count }, (_, index) => runPod(shards, { JOB_COMPLETION_INDEX: String(index), CAS_JOB_ID: shards.metadata.name, ...mine })));
    for (const pod of pods) expect(pod.exitCode, String(pod.stderr)).toBe(0);
    const reports = await Promise.all(Array.from({ length: count }, (_, index) => readJson<RunReport>(path.join(results, `run-${index}.json`))));
    expect(reports.map((report) => report.shard)).toEqual(reports.map((_, index) => ({ index, count, jobId: shards.metadata.name })));
    expect(reports.reduce((sum, report) => sum + report.requests.total, 0)).toBe(80);

    const merged = await runPod(merge, {});
    const run = await readJson<MergedRunReport>(path.join(results, 'merged', 'run.json'));
    // The merge job checks its --max-p99-ms on the merged p99: exit 3 when crossed.
    expect(merged.exitCode, String(merged.stderr)).toBe(run.thresholds.some((check) => check.crossed) ? 3 : run.requests.failed > 0 ? 1 : 0);
    expect(run.requests.total).toBe(80);
    expect(run.merged).toMatchObject({ shards: count, jobId: shards.metadata.name });
    const batch = (await readFile(path.join(results, 'merged', 'batch.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id: string; line: number });
    expect(batch.map((result) => [result.line, result.id])).toEqual(lines.flatMap((text, i) => (text === '' ? [] : [[i + 1, `r${i}`]])));
    // The home's threads, each by one pod, checked and concatenated.
    const onDisk = await rolloutThreadIds(home);
    const mined = await readJson<MergedMineReport>(path.join(results, 'merged', 'mine-report.json'));
    expect(mined.merged).toMatchObject({ shards: count, jobId: shards.metadata.name });
    expect(mined.homes).toMatchObject([{ home, share: 'split', done: true, threads: onDisk.size }]);
    expect(mined.outputCheck?.problems).toEqual([]);
    expect(new Set(idsOf(await readLines(path.join(results, 'merged', 'threads.jsonl'))).ids)).toEqual(onDisk);

    // Shard 2's pod ran out of retries: its report is gone until the rerun job writes it again.
    const shard = Number(envOf(rerun, 'CAS_SHARD')!.value!.split('/')[0]);
    await unlink(path.join(results, `run-${shard}.json`));
    const again = await runPod(rerun, mine);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect((await readJson<RunReport>(path.join(results, `run-${shard}.json`))).shard).toEqual({ index: shard, count, jobId: shards.metadata.name });
    const remerged = await runPod(merge, {});
    expect([0, 3]).toContain(remerged.exitCode);
    expect((await readJson<MergedRunReport>(path.join(results, 'merged', 'run.json'))).requests.total).toBe(80);
    // The rerun resumed its mine (finished: nothing more to write), and the merge still has every thread once.
    expect((await readJson<MergedMineReport>(path.join(results, 'merged', 'mine-report.json'))).resumed).toBe(true);
    expect(idsOf(await readLines(path.join(results, 'merged', 'threads.jsonl'))).ids.sort()).toEqual([...onDisk].sort());
  });
});
