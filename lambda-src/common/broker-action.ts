import type { AuditOutcome } from './audit';
import type { ImpersonationConfig } from './config';
import type { Actor } from './target';

/**
 * What the broker hands a strategy's action, and what an action is. The broker (broker/)
 * runs the actions the strategies (groups/, custom-challenge/) offer; both sides depend on
 * these types only, never on each other's modules.
 */

/** The broker's actions; which ones a strategy offers is up to the strategy. */
export type BrokerAction = 'start' | 'end' | 'list';

/** A broker request after its envelope was checked (whom and why are validated later). */
export interface BrokerRequest {
  readonly action: BrokerAction;
  readonly accessToken: string;
  readonly target?: unknown;
  readonly reason?: unknown;
  readonly sessionId?: string;
  /** groups `start`: how long the session lasts, in whole minutes (bounded by the strategy). */
  readonly durationMinutes?: number;
}

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
}

/** One action of one strategy. */
export type ActionHandler = (ctx: ActionContext) => Promise<object>;
