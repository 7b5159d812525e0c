// JWTs for tenant users and super-admins: one key, two audiences that never accept each other.
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Request, Response } from 'express';

export const TENANT_AUDIENCE = 'omnistream:tenant';
export const SUPER_ADMIN_AUDIENCE = 'omnistream:super-admin';
export const TENANT_COOKIE = 'omnistream_token';
export const SUPER_ADMIN_COOKIE = 'omnistream_admin_token';

export interface TokenClaims {
  sub: string;
  tid?: string;
  /** Real actor when a super-admin impersonates a user. */
  imp?: string;
  /** The session the token belongs to (tenant tokens): revoking it ends the token. */
  sid?: string;
}

export class TokenService {
  private readonly key: Uint8Array;
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(audience: string, claims: TokenClaims, ttlSeconds = this.ttlSeconds): Promise<string> {
    const { sub, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** Returns the claims, or null when the token is invalid, expired or for another audience. */
  async verify(token: string, audience: string): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { audience, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string') return null;
      return payload as unknown as TokenClaims;
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }
}

/** The session cookie browsers carry: httpOnly, same-site, secure when the request came over https. */
export function setSessionCookie(req: Request, res: Response, cookie: string, token: string, maxAgeSeconds: number): void {
  res.cookie(cookie, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: maxAgeSeconds * 1000 });
}
