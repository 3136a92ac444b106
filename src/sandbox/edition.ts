/**
 * Which Akeneo the sandbox plays: Community (CE) or Enterprise (EE) Edition 5.0, 6.0 or 7.0
 * self-hosted, or SaaS (Serenity). A profile answers four questions the routes and rules ask:
 * does this route exist here, what does /system-information say, which attribute properties and
 * types does the attribute updater know, and are there uuid products (so products without
 * identifier)? Everything else is the same server.
 *
 * Each rule below names where it comes from; EDITION_DIFFERENCES is that list in readable form
 * (src/sandbox/README.md and docs/editions.md show it, and test/sandbox/edition.test.ts checks
 * the two stay in step).
 */
import type { HTTPMethods } from 'fastify';
import type { StructureSnapshot } from './store.js';

export const EDITIONS = ['ce', 'ee', 'saas'] as const;
export type EditionName = (typeof EDITIONS)[number];
export const EDITION_VERSIONS = ['5.0', '6.0', '7.0'] as const;
export type EditionVersion = (typeof EDITION_VERSIONS)[number];

export interface EditionProfile {
  edition: EditionName;
  /** Self-hosted version; null on SaaS (always the latest). */
  version: EditionVersion | null;
  /** What GET /system-information answers; null where the route does not exist (before 6.0). */
  systemInformation: { version: string; edition: string } | null;
  /** /products-uuid and products without identifier (7.0 and SaaS). */
  uuidProducts: boolean;
  /** `with_completenesses` on product reads (6.0+; ignored before, as an unknown parameter). */
  completenesses: boolean;
  /** Attribute properties the attribute updater does not know here (5.0: guidelines): a write that sends one is refused. */
  unknownAttributeProperties: readonly string[];
  /**
   * Attribute properties the updater stores but reads never show here (CE: is_read_only — the CE's
   * updater keeps it as a property, its normalizer leaves it out: read-only attributes are an
   * Enterprise/SaaS feature).
   */
  hiddenAttributeProperties: readonly string[];
  /** Attribute types the attribute type registry does not have here. */
  unknownAttributeTypes: readonly string[];
  /** Whether METHOD url (a fastify route pattern such as /api/rest/v1/products-uuid/:key) exists here. */
  hasRoute(method: string, url: string): boolean;
  /** "CE 6.0", "EE 7.0", "SaaS" */
  label: string;
}

/** The versions a SaaS and a self-hosted PIM report (shapes from the spec's get_system_information table). */
export const SAAS_SYSTEM_VERSION = 'v20230112013744';
const SELF_HOSTED_PATCH: Record<EditionVersion, string> = { '5.0': '5.0.60', '6.0': '6.0.28', '7.0': '7.0.40' };

const EE_ATTRIBUTE_TYPES = ['akeneo_reference_entity', 'akeneo_reference_entity_collection', 'pim_catalog_asset_collection', 'pim_catalog_table'];

interface RouteRule {
  /** Matches the fastify route pattern. */
  url: RegExp;
  method?: HTTPMethods;
  /** True when the route exists in this profile. */
  exists(p: { edition: EditionName; version: number }): boolean;
}

/** version as a number: 5, 6, 7; SaaS counts as later than any self-hosted version. */
const SAAS = 99;
const enterprise = (e: EditionName): boolean => e !== 'ce';

const ROUTE_RULES: RouteRule[] = [
  // x-versions ['7.0'] on every /products-uuid operation; /products-uuid/search has none (SaaS only).
  { url: /^\/api\/rest\/v1\/products-uuid\/search$/, exists: (p) => p.version === SAAS },
  { url: /^\/api\/rest\/v1\/products-uuid(\/|$)/, exists: (p) => p.version >= 7 },
  // x-versions ['6.0', '7.0']
  { url: /^\/api\/rest\/v1\/system-information$/, exists: (p) => p.version >= 6 },
  { url: /^\/api\/rest\/v1\/product-models\/:code$/, method: 'DELETE', exists: (p) => p.version >= 6 },
  // x-ee: true on reference entities, asset families, assets and their media files.
  { url: /^\/api\/rest\/v1\/(reference-entities|asset-families|asset-media-files|reference-entities-media-files)(\/|$)/, exists: (p) => enterprise(p.edition) },
];

export class EditionError extends Error {
  override name = 'EditionError';
}

