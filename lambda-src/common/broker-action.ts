import type { AuditOutcome } from './audit';
import type { TableRef } from './aws-clients';
import type { ImpersonationConfig } from './config';
import type { Actor, TargetUser } from './target';

/**
 * What the broker hands a strategy's action, and what an action is. The broker (broker/)
 * runs the actions the strategies (groups/, custom-challenge/) offer; both sides depend on
 * these types only, never on each other's modules.
 */

/** The broker's actions; which ones a strategy offers is up to the strategy. */
export type BrokerAction = 'start' | 'end' | 'list' | 'approve' | 'reject' | 'pending';

/** A broker request after its envelope was checked (whom and why are validated later). */
export interface BrokerRequest {
  readonly action: BrokerAction;
  readonly accessToken: string;
  readonly target?: unknown;
  readonly reason?: unknown;
  readonly sessionId?: string;
  /** groups `start`: how long the session lasts, in whole minutes (bounded by the strategy). */
  readonly durationMinutes?: number;
  /** approval: the request an `approve` or `reject` decides, or the approval a `start` uses. */
  readonly approvalId?: string;
}

/** The approval configuration (four-eyes), when the construct turned it on, and the state table it keeps requests in. */
export interface ApprovalSettings {
  readonly approverGroupName: string;
  /** How long a request waits for a decision. */
  readonly timeoutMs: number;
  /** How long the requester has to complete an approved start. */
  readonly windowMs: number;
  /** Only targets in one of these groups need approval; undefined: every target. */
  readonly targetGroups?: ReadonlySet<string>;
  readonly table: TableRef;
}

/** What an approval is bound to: the resolved target, the reason and (groups) the session length. */
export interface ApprovalSubject {
  readonly target: TargetUser;
  readonly reason?: string;
  /** groups: the session length in minutes; customChallenge: none. */
  readonly durationMinutes?: number;
}

/** A `start` that needs approval answers with the pending request instead of tokens or groups. */
export interface ApprovalPendingResponse {
  readonly approval: {
    readonly requestId: string;
    readonly state: 'PENDING';
    /** When the request expires undecided (ISO 8601). */
    readonly expiresAt: string;
  };
  readonly message: string;
}

/**
 * The approval check of a `start`, called by the strategy after every check of its own and
 * before anything changes: undefined means go on (no approval needed, or the request's approval
 * was valid and is now spent); a pending response is what the start answers instead.
 */
export type ApprovalGate = (subject: ApprovalSubject) => Promise<ApprovalPendingResponse | undefined>;

/** What every action gets: the verified admin, the request, the configuration, and audit context. */
export interface ActionContext {
  readonly request: BrokerRequest;
  readonly actor: Actor;
  readonly config: ImpersonationConfig;
  readonly userPoolId: string;
  /** Names the resolved target, so that a refusal after the lookup is audited with it. */
  readonly noteTarget: (target: { requested?: string; sub?: string; username?: string }) => void;
  /**
   * Names a session whose end failed, so that the refusal is audited with it: the end may
   * have gone through (an answer lost), and then this refusal is its only event.
   */
  readonly noteFailedSession: (sessionId: string) => void;
  /**
   * The checks that span requests (volume limits), run by a `start` once every check of its
   * own has passed and before it changes anything: refuses, or counts the start.
   */
  readonly admitStart: (target: { sub?: string; username: string }) => Promise<void>;
  /** Records the action's outcome; the broker records refusals itself. */
  readonly audit: (event: Omit<AuditOutcome, 'actor' | 'action'>) => void;
  /** The strategy the broker serves, as audited (an approval is bound to it). */
  readonly strategy: string;
  /** The caller's live groups, as the authentication read them. */
  readonly callerGroups: readonly string[];
  /** The approval configuration, when approval is on. */
  readonly approval?: ApprovalSettings;
  /** A `start`'s approval check (four-eyes), after the strategy's own checks. */
  readonly approvalGate: ApprovalGate;
}

/** One action of one strategy. */
export type ActionHandler = (ctx: ActionContext) => Promise<object>;
