// A subset of SAP S/4HANA API_PRODUCT_SRV with S/4's entity and field names: a test stand-in for
// the real service (see ../../../../../shared/reference/erp-sources.md §4), not SAP's metadata.
namespace s4;

entity A_Product {
  key Product                       : String(40);
      ProductType                   : String(4);
      CrossPlantStatus              : String(2);
      CreationDate                  : Date;
      LastChangeDate                : Date;
      LastChangeDateTime            : Timestamp @cds.on.insert: $now  @cds.on.update: $now;
      IsMarkedForDeletion           : Boolean default false;
      ProductOldID                  : String(40);
      GrossWeight                   : Decimal(13, 3);
      NetWeight                     : Decimal(13, 3);
      WeightUnit                    : String(3);
      SizeOrDimensionText           : String(32);
      ProductGroup                  : String(9);
      BaseUnit                      : String(3);
      Division                      : String(2);
      ProductHierarchy              : String(18);
      // S/4 checks a GTIN's form; the sink tests provoke a 400 naming this property.
      ProductStandardID             : String(18) @assert.format: '^[0-9]{8,14}$';
      CrossPlantConfigurableProduct : String(40);
      to_Description                : Composition of many A_ProductDescription on to_Description.Product = $self.Product;
      to_ProductBasicText           : Composition of many A_ProductBasicText on to_ProductBasicText.Product = $self.Product;
}

entity A_ProductDescription {
  key Product            : String(40);
  key Language           : String(2);
      ProductDescription : String(40);
}

entity A_ProductBasicText {
  key Product  : String(40);
  key Language : String(2);
      LongText : LargeString;
}
