// One organization's subscription, in the operator console's organization detail.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { billingAdminApi, money, type Subscription } from './api';

export function OrgBilling({ tenantId }: { tenantId: string }) {
  const { t, i18n } = useTranslation('billing');
  const [sub, setSub] = useState<(Subscription & { mrr: number }) | null | undefined>(undefined);
  useEffect(() => {
    billingAdminApi.tenantSubscriptions(tenantId).then(
      (r) => setSub(r.data[0] ?? null),
      () => setSub(undefined),
    );
  }, [tenantId]);
  if (sub === undefined) return null;
  return (
    <p className="operator__muted" data-testid="org-billing">
      {sub
        ? t('billing.admin.orgPlan', {
            plan: sub.plan?.name ?? '',
            status: t(`billing.status.${sub.status}`),
            mrr: money(sub.mrr, sub.currency, i18n.language),
          })
        : t('billing.admin.orgNoPlan')}
    </p>
  );
}
