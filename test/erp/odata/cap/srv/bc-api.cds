using { bc } from '../db/bc';

// Business Central's API v2.0 root: https://api.businesscentral.dynamics.com/v2.0/<tenant>/<env>/api/v2.0
@path: 'bc/api/v2.0'
@requires: 'authenticated-user'
service BC_API {
  entity companies as projection on bc.companies;
  // BC pages server-side; a small maximum makes the tests follow several next links.
  @cds.query.limit: { default: 100, max: 500 }
  entity items as projection on bc.items;
  @cds.query.limit: { default: 100, max: 500 }
  entity itemVariants as projection on bc.itemVariants;
  entity itemCategories as projection on bc.itemCategories;
}
