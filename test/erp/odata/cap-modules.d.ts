// SAP CAP ships no type declarations usable here (they live in extra packages); server.ts
// describes the slice it uses (the Cds interface).
declare module '@sap/cds';
declare module '@cap-js/sqlite';
declare module '@cap-js-community/odata-v2-adapter';
