import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** A stored file: uploaded by an agent or downloaded from a channel. Bytes live under DATA_DIR/media. */
export interface Media {
  id: string;
  tenantId: string;
  source: 'upload' | 'inbound';
  channel: string | null;
  /** The channel's media id (WhatsApp media id) for inbound files. */
  externalId: string | null;
  mimeType: string;
  size: number;
  filename: string | null;
  sha256: string;
  /** Path relative to DATA_DIR/media. */
  storageKey: string;
  thumbnailKey: string | null;
  width: number | null;
  height: number | null;
  uploadedById: string | null;
  createdAt: Date;
}

export const MediaEntity = new EntitySchema<Media>({
  name: 'Media',
  tableName: 'media',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    source: col.string(20),
    channel: col.string(20, true),
    externalId: col.string(200, true),
    mimeType: col.string(150),
    size: col.int(0),
    filename: col.string(300, true),
    sha256: col.string(64),
    storageKey: col.string(500),
    thumbnailKey: col.string(500, true),
    width: { type: 'integer', nullable: true },
    height: { type: 'integer', nullable: true },
    uploadedById: col.ref(true),
    createdAt: col.time(),
  },
});