/** Parses `--edition` / `--version` (case-insensitive) into a profile; throws EditionError with the fix. */
export function editionProfile(edition: string = 'saas', version?: string): EditionProfile {
  const e = edition.toLowerCase() as EditionName;
  if (!(EDITIONS as readonly string[]).includes(e)) {
    throw new EditionError(`Unknown edition "${edition}": use one of ${EDITIONS.join(', ')}.`);
  }
  if (e === 'saas' && version !== undefined && version !== 'saas') {
    throw new EditionError(`SaaS has no version to choose (it is always the latest); drop --version, or pick --edition ce or ee with --version ${EDITION_VERSIONS.join('|')}.`);
  }
  const v = e === 'saas' ? null : ((version ?? '7.0') as EditionVersion);
  if (v !== null && !(EDITION_VERSIONS as readonly string[]).includes(v)) {
    throw new EditionError(`Unknown version "${version}" for ${e.toUpperCase()}: use one of ${EDITION_VERSIONS.join(', ')}.`);
  }
  const n = v === null ? SAAS : Number(v.split('.')[0]);
  const facts = { edition: e, version: n };
  const systemInformation =
    n < 6 ? null : e === 'saas' ? { version: SAAS_SYSTEM_VERSION, edition: 'Serenity' } : { version: SELF_HOSTED_PATCH[v!], edition: e.toUpperCase() };
  const unknownTypes = e === 'ce' ? EE_ATTRIBUTE_TYPES : n < 6 ? ['pim_catalog_table'] : [];
  return {
    edition: e,
    version: v,
    systemInformation,
    uuidProducts: n >= 7,
    completenesses: n >= 6,
    unknownAttributeProperties: n < 6 ? ['guidelines'] : [],
    hiddenAttributeProperties: e === 'ce' ? ['is_read_only'] : [],
    unknownAttributeTypes: unknownTypes,
    hasRoute(method, url) {
      for (const rule of ROUTE_RULES) {
        if (rule.method && rule.method !== method) continue;
        if (rule.url.test(url)) return rule.exists(facts);
      }
      return true;
    },
    label: e === 'saas' ? 'SaaS' : `${e.toUpperCase()} ${v}`,
  };
}

export interface EditionDifference {
  what: string;
  ce: string;
  ee: string;
  saas: string;
  source: string;
}

const SPEC = '../shared/akeneo/openapi-selfhosted.json (Akeneo\'s official spec)';
/** Akeneo's source with its history (read in the mirandaguillaume/pim-community-dev snapshot) and the commits that stand for each version. */
const MIRROR = 'akeneo/pim-community-dev';
const AT_5_0 = 'b520a3fcb7 (2021-01, 5.0)';
const AT_6_0 = 'b4605f26e0 (2022-02-03, master when CHANGELOG-6.0.md began "# 6.0.x")';
const AT_7_0 = '1c801f6939 (2022-12-15, "Make 7.0 a real version")';

