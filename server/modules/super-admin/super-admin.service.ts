// Super-admins: the first one comes from SUPER_ADMIN_EMAIL/SUPER_ADMIN_PASSWORD or, when those are
// unset, from a one-time setup code printed at first start and used once at login.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx, Services, SuperAdminCtx } from '../../core/context.js';
import { conflict, notFound, unauthorized } from '../../core/http/errors.js';
import { issueResetLink } from './password-reset.service.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../core/auth/passwords.js';
import { SUPER_ADMIN_AUDIENCE, type TokenService } from '../../core/auth/tokens.js';
import { isId, newId } from '../../core/ids.js';
import { SuperAdminEntity, type SuperAdmin } from './super-admin.entity.js';

const SUPER_ADMIN_TTL_SECONDS = 12 * 3600;
const sha256 = (s: string) => createHash('sha256').update(s).digest();
const setupFile = (dataDir: string) => join(dataDir, 'super-admin-setup.json');

export function superAdminView(a: SuperAdmin) {
  return { id: a.id, name: a.name, email: a.email, createdAt: a.createdAt, lastLoginAt: a.lastLoginAt };
}

/** Run at start: make sure a first super-admin exists or can be created with a setup code. */
export async function bootstrapSuperAdmin(services: Services): Promise<{ setupCode?: string }> {
  const repo = services.db.getRepository(SuperAdminEntity);
  if ((await repo.count()) > 0) return {};
  const { SUPER_ADMIN_EMAIL: email, SUPER_ADMIN_PASSWORD: password } = services.config;
  if (email && password) {
    await repo.insert({
      id: newId(),
      name: 'Super Admin',
      email: email.toLowerCase(),
      passwordHash: await hashPassword(password),
      createdAt: services.now(),
      lastLoginAt: null,
    });
    services.log.info({ email }, 'created the first super-admin from SUPER_ADMIN_EMAIL');
    return {};
  }
  const file = setupFile(services.config.dataDir);
  if (existsSync(file)) {
    services.log.warn(
      `No super-admin yet. Use the setup code printed at first start (its hash is in ${file}); delete that file to get a new code.`,
    );
    return {};
  }
  const code = randomBytes(9).toString('base64url');
  writeFileSync(file, JSON.stringify({ codeHash: sha256(code).toString('hex'), createdAt: services.now().toISOString() }), { mode: 0o600 });
  services.log.warn(
    `No super-admin yet. One-time setup code: ${code}  (log in at POST /api/v1/super-admin/auth/login with {email, password, setupCode} to create the first super-admin)`,
  );
  return { setupCode: code };
}

function setupCodeMatches(dataDir: string, code: string): boolean {
  const file = setupFile(dataDir);
  if (!existsSync(file)) return false;
  const expected = Buffer.from(JSON.parse(readFileSync(file, 'utf8')).codeHash as string, 'hex');
  const actual = sha256(code);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function superAdminService(tokens: TokenService) {
  return {
    async login(ctx: Ctx, body: { email: string; password: string; setupCode?: string }) {
      const repo = ctx.db.getRepository(SuperAdminEntity);
      let admin = await repo.findOne({ where: { email: body.email } });
      if (!admin && body.setupCode && (await repo.count()) === 0 && setupCodeMatches(ctx.config.dataDir, body.setupCode)) {
        admin = {
          id: newId(),
          name: body.email.split('@')[0],
          email: body.email,
          passwordHash: await hashPassword(body.password),
          createdAt: ctx.now(),
          lastLoginAt: null,
        };
        await repo.insert(admin);
        rmSync(setupFile(ctx.config.dataDir), { force: true });
        ctx.log.info({ email: body.email }, 'first super-admin created with the setup code');
      } else if (!admin) {
        await burnPasswordCheck(body.password);
        throw unauthorized('Invalid email or password');
      } else if (!(await verifyPassword(admin.passwordHash, body.password))) {
        throw unauthorized('Invalid email or password');
      }
      const now = ctx.now();
      await repo.update({ id: admin.id }, { lastLoginAt: now });
      ctx.log.info({ superAdminId: admin.id, ip: ctx.ip }, 'super-admin login');
      const token = await tokens.sign(SUPER_ADMIN_AUDIENCE, { sub: admin.id }, SUPER_ADMIN_TTL_SECONDS);
      return { token, admin: superAdminView({ ...admin, lastLoginAt: now }) };
    },

    async list(ctx: SuperAdminCtx) {
      const rows = await ctx.db.getRepository(SuperAdminEntity).find({ order: { createdAt: 'ASC' } });
      return { data: rows.map(superAdminView), nextCursor: null };
    },

    async create(ctx: SuperAdminCtx, body: { name: string; email: string; password: string }) {
      const repo = ctx.db.getRepository(SuperAdminEntity);
      if (await repo.exists({ where: { email: body.email } }))
        throw conflict('A super-admin with this email exists', [{ path: 'email', message: 'Already used' }]);
      const admin: SuperAdmin = {
        id: newId(),
        name: body.name,
        email: body.email,
        passwordHash: await hashPassword(body.password),
        createdAt: ctx.now(),
        lastLoginAt: null,
      };
      await repo.insert(admin);
      ctx.log.info({ superAdminId: admin.id, by: ctx.principal.adminId }, 'super-admin created');
      return superAdminView(admin);
    },

    async remove(ctx: SuperAdminCtx, adminId: string) {
      const repo = ctx.db.getRepository(SuperAdminEntity);
      const admin = isId(adminId) ? await repo.findOne({ where: { id: adminId } }) : null;
      if (!admin) throw notFound('Super-admin');
      if (admin.id === ctx.principal.adminId) throw conflict('You cannot delete your own account; ask another super-admin');
      if ((await repo.count()) <= 1) throw conflict('The last super-admin cannot be deleted');
      await repo.delete({ id: admin.id });
      ctx.log.info({ superAdminId: admin.id, by: ctx.principal.adminId }, 'super-admin deleted');
    },

    async resetPassword(ctx: SuperAdminCtx, adminId: string, origin: string) {
      const admin = isId(adminId) ? await ctx.db.getRepository(SuperAdminEntity).findOne({ where: { id: adminId } }) : null;
      if (!admin) throw notFound('Super-admin');
      return issueResetLink(ctx, { type: 'super_admin', id: admin.id, tenantId: null }, origin);
    },
  };
}
