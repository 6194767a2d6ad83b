import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type IAuthenticationCallback,
} from 'amazon-cognito-identity-js';
import { CliError, EXIT, Refusal } from './errors';
import { BROKER_ERROR, DENIAL_REASON } from '../src/private/contract';

/**
 * What a sign-in yields. Never the refresh token: it would outlive the impersonation (and
 * the admin's need for a token file), so it stays in memory and dies with the process.
 */
export interface SignInTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly expiresAt: string;
}

export interface SignInRequest {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  /** Sent with every step of the sign-in: Pre Token Generation sees it on RespondToAuthChallenge. */
  readonly clientMetadata?: Record<string, string>;
  /** Asked when Cognito requires an MFA code (SMS or TOTP). */
  readonly mfaCode: (kind: 'SMS' | 'TOTP') => Promise<string>;
  /** Cognito's endpoint, for tests; the SDK's AWS_ENDPOINT_URL_* convention. */
  readonly endpoint?: string;
}

/** Memory only: the SDK would otherwise cache tokens in a storage of its choosing. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  setItem(k: string, v: string) { this.items.set(k, v); }
  getItem(k: string) { return this.items.get(k) ?? null; }
  removeItem(k: string) { this.items.delete(k); }
  clear() { this.items.clear(); }
}

/** How the Pre Token Generation trigger's refusals map onto the broker's error codes (and exit codes). */
const DENIAL_TO_CODE: Record<string, string> = {
  [DENIAL_REASON.NOT_ADMIN]: BROKER_ERROR.FORBIDDEN,
  [DENIAL_REASON.SELF_IMPERSONATION]: BROKER_ERROR.FORBIDDEN,
  [DENIAL_REASON.REASON_REQUIRED]: BROKER_ERROR.REASON_REQUIRED,
  [DENIAL_REASON.TARGET_NOT_FOUND]: BROKER_ERROR.TARGET_NOT_FOUND,
  [DENIAL_REASON.TARGET_DISABLED]: BROKER_ERROR.TARGET_DISABLED,
  [DENIAL_REASON.TARGET_PROTECTED]: BROKER_ERROR.TARGET_PROTECTED,
  [DENIAL_REASON.INVALID_REQUEST]: BROKER_ERROR.INVALID_REQUEST,
  [DENIAL_REASON.REFRESH_NOT_ALLOWED]: BROKER_ERROR.INVALID_REQUEST,
};

/** A Cognito error as the CLI reports it: an impersonation refusal keeps its reason. */
export function signInFailure(err: unknown): CliError {
  const e = err as { code?: string; name?: string; message?: string };
  const refused = /Impersonation refused: (\w+)/.exec(e?.message ?? '');
  if (refused) {
    const reason = refused[1];
    return new Refusal(DENIAL_TO_CODE[reason] ?? BROKER_ERROR.INTERNAL_ERROR, `Impersonation refused: ${reason}.`);
  }
  const code = e?.code ?? e?.name ?? 'Error';
  // The SDK reports a failed fetch as "Network error" (or, from another realm, fetch's own TypeError).
  if (e?.code === 'NetworkError' || e?.message === 'Network error' || (e?.name === 'TypeError' && /fetch failed/.test(e.message ?? ''))) {
    return new CliError(EXIT.AWS, 'NetworkError', 'Could not reach Cognito to sign in. Check the network.');
  }
  // Cognito's own messages ("Incorrect username or password.") name no secret.
  return new CliError(EXIT.NOT_SIGNED_IN, code, `Sign-in failed: ${e?.message ?? code}`);
}

/**
 * SRP sign-in (the password never leaves this machine) with AWS's Cognito SDK, answering
 * SMS and TOTP MFA challenges. Other challenges (a new password, MFA set-up, custom auth)
 * need the app's own sign-in page and are refused with a clear error.
 */
export function srpSignIn(req: SignInRequest): Promise<SignInTokens> {
  const pool = new CognitoUserPool({
    UserPoolId: req.userPoolId,
    ClientId: req.clientId,
    Storage: new MemoryStorage(),
    ...(req.endpoint ? { endpoint: req.endpoint } : {}),
  });
  const user = new CognitoUser({ Username: req.username, Pool: pool, Storage: new MemoryStorage() });
  const metadata = req.clientMetadata;
  return new Promise((resolve, reject) => {
    const unsupported = (what: string) => () =>
      reject(new CliError(EXIT.NOT_SIGNED_IN, 'UnsupportedChallenge', `Cognito asks for ${what}: complete it in your app's sign-in page first.`));
    const answer = (kind: 'SMS' | 'TOTP', challenge: 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA') => {
      req.mfaCode(kind).then((code) => user.sendMFACode(code.trim(), callbacks, challenge, metadata), reject);
    };
    const callbacks: IAuthenticationCallback = {
      onSuccess: (session: CognitoUserSession) => resolve({
        idToken: session.getIdToken().getJwtToken(),
        accessToken: session.getAccessToken().getJwtToken(),
        expiresAt: new Date(session.getAccessToken().getExpiration() * 1000).toISOString(),
      }),
      onFailure: (err) => reject(signInFailure(err)),
      mfaRequired: () => answer('SMS', 'SMS_MFA'),
      totpRequired: () => answer('TOTP', 'SOFTWARE_TOKEN_MFA'),
      // Several MFA methods: TOTP needs no message sent, so it is the one chosen.
      selectMFAType: () => user.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', callbacks),
      newPasswordRequired: unsupported('a new password'),
      mfaSetup: unsupported('MFA set-up'),
      customChallenge: unsupported('a custom challenge'),
    };
    user.authenticateUser(new AuthenticationDetails({
      Username: req.username,
      Password: req.password,
      ClientMetadata: metadata,
    }), callbacks);
  });
}
