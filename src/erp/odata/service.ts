/**
 * One OData service: its $metadata (read once), the protocol version, and entity-set reads that
 * follow server-driven paging (v4 @odata.nextLink, v2 d.__next) exactly as the server gives it.
 * Non-success answers become ErpErrors that say what is wrong in the user's terms: a wrong
 * service path, an unknown entity set or property, a server error with its message.
 */
import { ErpError } from '../port.js';
import type { OdataConfig } from './config.js';
import { OdataHttp, safeUrl } from './http.js';
import { parseMetadata, type EdmModel } from './metadata.js';
import { queryString, type ODataVersion, type QueryOptions } from './query.js';
import { collectionRows, nextLink, totalCount } from './values.js';

const JSON_ACCEPT = 'application/json;IEEE754Compatible=true';

export interface Page {
  rows: Record<string, unknown>[];
  count: number | null;
}

export class OdataService {
  readonly http: OdataHttp;
  private model: Promise<EdmModel> | null = null;
  readonly root: string;
  /** Path segments between the root and every entity set: Business Central's `companies(<id>)`. */
  private scope = '';

  constructor(readonly config: OdataConfig) {
    this.http = new OdataHttp(config);
    this.root = config.url.replace(/\/+$/, '');
  }

  metadata(): Promise<EdmModel> {
    this.model ??= this.loadMetadata().catch((error: unknown) => {
      this.model = null;
      throw error;
    });
    return this.model;
  }

  /** Entity sets are read and written under `scope` from now on (`companies(<id>)`); '' for none. */
  setScope(scope: string): void {
    this.scope = scope ? `${scope.replace(/^\/+|\/+$/g, '')}/` : '';
  }

  /** The URL of an entity set (or an entity path such as `A_Product('X')`) under the scope. */
  entityUrl(path: string): string {
    return `${this.root}/${this.scope}${path}`;
  }

  async version(): Promise<ODataVersion> {
    return this.config.version === 'auto' ? (await this.metadata()).version : this.config.version;
  }

  private async loadMetadata(): Promise<EdmModel> {
    const url = `${this.root}/$metadata`;
    const res = await this.http.get(url, 'application/xml');
    if (res.status === 404) {
      throw new ErpError(
        `No OData service at ${safeUrl(this.root)} (its $metadata answers 404); check erp.url: it must be the service root, e.g. https://host/sap/opu/odata/sap/API_PRODUCT_SRV`,
        'config',
      );
    }
    if (res.status !== 200) throw new ErpError(`${safeUrl(url)} answered HTTP ${res.status}: ${serverMessage(res.text)}`, 'protocol');
    try {
      return parseMetadata(res.text);
    } catch (error) {
      throw new ErpError(`${safeUrl(url)} is not OData metadata (${(error as Error).message}); check erp.url`, 'protocol', { cause: error });
    }
  }

  /**
   * A URL the server gave (next link), kept on our origin so credentials never go elsewhere. A
   * relative link is relative to the service root (where the context URL's $metadata is), which
   * matters under a scope: CAP answers `companies(<id>)/items?$skiptoken=…`.
   */
  private follow(link: string): string {
    const resolved = new URL(link, `${this.root}/`);
    const ours = new URL(this.root);
    if (resolved.origin !== ours.origin) {
      // SAP Gateway and CAP write absolute links with their own host name (e.g. localhost behind a proxy).
      resolved.protocol = ours.protocol;
      resolved.host = ours.host;
    }
    return resolved.toString();
  }

  async getJson(url: string, what: string): Promise<unknown> {
    const res = await this.http.get(url, JSON_ACCEPT);
    if (res.status === 404) {
      throw new ErpError(`${what}: ${safeUrl(url)} answered 404 (${serverMessage(res.text)}); check the entity set name and erp.url`, 'config');
    }
    if (res.status === 400) {
      throw new ErpError(`${what}: the server rejected the query (${serverMessage(res.text)}); check the property names and erp.streams.*.filter`, 'config');
    }
    if (res.status < 200 || res.status >= 300) {
      throw new ErpError(`${what}: ${safeUrl(url)} answered HTTP ${res.status}: ${serverMessage(res.text)}`, 'protocol');
    }
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new ErpError(`${what}: ${safeUrl(url)} answered without JSON (${res.text.slice(0, 120)})`, 'protocol');
    }
  }

  /**
   * Every page of an entity set. Without pageSize the server decides the pages and we follow its
   * next links; with pageSize we ask $top/$skip chunks (ordered by key) and still follow any
   * next link inside a chunk.
   */
  async *pages(entitySet: string, options: QueryOptions, signal?: AbortSignal): AsyncGenerator<Page> {
    const version = await this.version();
    const pageSize = this.config.pageSize;
    let skip = 0;
    for (;;) {
      const query = queryString({ ...options, ...(pageSize ? { top: pageSize, skip } : {}) }, version);
      let url: string | null = `${this.entityUrl(entitySet)}${query ? `?${query}` : ''}`;
      let inChunk = 0;
      while (url) {
        signal?.throwIfAborted();
        const body = await this.getJson(url, `Reading ${entitySet}`);
        const rows = collectionRows(body);
        if (!rows) throw new ErpError(`Reading ${entitySet}: the answer is not an OData collection (no value / d.results)`, 'protocol');
        inChunk += rows.length;
        yield { rows, count: totalCount(body) };
        const next = nextLink(body);
        url = next ? this.follow(next) : null;
      }
      if (!pageSize || inChunk < pageSize) return;
      skip += pageSize;
    }
  }

  /** The number of rows matching a filter ($count), or null when the service cannot count. */
  async count(entitySet: string, options: QueryOptions): Promise<number | null> {
    const query = queryString({ ...options, top: 0, count: true }, await this.version());
    return totalCount(await this.getJson(`${this.entityUrl(entitySet)}?${query}`, `Counting ${entitySet}`));
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** The server's error message from an OData error body (v2 error.message.value, v4 error.message), else the text's start. */
export function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    const m = body.error?.message;
    if (typeof m === 'string') return m;
    if (m && typeof m === 'object' && typeof (m as { value?: unknown }).value === 'string') return (m as { value: string }).value;
  } catch {
    // not JSON: an HTML or XML error page
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.slice(0, 200) || '(empty body)';
}
