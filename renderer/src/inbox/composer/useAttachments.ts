// Files attached to a reply: each uploads at once with its progress, can be retried or removed,
// and is ready to send once stored. A quick reply's stored attachment joins them as ready.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { errorMessage } from '../../errors';
import { uploadMedia, type UploadedMedia } from '../api';

export interface Upload {
  key: string;
  file: File;
  progress: number;
  /** The stored file, once uploaded (or a quick reply's attachment). */
  media?: Pick<UploadedMedia, 'id' | 'mimeType'>;
  error?: string;
  previewUrl?: string;
  abort: AbortController;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'document';

/** How a stored file is sent: the message type its MIME type calls for. */
export function kindOf(mimeType: string): MediaKind {
  if (/^image\/(jpeg|png|webp)$/.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

export function useAttachments() {
  const { t } = useTranslation('inbox');
  const [uploads, setUploads] = useState<Upload[]>([]);

  const uploadsRef = useRef(uploads);
  uploadsRef.current = uploads;
  // Free preview URLs when attachments go away.
  useEffect(
    () => () => {
      for (const u of uploadsRef.current) if (u.previewUrl) URL.revokeObjectURL(u.previewUrl);
    },
    [],
  );

  function start(file: File) {
    const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
    const abort = new AbortController();
    const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
    setUploads((list) => [...list, { key, file, progress: 0, previewUrl, abort }]);
    const update = (patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));
    uploadMedia(file, (progress) => update({ progress }), abort.signal)
      .then((media) => update({ media, progress: 1 }))
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const reason =
          error instanceof ApiError && error.isNetworkError
            ? t('composer.uploadOffline')
            : error instanceof ApiError && (error.status === 413 || error.status === 415)
              ? error.detail || t('composer.uploadRefused')
              : errorMessage(t, error);
        update({ error: reason });
      });
  }

  function add(files: FileList | File[]) {
    for (const file of Array.from(files)) start(file);
  }

  /** A file already stored (a quick reply's attachment): ready at once. */
  function addStored(key: string, media: Pick<UploadedMedia, 'id' | 'mimeType'> & { filename: string | null }) {
    const file = new File([], media.filename ?? 'attachment', { type: media.mimeType });
    setUploads((list) => [
      ...list,
      { key, file, progress: 1, media: { id: media.id, mimeType: media.mimeType }, abort: new AbortController() },
    ]);
  }

  function remove(key: string) {
    setUploads((list) => {
      const gone = list.find((u) => u.key === key);
      if (gone) {
        gone.abort.abort();
        if (gone.previewUrl) URL.revokeObjectURL(gone.previewUrl);
      }
      return list.filter((u) => u.key !== key);
    });
  }

  function retry(upload: Upload) {
    remove(upload.key);
    start(upload.file);
  }

  const ready = uploads.filter((u) => u.media);

  /** Forget the ready ones (they were sent). */
  function clearReady() {
    for (const u of ready) if (u.previewUrl) URL.revokeObjectURL(u.previewUrl);
    setUploads((list) => list.filter((u) => !u.media));
  }

  return {
    uploads,
    ready,
    /** Some file is still going up. */
    uploading: uploads.some((u) => !u.media && !u.error),
    add,
    addStored,
    remove,
    retry,
    clearReady,
  };
}
