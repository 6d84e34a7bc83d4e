import { authorAssociation } from './author-association.js';
import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, IssueCommentRecord, ReactionContent, ReactionRecord, RepositoryRecord } from './types.js';

const reactionContents: readonly ReactionContent[] = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'eyes', 'rocket'];

export function shapeIssueComment(
  state: GithubState,
  repo: RepositoryRecord,
  comment: IssueCommentRecord,
  urls: Urls,
): Schemas['issue-comment'] {
  const fullName = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}/issues/comments/${String(comment.id)}`;
  const count = (content: ReactionContent): number => comment.reactions.filter((reaction) => reaction.content === content).length;
  const isPull = state.pullRequests.some((pull) => pull.repositoryId === repo.id && pull.number === comment.issueNumber);
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url,
    html_url: `${urls.web}/${fullName}/${isPull ? 'pull' : 'issues'}/${String(comment.issueNumber)}#issuecomment-${String(comment.id)}`,
    body: comment.body,
    user: shapeUser(findUser(state, comment.user), urls),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${urls.api}/repos/${fullName}/issues/${String(comment.issueNumber)}`,
    author_association: comment.appId !== undefined ? 'NONE' : authorAssociation(repo, comment.user),
    ...(comment.appId !== undefined && { performed_via_github_app: null }),
    reactions: {
      url: `${url}/reactions`,
      total_count: comment.reactions.length,
      '+1': count('+1'),
      '-1': count('-1'),
      laugh: count('laugh'),
      confused: count('confused'),
      heart: count('heart'),
      hooray: count('hooray'),
      eyes: count('eyes'),
      rocket: count('rocket'),
    },
  };
}

export function shapeReaction(state: GithubState, reaction: ReactionRecord, urls: Urls): Schemas['reaction'] {
  return {
    id: reaction.id,
    node_id: nodeId('Reaction', reaction.id),
    user: shapeUser(findUser(state, reaction.user), urls),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

export function isReactionContent(value: string): value is ReactionContent {
  return (reactionContents as readonly string[]).includes(value);
}