/** Every difference the sandbox emulates, with where it was taken from. */
export const EDITION_DIFFERENCES: readonly EditionDifference[] = [
  {
    what: '`/products-uuid` (list, get, create, upsert, collection PATCH, delete); products without identifier',
    ce: '7.0 only; 404 before',
    ee: '7.0 only; 404 before',
    saas: 'yes',
    source: `${SPEC}: \`x-versions: ["7.0"]\` on every products-uuid operation; \`uuid\` property \`x-from-version: 7.0\``,
  },
  {
    what: '`uuid` in `/products` (identifier endpoint) answers',
    ce: '7.0 only',
    ee: '7.0 only',
    saas: 'yes',
    source: `${SPEC}: definitions Product/ProductList \`uuid\` \`x-from-version: 7.0\``,
  },
  {
    what: '`POST /products-uuid/search`',
    ce: 'no (404)',
    ee: 'no (404)',
    saas: 'yes',
    source: `${SPEC} has no \`x-versions\` on search_products_uuid; ../shared/reference/akeneo-api.md §3 ("SaaS-only")`,
  },
  {
    what: '`GET /system-information`',
    ce: '6.0+: `{"version":"6.0.28","edition":"CE"}`; 404 on 5.0',
    ee: '6.0+: `{"version":"6.0.28","edition":"EE"}`; 404 on 5.0',
    saas: '`{"version":"v20230112013744","edition":"Serenity"}`',
    source: `${SPEC}: get_system_information \`x-versions: ["6.0","7.0"]\` and its description's table of answers per environment; ${MIRROR} src/Akeneo/Platform/Bundle/AnalyticsBundle/Resources/config/routing.yml has the route at ${AT_6_0}, no such route at ${AT_5_0}`,
  },
  {
    what: '`DELETE /product-models/{code}`',
    ce: '6.0+; 405 on 5.0',
    ee: '6.0+; 405 on 5.0',
    saas: 'yes',
    source: `${SPEC}: delete_product_models__code_ \`x-versions: ["6.0","7.0"]\`; ${MIRROR} src/Akeneo/Pim/Enrichment/Bundle/Resources/config/routing/external_api/product_model.yml: GET, POST, PATCH only at ${AT_5_0} (so 405), DELETE at ${AT_6_0}`,
  },
  {
    what: '`with_completenesses=true` on product reads',
    ce: '6.0+; ignored on 5.0 (no `completenesses` key)',
    ee: '6.0+; ignored on 5.0',
    saas: 'yes',
    source: `${SPEC}: the with_completenesses query parameter of get_products / get_products__code_ has \`x-from-version: 6.0\``,
  },
  {
    what: 'Reference entities, asset families, assets, their attributes/options/records and media files',
    ce: 'no (404)',
    ee: 'yes',
    saas: 'yes',
    source: `${SPEC}: \`x-ee: true\` on every reference-entities*, asset-families*, asset-media-files, reference-entities-media-files operation`,
  },
  {
    what: 'Attribute property `is_read_only`',
    ce: 'accepted on writes (no error) but never shown on reads, and without effect: no read-only attributes',
    ee: 'yes',
    saas: 'yes',
    source: `${MIRROR} src/Akeneo/Pim/Structure/Bundle/Resources/config/updaters.yml: the CE's attribute updater stores the properties [auto_option_sorting, is_read_only, default_value] since c8735d0134 (2018-07, "TIP-863: remove CE override"; the same at ${AT_5_0}, ${AT_6_0}, ${AT_7_0}); its standard normalizer shows only auto_option_sorting and default_value (normalizers.yml at ${AT_6_0}), and from 7.0 is_read_only only when the read-only feature flag is on (Normalizer/Standard/AttributeNormalizer.php at ${AT_7_0})`,
  },
  {
    what: 'Attribute property `guidelines`',
    ce: '6.0+; before: 422 `Property "guidelines" does not exist. Check the expected format on the API documentation.`',
    ee: 'same as CE',
    saas: 'yes',
    source: `${MIRROR} src/Akeneo/Pim/Structure/Component/Updater/AttributeUpdater.php: at ${AT_5_0} no guidelines field, so setValue()'s property accessor throws UnknownPropertyException; at ${AT_6_0} \`case 'guidelines'\``,
  },
  {
    what: 'Attribute types `akeneo_reference_entity(_collection)`, `pim_catalog_asset_collection`, `pim_catalog_table`',
    ce: 'refused: 422 `Property "type" expects a valid attribute type. The attribute type does not exist, "…" given.`',
    ee: 'yes (table from 6.0)',
    saas: 'yes',
    source:
      'AttributeUpdater.php (0757debc) setType(): a type missing from the registry → InvalidPropertyException "The attribute type does not exist"; these types are registered by EE bundles only; table attributes "EE/GE, 6.0+" (../shared/reference/akeneo-api.md §6)',
  },
  {
    what: 'Product without identifier on `/products` (POST without `identifier`, or `"identifier": null` / `""`)',
    ce: 'before 7.0: 422 `{"code":422,"message":"Validation failed.","errors":[{"property":"identifier","message":"The identifier attribute cannot be empty."}]}` (a create by PATCH with `"identifier": null`: `The identifier "" provided in the request body must match the identifier "…" provided in the url.`); 7.0: 422 `Validation failed. The identifier field is required for this endpoint. If you want to manipulate products without identifiers, please use products-uuid endpoints.` (documented, link `#post_products_uuid`)',
    ee: 'same as CE',
    saas: 'as 7.0',
    source:
      `${MIRROR} tests/back/Pim/Enrichment/EndToEnd/Product/Product/ExternalApi/CreateProductEndToEnd.php testResponseWhenIdentifierIsNotFilled and PartialUpdateProductEndToEnd.php testProductPartialUpdateWithTheIdentifierUpdatedWithNull: at ${AT_6_0} and ${AT_5_0} the violation, at ${AT_7_0} ProductController's NO_IDENTIFIER_MESSAGE (added 2022-10, CPM-594)`,
  },
  {
    what: 'Product or product model value whose `locale` / `scope` does not fit its attribute',
    ce: '5.0: 422 `Attribute "…" expects a locale code and a null channel code, "" channel code and "" locale code given.` (and the three other cases: `a channel code and a locale code`, `a channel code and a null locale code`, `a null channel code and a null locale code`; a missing code printed as ""); 6.0+: `The … attribute does not require a value per channel (nothing was detected) but requires a value per locale (nothing was detected).` and its three siblings (documented)',
    ee: 'same as CE',
    saas: 'as 6.0+',
    source: `${MIRROR} src/Akeneo/Pim/Enrichment/Component/Product/Factory/Value/ValidateAttribute.php: InvalidAttributeException with sprintf texts at ${AT_5_0}; LocalizableAndScopable / LocalizableAndNotScopable / NotLocalizableAndScopable / NotLocalizableAndNotScopableAttributeException at ${AT_6_0} and ${AT_7_0}`,
  },
  {
    what: '`uuid` in a `/products` body',
    ce: 'before 7.0: 422 `Property "uuid" does not exist. Check the expected format on the API documentation.` (documented); 7.0: ignored',
    ee: 'same as CE',
    saas: 'ignored',
    source: `${MIRROR} src/Akeneo/Pim/Enrichment/Bundle/Resources/config/updaters.yml pim_catalog.updater.product ignored fields: no \`uuid\` at ${AT_6_0}, \`uuid\` first at ${AT_7_0}; ProductUpdater throws UnknownPropertyException for any other field`,
  },
  {
    what: '`GET` / `PATCH` / `DELETE /products-uuid/{x}` where x is not a uuid',
    ce: '7.0: 404 `No route found for "… /products-uuid/x"` (no product lookup, no create); `POST /products-uuid/search` 404',
    ee: 'same as CE',
    saas: '404 likewise; `GET /products-uuid/search` 405 `Method Not Allowed (Allow: POST)`',
    source:
      'akeneo/pim-community-dev src/Akeneo/Pim/Enrichment/Bundle/Resources/config/routing/external_api/product.yml (ea67ecb6): pim_api_product_uuid_get, _partial_update and _delete require `uuid: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`; a path no route takes is the router\'s 404, 405 when a route takes it with another method',
  },
  {
    what: 'Answer for a route that does not exist there',
    ce: '404 `{"code":404,"message":"No route found for \\"GET http://…/api/rest/v1/…\\""}` (405 `…: Method Not Allowed (Allow: …)` when other methods exist)',
    ee: 'same',
    saas: 'same',
    source: "Symfony RouterListener's NotFoundHttpException / MethodNotAllowedHttpException texts, rendered by the API's exception listener (../shared/reference/akeneo-api.md §8)",
  },
];

