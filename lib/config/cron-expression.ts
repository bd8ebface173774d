import { z } from 'zod';
import { cronProblem } from './cron';

// Apart from cron.ts, which the operations CLI loads (the drill reads a backup schedule's longest gap) without zod.

/** A settings field holding a five-field cron expression; `consequence` says who would refuse a bad one, and when. */
export const cronExpression = (example: string, consequence: string) =>
  z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, { message: `expected a five-field cron expression such as "${example}"` })
    .superRefine((expression, ctx) => {
      const problem = cronProblem(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (${consequence})`, input: expression });
    });
