import { Cron } from "croner";

/**
 * What is wrong with a cron trigger's schedule or time zone, or undefined when the server
 * can schedule it. Shared by YAML and TypeScript templates.
 *
 * @example
 * cronTriggerProblem({ schedule: "61 * * * *" }) // 'invalid cron schedule "61 * * * *": …'
 */
export function cronTriggerProblem(trigger: {
  schedule: string;
  timezone?: string | undefined;
}): string | undefined {
  try {
    new Cron(trigger.schedule, { paused: true });
  } catch (error) {
    return `invalid cron schedule "${trigger.schedule}": ${(error as Error).message}`;
  }
  if (trigger.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: trigger.timezone });
    } catch {
      return `unknown time zone "${trigger.timezone}" (expected an IANA name such as Europe/Berlin)`;
    }
  }
  return undefined;
}
