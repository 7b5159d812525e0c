// Shown across the top of the app while a super-admin acts as this user (DESIGN: impersonation is
// visible), with a way to stop.
import { useTranslation } from 'react-i18next';
import { authApi, type Session } from '../api';
import { useSession } from '../components/RequireAuth';
import './operator.css';

export function ImpersonationBanner() {
  const { t } = useTranslation('operator');
  const session = useSession().session as Session & { impersonatedBy?: string | null };
  if (!session.impersonatedBy) return null;
  async function stop() {
    await authApi.logout().catch(() => undefined);
    window.location.assign('/operator');
  }
  return (
    <div className="impersonation-banner" role="alert" data-testid="impersonation-banner">
      <span>{t('operator.banner', { name: session.user.name, org: session.tenant.name })}</span>
      <button type="button" onClick={stop} data-testid="impersonation-stop">
        {t('operator.bannerStop')}
      </button>
    </div>
  );
}
