// CPU time a process has used (user + system, /proc/<pid>/stat), to tell a server that is out
// of CPU from one that stalls now and then.
import { readFile } from 'node:fs/promises';

/** Linux reports these times in clock ticks of 1/100 s (USER_HZ) on every usual platform. */
const ticksPerSecond = 100;

export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; fields count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line; after the name, field 3 has index 0.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Runs `work` and reports the share of one CPU the process used meanwhile, in percent. */
export async function withCpuShare<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPercent?: number }> {
  if (pid === undefined) return { result: await work() };
  const before = await cpuSeconds(pid);
  const started = performance.now();
  const result = await work();
  const used = (await cpuSeconds(pid).catch(() => NaN)) - before;
  const elapsed = (performance.now() - started) / 1000;
  return Number.isNaN(used) ? { result } : { result, cpuPercent: (100 * used) / elapsed };
}
