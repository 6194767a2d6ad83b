import * as http from 'http';
import type { AddressInfo } from 'net';
import { startSrp, type SrpChallenge } from './fake-cognito-srp';
import { jwt } from './fixtures';

/**
 * A local stand-in for the AWS endpoints the CLI talks to, for tests of the bundled CLI and
 * the README's transcript: Cognito's SRP sign-in (with TOTP MFA and a Pre Token Generation
 * trigger that behaves like the construct's), Lambda Invoke and GetFunctionConfiguration of a
 * broker that follows the broker's contract, and CloudFormation's ListStackResources.
 * Point the CLI at it with AWS_ENDPOINT_URL.
 */
export interface FakeUser {
  readonly username: string;
  readonly password: string;
  readonly sub: string;
  readonly groups: readonly string[];
  /** A TOTP code Cognito asks for after the password. */
  readonly mfaCode?: string;
  /** Cognito asks for a new password after the password (an admin-created user's first sign-in). */
  readonly mustChangePassword?: boolean;
}

export interface FakeAwsOptions {
  readonly strategy: 'customChallenge' | 'groups' | 'preTokenGeneration';
  readonly users: readonly FakeUser[];
  readonly userPoolId?: string;
  readonly adminGroup?: string;
  readonly stackName?: string;
  readonly brokerName?: string;
  /**
   * How the Pre Token Generation trigger puts the claim in the ID token: an object (V2_0),
   * a JSON string (V1_0), or not at all (a pool without the construct's trigger).
   */
  readonly claim?: 'object' | 'string' | 'none';
  /** Four-eyes approval: the approver group; every start then needs an approval (30 min to decide, 10 to complete). */
  readonly approverGroup?: string;
}

interface Approval {
  requestId: string;
  state: 'PENDING' | 'APPROVED' | 'REJECTED' | 'USED';
  requester: { sub: string; username: string };
  target: { sub: string; username: string };
  reason: string;
  durationMinutes?: number;
  requestedAt: string;
  expiresAt: string;
  approver?: { sub: string; username: string };
  completeBy?: string;
  rejectionNote?: string;
}

interface Session {
  sessionId: string;
  admin: { sub: string; username: string };
  target: { sub: string; username: string };
  groupsAdded: string[];
  reason?: string;
  startedAt: string;
  expiresAt: string;
}

export class FakeAws {
  public url = '';
  /** Every Cognito call, with the ClientMetadata it carried. */
  public readonly cognitoCalls: Array<{ operation: string; challenge?: string; clientMetadata?: Record<string, string> }> = [];
  /** Every broker request, as received. */
  public readonly brokerRequests: Array<Record<string, unknown>> = [];
  public readonly sessions: Session[] = [];
  public readonly approvals: Approval[] = [];
  private readonly server: http.Server;
  private readonly pending = new Map<string, { user: FakeUser; srp?: SrpChallenge }>();
  private readonly tokens = new Map<string, FakeUser>();
  private counter = 0;
  readonly userPoolId: string;
  readonly adminGroup: string;
  readonly stackName: string;
  readonly brokerName: string;

