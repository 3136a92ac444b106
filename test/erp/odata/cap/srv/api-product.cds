using { s4 } from '../db/schema';

@path: 'API_PRODUCT_SRV'
@requires: 'authenticated-user'
service API_PRODUCT_SRV {
  // S/4 pages server-side; a small maximum makes the tests follow several next links.
  @cds.query.limit: { default: 200, max: 500 }
  entity A_Product as projection on s4.A_Product;
  entity A_ProductDescription as projection on s4.A_ProductDescription;
  entity A_ProductBasicText as projection on s4.A_ProductBasicText;
}
