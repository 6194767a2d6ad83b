import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

/**
 * The server side of Cognito's SRP (USER_SRP_AUTH), written from the protocol (SRP-6a over
 * RFC 5054's 3072-bit group, Cognito's HKDF "Caldera Derived Key"), independently of the
 * client library under test: a sign-in succeeds only if the client really proved the password.
 */
const N = BigInt('0x'
  + 'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD'
  + 'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED'
  + 'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F'
  + '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B'
  + 'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510'
  + '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7'
  + 'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C'
  + 'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF');
const g = 2n;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e % 2n === 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e /= 2n;
  }
  return result;
}

/** Even-length big-endian hex, with a leading 00 when the top bit is set (a positive two's complement). */
function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const hexHash = (hex: string) => sha256(Buffer.from(hex, 'hex')).toString('hex').padStart(64, '0');
const k = BigInt(`0x${hexHash(padHex(N) + padHex(g))}`);

export interface SrpUser {
  readonly username: string;
  readonly password: string;
}

/** One pending sign-in: what the server keeps between InitiateAuth and PASSWORD_VERIFIER. */
export interface SrpChallenge {
  readonly parameters: Record<string, string>;
  /** Checks the client's PASSWORD_CLAIM_SIGNATURE. */
  verify(responses: Record<string, string>): boolean;
}

export function startSrp(poolName: string, user: SrpUser, srpA: string): SrpChallenge {
  const A = BigInt(`0x${srpA}`);
  if (A % N === 0n) throw new Error('A cannot be zero');
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const identityHash = sha256(`${poolName}${user.username}:${user.password}`).toString('hex').padStart(64, '0');
  const x = BigInt(`0x${hexHash(padHex(salt) + identityHash)}`);
  const v = modPow(g, x, N);
  const b = BigInt(`0x${randomBytes(32).toString('hex')}`);
  const B = (k * v + modPow(g, b, N)) % N;
  const u = BigInt(`0x${hexHash(padHex(A) + padHex(B))}`);
  const S = modPow(A * modPow(v, u, N), b, N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
  const key = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])])).digest().subarray(0, 16);
  const secretBlock = randomBytes(64).toString('base64');
  return {
    parameters: {
      SALT: salt.toString(16), SRP_B: B.toString(16), SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: user.username, USERNAME: user.username,
    },
    verify(responses) {
      if (responses.PASSWORD_CLAIM_SECRET_BLOCK !== secretBlock || typeof responses.TIMESTAMP !== 'string') return false;
      const expected = createHmac('sha256', key)
        .update(Buffer.concat([Buffer.from(poolName), Buffer.from(user.username), Buffer.from(secretBlock, 'base64'), Buffer.from(responses.TIMESTAMP)]))
        .digest();
      const given = Buffer.from(String(responses.PASSWORD_CLAIM_SIGNATURE ?? ''), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