  constructor(private readonly options: FakeAwsOptions) {
    this.userPoolId = options.userPoolId ?? 'eu-west-1_Example';
    this.adminGroup = options.adminGroup ?? 'support-impersonators';
    this.stackName = options.stackName ?? 'SupportStack';
    this.brokerName = options.brokerName ?? 'SupportStack-ImpersonationBrokerFunction-Q1w2E3r4';
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        try {
          this.route(req, body, res);
        } catch (err) {
          res.writeHead(500).end(String(err));
        }
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The environment that points the CLI here, with fake credentials. */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  /** A valid access token of a user, as a sign-in would give. */
  accessTokenOf(username: string): string {
    return this.issue(this.user(username)!, undefined).AccessToken;
  }

  private id(): string {
    this.counter += 1;
    return `c1f2${String(this.counter).padStart(4, '0')}-7e57-4a11-9d3b-5a1e5e551${String(this.counter).padStart(3, '0')}`;
  }

  private user(nameOrSub: unknown): FakeUser | undefined {
    return this.options.users.find((u) => u.username === nameOrSub || u.sub === nameOrSub);
  }

  private route(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const target = req.headers['x-amz-target'];
    const url = req.url ?? '/';
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(url);
    const config = /^\/2015-03-31\/functions\/([^/]+)\/configuration/.exec(url);
    if (typeof target === 'string' && target.startsWith('AWSCognitoIdentityProviderService.')) {
      return this.cognito(target.split('.')[1], JSON.parse(body), res);
    }
    if (invoke || config) {
      const name = decodeURIComponent((invoke ?? config)![1]);
      if (name !== this.brokerName || this.options.strategy === 'preTokenGeneration') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ Type: 'User', message: `Function not found: arn:aws:lambda:eu-west-1:123456789012:function:${name}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(invoke
        ? this.broker(JSON.parse(body))
        : { FunctionName: name, Environment: { Variables: { IMPERSONATION_STRATEGY: this.options.strategy } } }));
      return;
    }
    const form = new URLSearchParams(body);
    if (form.get('Action') === 'ListStackResources') return this.stackResources(form.get('StackName'), res);
    res.writeHead(400).end('unknown request');
  }

  private stackResources(stackName: string | null, res: http.ServerResponse): void {
    if (stackName !== this.stackName) {
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
      return;
    }
    const member = (logical: string, physical: string, type: string) =>
      `<member><LogicalResourceId>${logical}</LogicalResourceId><PhysicalResourceId>${physical}</PhysicalResourceId><ResourceType>${type}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-01T00:00:00Z</LastUpdatedTimestamp></member>`;
    const members = [
      member('UserPool6BA7E5F2', this.userPoolId, 'AWS::Cognito::UserPool'),
      member('ImpersonationBrokerRoleD88646C3', 'SupportStack-ImpersonationBrokerRole', 'AWS::IAM::Role'),
      ...(this.options.strategy === 'preTokenGeneration' ? [] : [member('ImpersonationBrokerFunction1FBC39DB', this.brokerName, 'AWS::Lambda::Function')]),
    ];
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries>${members.join('')}</StackResourceSummaries></ListStackResourcesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListStackResourcesResponse>`);
  }

  private cognitoError(res: http.ServerResponse, type: string, message: string): void {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: type, message }));
  }

  private cognito(operation: string, req: any, res: http.ServerResponse): void {
    this.cognitoCalls.push({ operation, challenge: req.ChallengeName, clientMetadata: req.ClientMetadata });
    const ok = (body: object) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    const poolName = this.userPoolId.split('_')[1];
    if (operation === 'InitiateAuth' && req.AuthFlow === 'USER_SRP_AUTH') {
      const user = this.user(req.AuthParameters?.USERNAME);
      if (!user) return this.cognitoError(res, 'NotAuthorizedException', 'Incorrect username or password.');
      const session = `session-${this.id()}`;
      const srp = startSrp(poolName, user, req.AuthParameters.SRP_A);
      this.pending.set(session, { user, srp });
      return ok({ ChallengeName: 'PASSWORD_VERIFIER', Session: session, ChallengeParameters: srp.parameters });
    }
    if (operation === 'RespondToAuthChallenge') {
      const pending = this.pending.get(req.Session);
      this.pending.delete(req.Session);
      if (!pending) return this.cognitoError(res, 'NotAuthorizedException', 'Invalid session for the user.');
      if (req.ChallengeName === 'PASSWORD_VERIFIER') {
        if (!pending.srp!.verify(req.ChallengeResponses ?? {})) return this.cognitoError(res, 'NotAuthorizedException', 'Incorrect username or password.');
        if (pending.user.mustChangePassword) {
          return ok({
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: `session-${this.id()}`,
            ChallengeParameters: { userAttributes: '{}', requiredAttributes: '[]', USER_ID_FOR_SRP: pending.user.username },
          });
        }
        if (pending.user.mfaCode) {
          const session = `session-${this.id()}`;
          this.pending.set(session, { user: pending.user });
          return ok({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: session, ChallengeParameters: {} });
        }
      } else if (req.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        if (req.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE !== pending.user.mfaCode) {
          return this.cognitoError(res, 'CodeMismatchException', 'Invalid code received for user');
        }
      } else {
        return this.cognitoError(res, 'InvalidParameterException', 'Unexpected challenge');
      }
      // Pre Token Generation sees the ClientMetadata of this, the last, RespondToAuthChallenge.
      const refusal = this.preTokenRefusal(pending.user, req.ClientMetadata ?? {});
      if (refusal) return this.cognitoError(res, 'UserLambdaValidationException', `PreTokenGeneration failed with error Impersonation refused: ${refusal}.`);
      return ok({ ChallengeParameters: {}, AuthenticationResult: this.issue(pending.user, req.ClientMetadata) });
    }
    return this.cognitoError(res, 'InvalidParameterException', `Unsupported ${operation}`);
  }

  private issue(user: FakeUser, metadata: Record<string, string> | undefined) {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const target = metadata?.impersonate ? this.user(metadata.impersonate) : undefined;
    const value = { sub: target?.sub, username: target?.username, sessionId: target ? this.id() : undefined };
    const mode = this.options.claim ?? 'object';
    const claim = target && mode !== 'none' ? { impersonating: mode === 'string' ? JSON.stringify(value) : value } : {};
    const access = jwt({ sub: user.sub, username: user.username, token_use: 'access', exp, ...claim });
    this.tokens.set(access, user);
    return {
      AccessToken: access,
      IdToken: jwt({ 'sub': user.sub, 'cognito:username': user.username, 'token_use': 'id', exp, ...claim }),
      RefreshToken: 'refresh-token-never-printed',
      ExpiresIn: 3600,
      TokenType: 'Bearer',
    };
  }

  /** The construct's rules, in brief: admins only, a reason, an existing, unprotected other user. */
  private targetRefusal(admin: FakeUser, target: unknown, reason: unknown): [string, string] | undefined {
    if (!admin.groups.includes(this.adminGroup)) return ['Forbidden', 'You are not allowed to impersonate.'];
    if (typeof reason !== 'string' || !reason) return ['ReasonRequired', 'A reason is required.'];
    const t = this.user(target);
    if (!t) return ['TargetNotFound', 'No such user.'];
    if (t === admin) return ['Forbidden', 'You cannot impersonate yourself.'];
    if (t.groups.includes(this.adminGroup) || (this.options.approverGroup && t.groups.includes(this.options.approverGroup))) {
      return ['TargetProtected', 'The user is in a protected group.'];
    }
    return undefined;
  }

  private preTokenRefusal(user: FakeUser, metadata: Record<string, string>): string | undefined {
    if (!metadata.impersonate) return undefined;
    const refused = this.targetRefusal(user, metadata.impersonate, metadata.impersonationReason);
    return refused ? (refused[0] === 'Forbidden' && user.groups.includes(this.adminGroup) ? 'SelfImpersonation' : refused[0] === 'Forbidden' ? 'NotAdmin' : refused[0]) : undefined;
  }

  private broker(req: any): object {
    this.brokerRequests.push(req);
    const refuse = (code: string, message: string) => ({ error: { code, message } });
    const admin = this.tokens.get(req.accessToken);
    if (!admin) return refuse('Unauthorized', 'The access token is missing, invalid or expired.');
    const action = req.action ?? 'start';
    if (['approve', 'reject', 'pending'].includes(action)) return this.approvalAction(admin, action, req);
    if (this.options.strategy === 'customChallenge' && action !== 'start') {
      return refuse('InvalidRequest', 'This action is not offered by the configured strategy.');
    }
    if (!admin.groups.includes(this.adminGroup)) return refuse('Forbidden', 'You are not allowed to impersonate.');
    const now = Date.now();
    if (action === 'start') {
      const refused = this.targetRefusal(admin, req.target, req.reason);
      if (refused) return refuse(...refused);
      const target = this.user(req.target)!;
      const gate = this.approvalGate(admin, target, req);
      if (gate) return gate;
      const sessionId = this.id();
      if (this.options.strategy === 'customChallenge') {
        if (req.durationMinutes !== undefined) return refuse('InvalidRequest', 'The request is malformed.');
        const exp = Math.floor(now / 1000) + 900;
        const act = { sub: admin.sub, username: admin.username, sessionId };
        return {
          idToken: jwt({ 'sub': target.sub, 'cognito:username': target.username, 'token_use': 'id', exp, act }),
          accessToken: jwt({ sub: target.sub, username: target.username, token_use: 'access', exp, act }),
          tokenType: 'Bearer',
          expiresIn: 900,
          expiresAt: new Date(exp * 1000).toISOString(),
          sessionId,
          target: { username: target.username, sub: target.sub },
        };
      }
      const minutes = req.durationMinutes ?? 15;
      if (minutes < 5 || minutes > 60) return refuse('InvalidRequest', 'durationMinutes is outside the allowed range.');
      const expires = Math.ceil((now + minutes * 60_000) / 1000) * 1000;
      const session: Session = {
        sessionId,
        admin: { sub: admin.sub, username: admin.username },
        target: { sub: target.sub, username: target.username },
        groupsAdded: target.groups.filter((g) => !admin.groups.includes(g)),
        reason: req.reason,
        startedAt: new Date(now).toISOString(),
        expiresAt: new Date(expires).toISOString(),
      };
      this.sessions.splice(0, this.sessions.length, ...this.sessions.filter((s) => s.admin.sub !== admin.sub));
      this.sessions.push(session);
      return {
        ...session,
        admin: undefined,
        reason: undefined,
        expiresIn: Math.round((expires - now) / 1000),
        message: 'Refresh your tokens (sign in again) to receive the groups; they are removed at expiresAt.',
      };
    }
    if (action === 'end') {
      const ended = this.sessions.filter((s) => s.admin.sub === admin.sub && (!req.sessionId || s.sessionId === req.sessionId));
      this.sessions.splice(0, this.sessions.length, ...this.sessions.filter((s) => !ended.includes(s)));
      return ended.length
        ? { ended: ended.map((s) => ({ sessionId: s.sessionId, groupsRemoved: s.groupsAdded })), message: 'Ended: the groups were removed and you were signed out everywhere. Sign in again.' }
        : { ended: [], message: 'You have no active session to end.' };
    }
    if (action === 'list') {
      return { sessions: this.sessions.map((s) => ({ ...s, expired: Date.parse(s.expiresAt) <= now })), truncated: false };
    }
    return refuse('InvalidRequest', 'The request is malformed.');
  }

  /** The broker's approval gate, in brief: a start without approvalId creates a request; with one, it must be approved, in time, for this start. */
  private approvalGate(admin: FakeUser, target: FakeUser, req: any): object | undefined {
    if (!this.options.approverGroup) return undefined;
    const now = Date.now();
    const refuse = (code: string, message: string) => ({ error: { code, message } });
    if (req.approvalId === undefined) {
      const approval: Approval = {
        requestId: this.id(),
        state: 'PENDING',
        requester: { sub: admin.sub, username: admin.username },
        target: { sub: target.sub, username: target.username },
        reason: req.reason ?? '',
        durationMinutes: req.durationMinutes ?? 15,
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30 * 60_000).toISOString(),
      };
      this.approvals.push(approval);
      return {
        approval: { requestId: approval.requestId, state: 'PENDING', expiresAt: approval.expiresAt },
        message: 'This impersonation needs approval.',
      };
    }
    const a = this.approvals.find((x) => x.requestId === req.approvalId);
    if (!a) return refuse('ApprovalRefused', 'No such approval request.');
    if (a.requester.sub !== admin.sub || a.target.sub !== target.sub || a.reason !== (req.reason ?? '') || a.durationMinutes !== (req.durationMinutes ?? 15)) {
      return refuse('ApprovalRefused', 'The approval is for another request: start with the same target, reason and duration it was requested for.');
    }
    if (a.state === 'PENDING') return refuse('ApprovalPending', 'The request has not been approved yet. Ask a member of the approver group, then try again.');
    if (a.state === 'REJECTED') return refuse('ApprovalRefused', 'The request was rejected.');
    if (a.state === 'USED') return refuse('ApprovalRefused', 'The approval was already used. Request a new approval.');
    a.state = 'USED';
    return undefined;
  }

  private approvalAction(caller: FakeUser, action: string, req: any): object {
    const refuse = (code: string, message: string) => ({ error: { code, message } });
    const approverGroup = this.options.approverGroup;
    if (!approverGroup) return refuse('InvalidRequest', 'This action is not offered by the configured strategy.');
    const approver = caller.groups.includes(approverGroup);
    if (action === 'pending') {
      if (!approver && !caller.groups.includes(this.adminGroup)) return refuse('Forbidden', 'You are not allowed to approve or reject impersonation requests.');
      const shown = (a: Approval) => ({ ...a, reason: a.reason || undefined });
      return {
        toDecide: approver ? this.approvals.filter((a) => a.state === 'PENDING' && a.requester.sub !== caller.sub).map(shown) : [],
        mine: this.approvals.filter((a) => a.requester.sub === caller.sub).map(shown),
        truncated: false,
      };
    }
    if (!approver) return refuse('Forbidden', 'You are not allowed to approve or reject impersonation requests.');
    const a = this.approvals.find((x) => x.requestId === req.approvalId);
    if (!a) return refuse('ApprovalRefused', 'No such approval request.');
    if (a.requester.sub === caller.sub) return refuse('Forbidden', 'You cannot approve or reject your own request.');
    if (a.state !== 'PENDING') return refuse('ApprovalRefused', a.state === 'REJECTED' ? 'The request was rejected.' : 'The request was already approved.');
    const now = Date.now();
    a.approver = { sub: caller.sub, username: caller.username };
    if (action === 'approve') {
      a.state = 'APPROVED';
      a.completeBy = new Date(now + 10 * 60_000).toISOString();
      return { approval: a, message: `Approved. ${a.requester.username} may now complete the start until ${a.completeBy}.` };
    }
    a.state = 'REJECTED';
    if (req.reason) a.rejectionNote = req.reason;
    return { approval: a, message: 'Rejected. The request can no longer be used.' };
  }
}
