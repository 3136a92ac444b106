// A subset of Microsoft Dynamics 365 Business Central API v2.0 with BC's entity and field names
// (companies, items, itemVariants, itemCategories): a test stand-in for the real API, not
// Microsoft's metadata. Entities hang under a company, as BC's per-company URLs do.
namespace bc;

entity companies {
  key id             : UUID;
      name           : String(30);
      displayName    : String(250);
      items          : Composition of many items on items.companyId = $self.id;
      itemVariants   : Composition of many itemVariants on itemVariants.companyId = $self.id;
      itemCategories : Composition of many itemCategories on itemCategories.companyId = $self.id;
}

entity items {
  key id                    : UUID;
      companyId             : UUID;
      number                : String(20);
      displayName           : String(100);
      displayName2          : String(50);
      type                  : String(20);
      itemCategoryId        : UUID;
      itemCategoryCode      : String(20);
      blocked               : Boolean default false;
      gtin                  : String(14);
      unitPrice             : Decimal(19, 4);
      baseUnitOfMeasureCode : String(10);
      // BC answers @odata.etag on every item and wants it back in If-Match on a PATCH.
      lastModifiedDateTime  : Timestamp @cds.on.insert: $now  @cds.on.update: $now  @odata.etag;
}

entity itemVariants {
  key id                   : UUID;
      companyId            : UUID;
      itemId               : UUID;
      itemNumber           : String(20);
      code                 : String(20);
      description          : String(100);
      lastModifiedDateTime : Timestamp @cds.on.insert: $now  @cds.on.update: $now;
}

entity itemCategories {
  key id                   : UUID;
      companyId            : UUID;
      code                 : String(20);
      displayName          : String(100);
      lastModifiedDateTime : Timestamp @cds.on.insert: $now  @cds.on.update: $now;
}
