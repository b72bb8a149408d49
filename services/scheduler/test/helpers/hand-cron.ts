// A cron the test drives: `tick()` runs every armed job as node-cron would at second 0.
import type { CronSchedule } from '../../src/scheduler.ts';

export interface HandJob {
  expression: string;
  name: string;
  stopped: boolean;
  task: () => Promise<void>;
}

export class HandCron {
  readonly jobs: HandJob[] = [];

  readonly schedule: CronSchedule = (expression, name, task) => {
    const job: HandJob = { expression, name, stopped: false, task };
    this.jobs.push(job);
    return {
      stop: () => {
        job.stopped = true;
      },
    };
  };

  async tick(): Promise<void> {
    for (const job of this.jobs) if (!job.stopped) await job.task();
  }
}