/**
 * A catalog as this edition would hold it: on CE no attribute carries `is_read_only` (it would
 * not show) and none
 * has an Enterprise type, and there are no reference entities or asset families (the catalogs are
 * exports, possibly from an EE; the CE cannot have stored those).
 */
export function adaptStructure(s: StructureSnapshot, p: EditionProfile): StructureSnapshot {
  const unknownTypes = new Set(p.unknownAttributeTypes);
  const dropped = new Set(s.attributes.filter((a) => unknownTypes.has(a.type)).map((a) => a.code));
  const attributes = s.attributes
    .filter((a) => !dropped.has(a.code))
    .map((a) => {
      const gone = [...p.unknownAttributeProperties, ...p.hiddenAttributeProperties];
      if (!gone.some((k) => k in a)) return a;
      const copy: Record<string, unknown> = { ...a };
      for (const k of gone) delete copy[k];
      return copy as typeof a;
    });
  const out: StructureSnapshot = { ...s, attributes };
  if (dropped.size > 0) out.families = s.families.map((f) => ({ ...f, attributes: f.attributes.filter((a) => !dropped.has(a)) }));
  if (p.edition === 'ce') {
    out.referenceEntities = [];
    out.referenceEntityAttributes = {};
    out.assetFamilies = [];
    out.assetFamilyAttributes = {};
  }
  return out;
}
