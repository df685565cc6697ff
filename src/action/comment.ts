// One sticky PR comment, found by a hidden marker and updated in place (no comment pile-up on every push).
import * as github from '@actions/github';

export const COMMENT_MARKER = '<!-- mtls-lint -->';

export interface CommentTarget {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  issueNumber: number;
}

export type CommentOutcome =
  | { action: 'created' | 'updated'; id: number }
  | { action: 'skipped'; reason: string }
  | { action: 'failed'; status?: number; message: string };

/**
 * Create or update the sticky comment. `createIfMissing: false` only updates an existing one (no new comment just to
 * say "all good"). Never throws: a failure is returned for the caller to turn into a warning.
 */
export async function upsertComment(
  target: CommentTarget,
  body: string,
  createIfMissing: boolean,
): Promise<CommentOutcome> {
  const octokit = github.getOctokit(target.token, { baseUrl: target.apiUrl });
  const where = { owner: target.owner, repo: target.repo };
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: target.issueNumber,
      per_page: 100,
    });
    const mine = comments.find((c) => typeof c.body === 'string' && c.body.includes(COMMENT_MARKER));
    const text = `${COMMENT_MARKER}\n${body}`;
    if (mine) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: mine.id, body: text });
      return { action: 'updated', id: mine.id };
    }
    if (!createIfMissing)
      return { action: 'skipped', reason: 'no findings and no earlier comment to update' };
    const created = await octokit.rest.issues.createComment({
      ...where,
      issue_number: target.issueNumber,
      body: text,
    });
    return { action: 'created', id: created.data.id };
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return typeof status === 'number' ? { action: 'failed', status, message } : { action: 'failed', message };
  }
}
