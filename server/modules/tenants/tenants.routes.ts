// The organization's own routes: its owner's export of everything it holds.
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { organizationExportService } from './organization-export.service.js';

export const tenantRoutes: AnyRoute[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/organization/export',
    tag: 'Organization',
    summary: "Export all of the organization's data (owner only)",
    access: access.tenant('settings.manage'),
    description:
      "A .tar.gz of this organization's own data, for its owner: `manifest.json` (organization, time, row counts), `data/<table>.jsonl` " +
      '(one JSON object per line: conversations, messages, contacts, agents, settings…) and `media/` (its files). Password and API key hashes and ' +
      "channel credentials are left out. Only the organization's owner (403 for anyone else); other organizations' data is never included. " +
      "Backups of the whole appliance are the operator's (Appliance).",
    handler: async ({ ctx, res }) => {
      await organizationExportService.export(ctx, res);
      return undefined;
    },
  }),
];
