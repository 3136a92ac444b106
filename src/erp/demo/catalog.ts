/**
 * The vocabulary the demo ERP is generated from: product lines and types with their variant
 * axes, units and price ranges, colours, brands and adjectives in English, French and German.
 */
export interface Tr {
  en: string;
  fr: string;
  de: string;
}

export type WeightUnit = 'g' | 'kg' | 'lb';
export type LengthUnit = 'cm' | 'mm' | 'in';

export interface ProductType {
  code: string;
  /** SKU prefix. */
  prefix: string;
  name: Tr;
  colors: boolean;
  sizes: readonly string[] | null;
  weight: { unit: WeightUnit; min: number; max: number; decimals: number };
  dims: { unit: LengthUnit; min: number; max: number; decimals: number } | null;
  price: [number, number];
}

export interface ProductLine {
  code: string;
  name: Tr;
  types: ProductType[];
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
const SHOE_SIZES = ['38', '39', '40', '41', '42', '43', '44', '45', '46'] as const;

export const PRODUCT_LINES: ProductLine[] = [
  {
    code: 'apparel',
    name: { en: 'Apparel', fr: 'Vêtements', de: 'Bekleidung' },
    types: [
      { code: 'tshirt', prefix: 'TSH', name: { en: 'T-shirt', fr: 'T-shirt', de: 'T-Shirt' }, colors: true, sizes: APPAREL_SIZES, weight: { unit: 'g', min: 140, max: 260, decimals: 0 }, dims: null, price: [990, 3990] },
      { code: 'hoodie', prefix: 'HOO', name: { en: 'Hoodie', fr: 'Sweat à capuche', de: 'Kapuzenpullover' }, colors: true, sizes: APPAREL_SIZES, weight: { unit: 'g', min: 450, max: 800, decimals: 0 }, dims: null, price: [3490, 8990] },
      { code: 'jacket', prefix: 'JAC', name: { en: 'Jacket', fr: 'Veste', de: 'Jacke' }, colors: true, sizes: APPAREL_SIZES, weight: { unit: 'kg', min: 40, max: 180, decimals: 2 }, dims: null, price: [7990, 24990] },
    ],
  },
  {
    code: 'footwear',
    name: { en: 'Footwear', fr: 'Chaussures', de: 'Schuhe' },
    types: [
      { code: 'sneaker', prefix: 'SNK', name: { en: 'Sneaker', fr: 'Basket', de: 'Sneaker' }, colors: true, sizes: SHOE_SIZES, weight: { unit: 'g', min: 600, max: 1100, decimals: 0 }, dims: null, price: [4990, 14990] },
      { code: 'boot', prefix: 'BOO', name: { en: 'Boot', fr: 'Botte', de: 'Stiefel' }, colors: true, sizes: SHOE_SIZES, weight: { unit: 'kg', min: 90, max: 220, decimals: 2 }, dims: null, price: [8990, 21990] },
    ],
  },
  {
    code: 'furniture',
    name: { en: 'Furniture', fr: 'Mobilier', de: 'Möbel' },
    types: [
      { code: 'chair', prefix: 'CHR', name: { en: 'Chair', fr: 'Chaise', de: 'Stuhl' }, colors: true, sizes: null, weight: { unit: 'kg', min: 250, max: 1200, decimals: 2 }, dims: { unit: 'cm', min: 400, max: 1100, decimals: 1 }, price: [4990, 39990] },
      { code: 'desk', prefix: 'DSK', name: { en: 'Desk', fr: 'Bureau', de: 'Schreibtisch' }, colors: true, sizes: ['120', '140', '160', '180'], weight: { unit: 'kg', min: 1500, max: 4500, decimals: 2 }, dims: { unit: 'cm', min: 600, max: 1800, decimals: 1 }, price: [14990, 89990] },
      { code: 'shelf', prefix: 'SHF', name: { en: 'Shelf', fr: 'Étagère', de: 'Regal' }, colors: true, sizes: ['S', 'M', 'L'], weight: { unit: 'kg', min: 500, max: 3000, decimals: 2 }, dims: { unit: 'cm', min: 300, max: 2000, decimals: 1 }, price: [2990, 29990] },
    ],
  },
  {
    code: 'kitchen',
    name: { en: 'Kitchen', fr: 'Cuisine', de: 'Küche' },
    types: [
      { code: 'frying_pan', prefix: 'PAN', name: { en: 'Frying pan', fr: 'Poêle', de: 'Bratpfanne' }, colors: false, sizes: ['20', '24', '28', '32'], weight: { unit: 'kg', min: 60, max: 250, decimals: 2 }, dims: { unit: 'cm', min: 200, max: 550, decimals: 1 }, price: [1990, 12990] },
      { code: 'knife', prefix: 'KNF', name: { en: 'Kitchen knife', fr: 'Couteau de cuisine', de: 'Küchenmesser' }, colors: false, sizes: ['15', '20', '25'], weight: { unit: 'g', min: 90, max: 320, decimals: 0 }, dims: { unit: 'mm', min: 2500, max: 4000, decimals: 0 }, price: [1490, 19990] },
    ],
  },
  {
    code: 'hardware',
    name: { en: 'Hardware', fr: 'Quincaillerie', de: 'Eisenwaren' },
    types: [
      { code: 'screw_set', prefix: 'SCR', name: { en: 'Screw set', fr: 'Lot de vis', de: 'Schraubenset' }, colors: false, sizes: ['3x16', '4x30', '5x50', '6x80'], weight: { unit: 'g', min: 100, max: 1500, decimals: 1 }, dims: { unit: 'mm', min: 160, max: 800, decimals: 1 }, price: [290, 2990] },
      { code: 'drill_bit', prefix: 'DRB', name: { en: 'Drill bit', fr: 'Foret', de: 'Bohrer' }, colors: false, sizes: ['3', '4', '5', '6', '8', '10', '12'], weight: { unit: 'g', min: 5, max: 120, decimals: 1 }, dims: { unit: 'mm', min: 600, max: 2000, decimals: 1 }, price: [190, 2490] },
    ],
  },
  {
    code: 'outdoor',
    name: { en: 'Outdoor', fr: 'Plein air', de: 'Outdoor' },
    types: [
      { code: 'tent', prefix: 'TNT', name: { en: 'Tent', fr: 'Tente', de: 'Zelt' }, colors: true, sizes: ['1P', '2P', '3P', '4P'], weight: { unit: 'lb', min: 200, max: 1400, decimals: 2 }, dims: { unit: 'in', min: 120, max: 1000, decimals: 2 }, price: [8990, 59990] },
      { code: 'backpack', prefix: 'BPK', name: { en: 'Backpack', fr: 'Sac à dos', de: 'Rucksack' }, colors: true, sizes: ['20L', '30L', '45L', '65L'], weight: { unit: 'lb', min: 80, max: 450, decimals: 2 }, dims: { unit: 'in', min: 600, max: 3000, decimals: 2 }, price: [3990, 27990] },
    ],
  },
];

export const COLORS: { code: string; name: Tr }[] = [
  { code: 'black', name: { en: 'Black', fr: 'Noir', de: 'Schwarz' } },
  { code: 'white', name: { en: 'White', fr: 'Blanc', de: 'Weiß' } },
  { code: 'red', name: { en: 'Red', fr: 'Rouge', de: 'Rot' } },
  { code: 'blue', name: { en: 'Blue', fr: 'Bleu', de: 'Blau' } },
  { code: 'navy', name: { en: 'Navy', fr: 'Bleu marine', de: 'Marineblau' } },
  { code: 'green', name: { en: 'Green', fr: 'Vert', de: 'Grün' } },
  { code: 'grey', name: { en: 'Grey', fr: 'Gris', de: 'Grau' } },
  { code: 'beige', name: { en: 'Beige', fr: 'Beige', de: 'Beige' } },
  { code: 'yellow', name: { en: 'Yellow', fr: 'Jaune', de: 'Gelb' } },
  { code: 'orange', name: { en: 'Orange', fr: 'Orange', de: 'Orange' } },
  { code: 'oak', name: { en: 'Oak', fr: 'Chêne', de: 'Eiche' } },
  { code: 'walnut', name: { en: 'Walnut', fr: 'Noyer', de: 'Nussbaum' } },
];

export const ADJECTIVES: Tr[] = [
  { en: 'Classic', fr: 'classique', de: 'Klassik' },
  { en: 'Urban', fr: 'urbain', de: 'Urban' },
  { en: 'Comfort', fr: 'confort', de: 'Komfort' },
  { en: 'Eco', fr: 'éco', de: 'Öko' },
  { en: 'Light', fr: 'léger', de: 'Leicht' },
  { en: 'Premium', fr: 'premium', de: 'Premium' },
  { en: 'Heritage', fr: 'héritage', de: 'Heritage' },
  { en: 'Pro', fr: 'pro', de: 'Profi' },
  { en: 'Compact', fr: 'compact', de: 'Kompakt' },
  { en: 'Nordic', fr: 'nordique', de: 'Nordisch' },
];

export const BRANDS = ['Alder & Finch', 'Bergholm', 'Cascade', 'Dunmore', 'Estrela', 'Fjordline', 'Granite Co.', 'Halvard', 'Isola', 'Juniper'];

export const MATERIALS: Tr[] = [
  { en: 'organic cotton', fr: 'coton biologique', de: 'Bio-Baumwolle' },
  { en: 'recycled polyester', fr: 'polyester recyclé', de: 'recyceltem Polyester' },
  { en: 'solid wood', fr: 'bois massif', de: 'Massivholz' },
  { en: 'stainless steel', fr: 'acier inoxydable', de: 'Edelstahl' },
  { en: 'aluminium', fr: 'aluminium', de: 'Aluminium' },
  { en: 'full-grain leather', fr: 'cuir pleine fleur', de: 'Vollnarbenleder' },
];

export const USES: Tr[] = [
  { en: 'everyday use', fr: 'un usage quotidien', de: 'den täglichen Gebrauch' },
  { en: 'demanding professionals', fr: 'les professionnels exigeants', de: 'anspruchsvolle Profis' },
  { en: 'weekend adventures', fr: 'les aventures du week-end', de: 'Wochenendabenteuer' },
  { en: 'small spaces', fr: 'les petits espaces', de: 'kleine Räume' },
];
