/** What the app sends to GitHub for one check run (create or update), already cut to GitHub's limits. */
export interface CheckRunOutput {
  /** The check's name, e.g. `gradual/plan` or `gradual/rollout prod/web`. */
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  /** Set exactly when status is `completed`. */
  conclusion?: 'success' | 'failure' | 'neutral' | 'cancelled' | 'timed_out' | 'action_required' | 'skipped';
  title: string;
  /** Markdown, at most 65,535 characters. */
  summary: string;
  /** Markdown, at most 65,535 characters. */
  text?: string;
  /** At most 50 per request: the shell sends the rest in further updates. */
  annotations?: CheckAnnotation[];
  /** At most 3 buttons; label ≤ 20, description ≤ 40, identifier ≤ 20 characters. */
  actions?: CheckAction[];
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}
