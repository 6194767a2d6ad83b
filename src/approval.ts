import { Duration, Token } from 'aws-cdk-lib';
import { ENV, LIMITS, PATTERN } from './private/contract';

/**
 * Options of four-eyes approval (`ImpersonationApproval.required`).
 */
export interface ImpersonationApprovalOptions {
  /**
   * The Cognito group whose members approve or reject impersonation requests. The construct
   * does not create it. Its members are protected: they can never be impersonated, so no
   * admin can borrow the group or approve as an approver they impersonate. A member can
   * never decide their own request.
   */
  readonly approverGroupName: string;

  /**
   * How long a request waits for a decision before it expires. Whole minutes, from
   * 1 minute to 24 hours.
   *
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;

  /**
   * How long the requester has, once the request is approved, to complete the start with it.
   * Whole minutes, from 1 to 60 minutes.
   *
   * @default Duration.minutes(10)
   */
  readonly completionWindow?: Duration;

  /**
   * Only impersonations of users in one of these groups need approval. Others start at once.
   *
   * @default - every impersonation needs approval
   */
  readonly targetGroups?: string[];
}

/**
 * Four-eyes approval of impersonations, for the strategies with a broker (customChallenge,
 * groups). Choose it with a static factory.
 */
export abstract class ImpersonationApproval {
  /**
   * Every impersonation (or those of users in `targetGroups`) needs the approval of another person.
   *
   * A `start` answers with a pending request. A member of `approverGroupName` other than the
   * requester approves or rejects it through the broker, and the requester then completes the
   * start with the approval within `completionWindow`. An approval is bound to its
   * requester, target, reason and strategy (and, for groups, the session length) and grants
   * one impersonation.
   *
   * @param options the approver group, the timeouts and which targets need approval
   */
  public static required(options: ImpersonationApprovalOptions): ImpersonationApproval {
    return new RequiredApproval(options);
  }

  protected constructor() {}

  /**
   * The approver group, to be protected, and the broker's environment.
   * @internal
   */
  public abstract _bind(): { approverGroupName: string; environment: Record<string, string> };
}

class RequiredApproval extends ImpersonationApproval {
  private readonly approverGroupName: string;
  private readonly timeout: Duration;
  private readonly completionWindow: Duration;
  private readonly targetGroups?: string[];

  constructor(options: ImpersonationApprovalOptions) {
    super();
    const groups: Array<[string, string]> = [
      ['approverGroupName', options.approverGroupName],
      ...(options.targetGroups ?? []).map((g): [string, string] => ['targetGroups', g]),
    ];
    for (const [name, value] of groups) {
      if (!Token.isUnresolved(value) && !PATTERN.GROUP_NAME.test(value ?? '')) {
        throw new Error(`ImpersonationApproval: ${name} '${value}' is not a valid Cognito group name (1-128 visible characters, no spaces)`);
      }
    }
    if (options.targetGroups !== undefined && options.targetGroups.length === 0) {
      throw new Error('ImpersonationApproval: targetGroups is empty; leave it out to require approval for every target');
    }
    this.approverGroupName = options.approverGroupName;
    this.timeout = checkedMinutes('timeout', options.timeout ?? Duration.minutes(LIMITS.DEFAULT_APPROVAL_TIMEOUT_MINUTES),
      LIMITS.MIN_APPROVAL_TIMEOUT_MINUTES, LIMITS.MAX_APPROVAL_TIMEOUT_MINUTES, '1 minute to 24 hours');
    this.completionWindow = checkedMinutes('completionWindow', options.completionWindow ?? Duration.minutes(LIMITS.DEFAULT_APPROVAL_WINDOW_MINUTES),
      LIMITS.MIN_APPROVAL_WINDOW_MINUTES, LIMITS.MAX_APPROVAL_WINDOW_MINUTES, '1 to 60 minutes');
    this.targetGroups = options.targetGroups && [...new Set(options.targetGroups)];
  }

  /** @internal */
  public _bind(): { approverGroupName: string; environment: Record<string, string> } {
    return {
      approverGroupName: this.approverGroupName,
      environment: {
        [ENV.APPROVER_GROUP]: this.approverGroupName,
        [ENV.APPROVAL_TIMEOUT_SECONDS]: String(this.timeout.toSeconds()),
        [ENV.APPROVAL_WINDOW_SECONDS]: String(this.completionWindow.toSeconds()),
        ...(this.targetGroups ? { [ENV.APPROVAL_TARGET_GROUPS]: JSON.stringify(this.targetGroups) } : {}),
      },
    };
  }
}

/** A duration known at synth time, of whole minutes in range. */
function checkedMinutes(name: string, value: Duration, min: number, max: number, range: string): Duration {
  const minutes = value.toMinutes({ integral: false });
  if (Token.isUnresolved(minutes) || !Number.isInteger(minutes) || minutes < min || minutes > max) {
    throw new Error(`ImpersonationApproval: ${name} must be whole minutes from ${range}, got ${value.toHumanString()}`);
  }
  return value;
}
