// Broadcast: WhatsApp templates, campaigns and outgoing webhooks, each tab for those with its
// permission. One route (/broadcast/*) and one navigation entry in the shell.
import { NavLink, Navigate, Route, Routes } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { CampaignDetail, CampaignsTab } from './CampaignsTab';
import { TemplatesTab } from './TemplatesTab';
import { WebhooksTab } from './WebhooksTab';
import '../settings/settings.css';
import './broadcast.css';

export const BROADCAST_PERMISSIONS = ['templates.manage', 'campaigns.manage', 'automation.manage'];

const TABS = [
  { path: 'campaigns', key: 'campaigns', permission: 'campaigns.manage' },
  { path: 'templates', key: 'templates', permission: 'templates.manage' },
  { path: 'webhooks', key: 'webhooks', permission: 'automation.manage' },
] as const;

export function BroadcastPage() {
  const { t } = useTranslation('campaigns');
  const { can } = useWorkspace();
  usePageTitle(t('broadcast.title'));
  const tabs = TABS.filter((tab) => can(tab.permission));
  if (tabs.length === 0)
    return (
      <p className="form-error" role="alert">
        {t('broadcast.forbidden')}
      </p>
    );
  return (
    <div className="broadcast" data-testid="broadcast">
      <nav className="broadcast__tabs" aria-label={t('broadcast.title')}>
        {tabs.map((tab) => (
          <NavLink key={tab.path} to={`/broadcast/${tab.path}`} className="broadcast__tab" data-testid={`broadcast-tab-${tab.path}`}>
            {t(`broadcast.tabs.${tab.key}`)}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to={tabs[0].path} replace />} />
        {can('templates.manage') ? <Route path="templates" element={<TemplatesTab />} /> : null}
        {can('campaigns.manage') ? <Route path="campaigns" element={<CampaignsTab />} /> : null}
        {can('campaigns.manage') ? <Route path="campaigns/:campaignId" element={<CampaignDetail />} /> : null}
        {can('automation.manage') ? <Route path="webhooks" element={<WebhooksTab />} /> : null}
        <Route path="*" element={<Navigate to={`/broadcast/${tabs[0].path}`} replace />} />
      </Routes>
    </div>
  );
}
