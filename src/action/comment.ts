// One sticky PR comment, found by a hidden marker and updated in place (no comment pile-up on every push). Only a
// comment written by the token's own identity is ever edited: anyone can quote the marker in a comment of their own,
// and editing theirs would overwrite what they wrote (and put our text under their name).
import * as github from '@actions/github';

export const COMMENT_MARKER = '<!-- mtls-lint -->';

/** The user a workflow's GITHUB_TOKEN writes as. */
const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

export interface CommentTarget {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  issueNumber: number;
  /** The login whose comment is ours to update; empty: the token's own identity (see tokenLogin). */
  author?: string;
}

export type CommentOutcome =
  | {
      action: 'created' | 'updated';
      id: number;
      /** The login comments were matched against, and where it came from. */
      author: string;
      authorFrom: 'input' | 'token' | 'github-token';
      /** Comments with the marker by other users, left alone. */
      othersWithMarker: number;
      /** Set when GitHub wrote the new comment under another login than `author`: later runs would not find it. */
      writtenAs?: string;
    }
  | { action: 'skipped'; reason: string; othersWithMarker: number }
  | { action: 'failed'; status?: number; message: string };

type Octokit = ReturnType<typeof github.getOctokit>;

/**
 * Who the token writes comments as: `GET /user` for a user's token (a PAT, fine-grained or classic); a workflow's
 * GITHUB_TOKEN is an app installation token, for which GitHub answers 403, and which writes as github-actions[bot].
 */
async function tokenLogin(
  octokit: Octokit,
  explicit: string | undefined,
): Promise<{ login: string; from: 'input' | 'token' | 'github-token' }> {
  if (explicit) return { login: explicit, from: 'input' };
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { login: data.login, from: 'token' };
  } catch (err) {
    if ((err as { status?: unknown }).status === 403)
      return { login: GITHUB_ACTIONS_BOT, from: 'github-token' };
    throw err;
  }
}

const sameLogin = (a: string | undefined, b: string) =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

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
    const me = await tokenLogin(octokit, target.author?.trim() || undefined);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: target.issueNumber,
      per_page: 100,
    });
    const marked = comments.filter((c) => typeof c.body === 'string' && c.body.includes(COMMENT_MARKER));
    const mine = marked.find((c) => sameLogin(c.user?.login, me.login));
    const othersWithMarker = marked.filter((c) => !sameLogin(c.user?.login, me.login)).length;
    const text = `${COMMENT_MARKER}\n${body}`;
    const found = { author: me.login, authorFrom: me.from, othersWithMarker };
    if (mine) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: mine.id, body: text });
      return { action: 'updated', id: mine.id, ...found };
    }
    if (!createIfMissing)
      return { action: 'skipped', reason: 'no findings and no earlier comment to update', othersWithMarker };
    const created = await octokit.rest.issues.createComment({
      ...where,
      issue_number: target.issueNumber,
      body: text,
    });
    const writtenAs = created.data.user?.login;
    return {
      action: 'created',
      id: created.data.id,
      ...found,
      ...(writtenAs && !sameLogin(writtenAs, me.login) ? { writtenAs } : {}),
    };
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return typeof status === 'number' ? { action: 'failed', status, message } : { action: 'failed', message };
  }
}
