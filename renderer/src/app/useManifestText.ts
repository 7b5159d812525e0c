import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { ManifestText } from './feature';

/** Translates strings that feature manifests name (checked against their namespace by defineFeature). */
export function useManifestText(): (text: ManifestText) => string {
  const { t } = useTranslation();
  // The key was type-checked where the manifest declared it; here it is a string of some namespace.
  const translate = t as unknown as (key: string, options: { ns: string }) => string;
  return useCallback((text: ManifestText) => translate(text.key, { ns: text.namespace }), [translate]);
}
