/**
 * image and file: an ERP path or URL → the media-file code the sync engine already uploaded for it
 * (MediaResolver), or an upload request. The upload itself happens in src/sync through the client,
 * deduplicated by content hash (src/mapping/media.ts).
 */
import type { Attribute } from '../../akeneo/model.js';
import type { MediaResolver } from '../types.js';
import { fail, scalarText, show, type Converter } from './common.js';

export function mediaConverter(attribute: Attribute, resolver: MediaResolver | undefined): Converter {
  const allowed = (attribute.allowed_extensions ?? []).map((e) => e.toLowerCase().replace(/^\./, ''));
  const expected = `a file path or URL${allowed.length ? ` ending in .${allowed.join(', .')}` : ''}`;
  return (value) => {
    const text = scalarText(value)?.trim();
    if (!text || typeof value !== 'string') {
      return fail('invalid_value', `${show(value)} is not a file path or URL`, expected, 'Map a field holding a path or URL.');
    }
    if (allowed.length) {
      const path = /^https?:\/\//i.test(text) ? new URL(text).pathname : text;
      const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
      if (!ext || !allowed.includes(ext)) {
        return fail(
          'invalid_value',
          `${show(text)} has ${ext ? `extension .${ext}` : 'no extension'}, which the attribute does not allow`,
          expected,
          'Convert the file in the ERP, or allow the extension on the attribute in the PIM.',
        );
      }
    }
    const known = resolver?.lookup(text);
    return known ? { ok: true, data: known } : { ok: true, data: null, upload: text };
  };
}
