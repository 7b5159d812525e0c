// The pattern of a settings page that lists things and edits them in a dialog (divisions, quick
// replies, SLA policies, and the pages still to come: channels, team, templates…):
//
//   export function TagsPage() {
//     const { t } = useTranslation('tags');
//     const list = useSettingsList(() => tagsApi.list().then((page) => page.data));
//     const act = useSettingsAction();
//     const [editing, setEditing] = useState<Tag | 'new' | null>(null);
//     return (
//       <SettingsListPage
//         list={list}
//         actions={<CreateButton label={t('tags.create')} onClick={() => setEditing('new')} testId="tag-create" />}
//         empty={{ icon: 'note', title: t('tags.emptyTitle'), hint: t('tags.emptyHint') }}
//         renderItem={(tag) => (
//           <SettingsListRow
//             key={tag.id}
//             testId="tag-row"
//             title={tag.name}
//             actions={
//               <>
//                 <EditButton label={t('tags.edit')} onClick={() => setEditing(tag)} />
//                 <DeleteButton
//                   label={t('tags.delete')}
//                   onClick={() => void act(() => tagsApi.remove(tag.id), { confirm: t('tags.confirmDelete'), onSuccess: list.reload })}
//                 />
//               </>
//             }
//           />
//         )}
//       >
//         {editing ? <TagDialog tag={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={list.reload} /> : null}
//       </SettingsListPage>
//     );
//   }
//
// The page's heading, intro and permission check come from its section (SettingsPage); the edit
// dialog is a SettingsDialogForm (./SettingsDialogForm.tsx), which shows the server's field errors.
import { useCallback, useEffect, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { Icon, type IconName } from '../components/Icon';
import { errorMessage } from '../errors';
import { SettingsPage } from './SettingsLayout';
import './SettingsListPage.css';

export interface SettingsList<T> {
  /** Null until loaded. */
  items: T[] | null;
  /** Why loading failed. */
  error: string | undefined;
  reload(): void;
  /** Change the loaded items in place (e.g. after toggling a favorite) without reloading. */
  setItems: Dispatch<SetStateAction<T[] | null>>;
}

/** Loads a page's items (again on reload and when the language changes); a failure becomes a translated message. */
export function useSettingsList<T>(load: () => Promise<T[]>): SettingsList<T> {
  const { t } = useTranslation();
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string>();
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(() => {
    latest.current().then(setItems, (err: unknown) => setError(errorMessage(t, err)));
  }, [t]);
  useEffect(reload, [reload]);
  return { items, error, reload, setItems };
}

export interface EmptyState {
  icon: IconName;
  title: string;
  hint?: string;
}

interface SettingsListPageProps<T> {
  list: Pick<SettingsList<T>, 'items' | 'error'>;
  /** The items to show, when not all of them (a filter or search): by default, the list's. */
  shown?: T[];
  /** Buttons beside the heading (create, import…), shown to people allowed on the page. */
  actions?: ReactNode;
  /** Above the list: filters, a search box, a hint. */
  toolbar?: ReactNode;
  /** Shown when there is nothing to show. */
  empty: EmptyState;
  /** One row per item: a SettingsListRow with a key. */
  renderItem(item: T): ReactNode;
  /** Dialogs. */
  children?: ReactNode;
}

/** A settings page listing things: heading, toolbar, loading and error states, empty state, rows, dialogs. */
export function SettingsListPage<T>({ list, shown, actions, toolbar, empty, renderItem, children }: SettingsListPageProps<T>) {
  const items = list.items === null ? null : (shown ?? list.items);
  return (
    <SettingsPage actions={actions}>
      {toolbar}
      <FormError message={list.error} />
      {items === null && !list.error ? <div className="skeleton skeleton--block" /> : null}
      {items?.length === 0 ? (
        <div className="empty-state">
          <Icon name={empty.icon} size={32} />
          <p className="empty-state__title">{empty.title}</p>
          <p>{empty.hint}</p>
        </div>
      ) : null}
      <ul className="entity-list">{items?.map(renderItem)}</ul>
      {children}
    </SettingsPage>
  );
}

interface SettingsListRowProps {
  title: ReactNode;
  /** The title's element: a heading by default, a paragraph in compact lists. */
  titleAs?: 'h3' | 'p';
  /** Lines under the title. */
  details?: ReactNode;
  /** Buttons and switches at the row's end (EditButton, DeleteButton, Toggle…). */
  actions?: ReactNode;
  /** A denser row (a long list of short items). */
  compact?: boolean;
  testId?: string;
  /** data-* attributes that name the row for tests and tools, e.g. {name: division.name}. */
  data?: Record<string, string>;
  /** Below the row's head: switches, a RowDisclosure… */
  children?: ReactNode;
}

/** One item of a SettingsListPage: a card with its title, details and actions. */
export function SettingsListRow({ title, titleAs: Title = 'h3', details, actions, compact, testId, data, children }: SettingsListRowProps) {
  const attributes = Object.fromEntries(Object.entries(data ?? {}).map(([name, value]) => [`data-${name}`, value]));
  return (
    <li className={compact ? 'card entity entity--compact' : 'card entity'} data-testid={testId} {...attributes}>
      <div className="entity__head">
        <div className="entity__main">
          <Title className="entity__title">{title}</Title>
          {details}
        </div>
        {actions ? <div className="entity__actions">{actions}</div> : null}
      </div>
      {children}
    </li>
  );
}

/** "Show …" / "Hide …" under a row, and what it shows. */
export function RowDisclosure({
  open,
  onToggle,
  showLabel,
  hideLabel,
  testId,
  children,
}: {
  open: boolean;
  onToggle(): void;
  showLabel: string;
  hideLabel: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <>
      <button type="button" className="link-button" aria-expanded={open} onClick={onToggle} data-testid={testId}>
        {open ? hideLabel : showLabel}
      </button>
      {open ? children : null}
    </>
  );
}

/** The page's main action: "New …". */
export function CreateButton({ label, onClick, testId }: { label: string; onClick(): void; testId?: string }) {
  return (
    <button type="button" className="button button--primary" onClick={onClick} data-testid={testId}>
      <Icon name="plus" size={16} />
      {label}
    </button>
  );
}

function RowIconButton({ icon, label, onClick }: { icon: IconName; label: string; onClick(): void }) {
  return (
    <button type="button" className="icon-button" onClick={onClick} aria-label={label} title={label}>
      <Icon name={icon} />
    </button>
  );
}

export function EditButton({ label, onClick }: { label: string; onClick(): void }) {
  return <RowIconButton icon="note" label={label} onClick={onClick} />;
}

export function DeleteButton({ label, onClick }: { label: string; onClick(): void }) {
  return <RowIconButton icon="trash" label={label} onClick={onClick} />;
}
