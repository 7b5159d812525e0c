// Permissions grouped by area (agents.*, contacts.*…), as checkboxes: for custom roles and API key scopes.
import { useTranslation } from 'react-i18next';
import type { PermissionInfo } from './api';

export function groupPermissions(permissions: PermissionInfo[]): [string, PermissionInfo[]][] {
  const groups = new Map<string, PermissionInfo[]>();
  for (const p of permissions) {
    const area = p.key.split('.')[0];
    groups.set(area, [...(groups.get(area) ?? []), p]);
  }
  return [...groups];
}

export function PermissionPicker({
  permissions,
  value,
  onChange,
  disabled,
  allowed,
  legend,
  testId,
}: {
  permissions: PermissionInfo[];
  value: Set<string>;
  onChange(next: Set<string>): void;
  disabled?: boolean;
  /** Permissions the person may give (others are shown but cannot be ticked). */
  allowed?: (key: string) => boolean;
  legend: string;
  testId: string;
}) {
  const { t } = useTranslation('team');
  return (
    <fieldset className="perm-groups" data-testid={testId} disabled={disabled}>
      <legend className="field__label">{legend}</legend>
      {groupPermissions(permissions).map(([area, list]) => (
        <div key={area} className="perm-group">
          <span className="perm-group__title">{t(`permissions.areas.${area as 'agents'}`, { defaultValue: area })}</span>
          {list.map((p) => (
            <label key={p.key} className="check-field" title={p.key}>
              <input
                type="checkbox"
                value={p.key}
                checked={value.has(p.key)}
                disabled={disabled || (allowed ? !allowed(p.key) : false)}
                onChange={(e) => {
                  const next = new Set(value);
                  if (e.target.checked) next.add(p.key);
                  else next.delete(p.key);
                  onChange(next);
                }}
                data-testid={`perm-${p.key}`}
              />
              <span>{t(`permissions.keys.${p.key.replace('.', '_') as 'agents_view'}`, { defaultValue: p.description })}</span>
            </label>
          ))}
        </div>
      ))}
    </fieldset>
  );
}
