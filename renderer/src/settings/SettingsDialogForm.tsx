// The edit dialog of a settings list (./SettingsListPage.tsx): a form in a Dialog, checked here
// first, then by the server, whose RFC 9457 `errors[]` show next to the fields they name.
//
//   function TagDialog({ tag, onClose, onSaved }: { tag: Tag | null; onClose(): void; onSaved(): void }) {
//     const { t } = useTranslation('tags');
//     const [name, setName] = useState(tag?.name ?? '');
//     const form = useSettingsForm({
//       validate: () => (name.trim() ? undefined : { name: t('validation.required') }),
//       save: async () => {
//         await (tag ? tagsApi.update(tag.id, { name }) : tagsApi.create({ name }));
//         onSaved();
//         onClose();
//       },
//     });
//     return (
//       <SettingsDialogForm title={tag ? t('tags.edit') : t('tags.create')} testId="tag-dialog" saveTestId="tag-save" form={form} onClose={onClose}>
//         <SettingsField label={t('tags.name')} htmlFor="tag-name" error={form.fieldErrors.name}>
//           <input id="tag-name" className="field__input" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
//         </SettingsField>
//       </SettingsDialogForm>
//     );
//   }
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { fieldErrorsOf, problemText } from './ui';

export interface SettingsFormOptions {
  /** Checks before sending: field path → message, or one message for the whole form; nothing when fine. */
  validate?(): Record<string, string> | string | undefined;
  /** Sends the form; throws (an ApiError) when the server refuses. */
  save(): Promise<void>;
  /** Rewords the server's field errors (path → message), e.g. to explain a rule in the UI's terms. */
  fieldErrors?(errors: Record<string, string>, error: unknown): Record<string, string>;
}

export interface SettingsForm {
  busy: boolean;
  /** The form-level message (above the fields). */
  error: string | undefined;
  /** Field path ("name", "hours.2.end") → message. */
  fieldErrors: Record<string, string>;
  onSubmit(event: FormEvent): void;
}

/** A form's submit: local checks, then the save, with its busy state and errors. */
export function useSettingsForm(options: SettingsFormOptions): SettingsForm {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problem = options.validate?.();
    if (typeof problem === 'string') {
      setError(problem);
      return;
    }
    setFieldErrors(problem ?? {});
    if (problem && Object.keys(problem).length) return;
    setBusy(true);
    setError(undefined);
    try {
      await options.save();
    } catch (err) {
      const fields = fieldErrorsOf(err, t);
      setFieldErrors(options.fieldErrors ? options.fieldErrors(fields, err) : fields);
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, fieldErrors, onSubmit: (event) => void onSubmit(event) };
}

interface SettingsDialogFormProps {
  title: string;
  testId: string;
  form: SettingsForm;
  onClose(): void;
  /** The save button's data-testid. */
  saveTestId?: string;
  /** Before the form's error line (explanations, an example). */
  intro?: ReactNode;
  /** Default: Save / Saving… / Cancel. */
  submitLabel?: ReactNode;
  busyLabel?: string;
  cancelLabel?: string;
  children: ReactNode;
}

/** A dialog with a form: the error line, the fields, then Cancel and Save. */
export function SettingsDialogForm({
  title,
  testId,
  form,
  onClose,
  saveTestId,
  intro,
  submitLabel,
  busyLabel,
  cancelLabel,
  children,
}: SettingsDialogFormProps) {
  const { t } = useTranslation();
  return (
    <Dialog title={title} onClose={onClose} testId={testId} className="dialog--form dialog--settings">
      <form className="stack-form" onSubmit={form.onSubmit} noValidate>
        {intro}
        <FormError message={form.error} />
        {children}
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {cancelLabel ?? t('common.cancel')}
          </button>
          <SubmitButton busy={form.busy} busyLabel={busyLabel ?? t('settings.saving')} data-testid={saveTestId}>
            {submitLabel ?? t('common.save')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

/** A labelled field of a settings form, with its error (or hint) under it. */
export function SettingsField({
  label,
  htmlFor,
  error,
  hint,
  after,
  children,
}: {
  label: ReactNode;
  /** The id of the control the label names. */
  htmlFor: string;
  error?: string;
  /** Shown while there is no error. */
  hint?: ReactNode;
  /** After the error or hint (e.g. buttons that insert into the field). */
  after?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {error ? <p className="field__error">{error}</p> : hint ? <p className="field__hint">{hint}</p> : null}
      {after}
    </div>
  );
}
