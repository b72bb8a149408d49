// @ipvoice/scheduler: cron jobs (ARCHITECTURE.md services/scheduler).
export {
  createScheduler,
  startScheduler,
  nodeCron,
  everyMinute,
  type CronSchedule,
  type Scheduler,
  type SchedulerDeps,
  type StandaloneScheduler,
  type StartOptions,
} from './scheduler.ts';
export {
  applyScheduleSwitches,
  type ScheduleSwitcherDeps,
  type SwitchReport,
} from './schedule-switcher.ts';
