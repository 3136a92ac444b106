#!/usr/bin/python3
"""Seed a freshly initialised Tryton 6.0 database with Ferry's test catalogue.

Run with Debian's interpreter (pyenv's python3 cannot import trytond):

    /usr/bin/python3 scripts/tryton/seed.py --config trytond.conf --database erp \
        [--seed catalogue|none] [--variants N] [--adventureworks DIR]

It works in-process through the trytond ORM (no server needed) and prints one JSON
object with what it created. The catalogue is *generated* from small vocabularies
with a fixed random seed, so it is the same on every machine:

- a category tree (three levels) with de/fr names,
- attributes `color`, `size` (selections with translated labels; sizes keep the same
  label in every language on purpose: a real translation equal to the source text),
  `material` (char), `waterproof` (boolean), `capacity` (numeric),
- templates with several variants (color x size), list prices with 4 decimals,
  weights in kg, g and lb and dimensions in cm, m and in,
- translations in de and fr (es is left untranslated: Tryton silently falls back),
  with a few templates translated into fr only,
- an archived variant, a service, EAN identifiers,
- variants that were never edited (write_date NULL), and one template edited in a
  later transaction than its variants (its variants' write_date stays old).

`--variants N` keeps generating templates until at least N variants exist (benchmarks).
"""
import argparse
import csv
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal

parser = argparse.ArgumentParser()
parser.add_argument('--config', required=True)
parser.add_argument('--database', required=True)
parser.add_argument('--seed', default='catalogue', choices=['catalogue', 'none'])
parser.add_argument('--variants', type=int, default=0)
parser.add_argument('--adventureworks', default=None)
args = parser.parse_args()

from trytond.config import config  # noqa: E402

config.update_etc(args.config)

from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402

DB = args.database
Pool.start()
pool = Pool(DB)
pool.init()

rng = random.Random(20240611)
summary = {'templates': 0, 'variants': 0, 'categories': 0, 'attributes': 0}

# ---------------------------------------------------------------- vocabularies
# (code, en, de, fr)
COLORS = [
    ('black', 'Black', 'Schwarz', 'Noir'),
    ('white', 'White', 'Weiß', 'Blanc'),
    ('red', 'Red', 'Rot', 'Rouge'),
    ('blue', 'Blue', 'Blau', 'Bleu'),
    ('green', 'Green', 'Grün', 'Vert'),
    ('grey', 'Grey', 'Grau', 'Gris'),
]
# Size labels are identical in every language: real translations equal to the source.
SIZES = [('xs', 'XS'), ('s', 'S'), ('m', 'M'), ('l', 'L'), ('xl', 'XL')]
ADJECTIVES = [
    ('Classic', 'Klassisch', 'Classique'),
    ('Trail', 'Trail', 'Trail'),
    ('Urban', 'Urban', 'Urbain'),
    ('Alpine', 'Alpin', 'Alpin'),
    ('Coastal', 'Küsten', 'Côtier'),
    ('Nordic', 'Nordisch', 'Nordique'),
    ('Summit', 'Gipfel', 'Sommet'),
    ('Meadow', 'Wiesen', 'Prairie'),
]
MATERIALS = ['cotton', 'merino', 'polyester', 'nylon', 'aluminium', 'steel']

# Category tree: (key, parent key, en, de, fr)
CATEGORIES = [
    ('apparel', None, 'Apparel', 'Bekleidung', 'Vêtements'),
    ('tshirts', 'apparel', 'T-Shirts', 'T-Shirts', 'T-shirts'),
    ('jackets', 'apparel', 'Jackets', 'Jacken', 'Vestes'),
    ('outdoor', None, 'Outdoor', 'Outdoor', 'Plein air'),
    ('camping', 'outdoor', 'Camping', 'Camping', 'Camping'),
    ('tents', 'camping', 'Tents', 'Zelte', 'Tentes'),
    ('backpacks', 'outdoor', 'Backpacks', 'Rucksäcke', 'Sacs à dos'),
    ('kitchen', None, 'Kitchen', 'Küche', 'Cuisine'),
    ('cookware', 'kitchen', 'Cookware', 'Kochgeschirr', 'Batterie de cuisine'),
    ('services', None, 'Services', 'Dienstleistungen', 'Services'),
]

# Product lines: what a template of the line looks like. Units vary on purpose.
LINES = [
    dict(prefix='TS', noun=('T-Shirt', 'T-Shirt', 'T-shirt'), category='tshirts',
         axes=('color', 'size'), weight=('g', 150, 220, 0), dims=None,
         price=(12, 30), material=True),
    dict(prefix='JK', noun=('Jacket', 'Jacke', 'Veste'), category='jackets',
         axes=('color', 'size'), weight=('kg', 0.6, 1.4, 2), dims=None,
         price=(89, 240), material=True, waterproof=True),
    dict(prefix='TN', noun=('Tent', 'Zelt', 'Tente'), category='tents',
         axes=('color',), weight=('lb', 3, 12, 2), dims=('in', 60, 110, 1),
         price=(149, 499), waterproof=True),
    dict(prefix='BP', noun=('Backpack', 'Rucksack', 'Sac à dos'), category='backpacks',
         axes=('color',), weight=('kg', 0.8, 2.2, 2), dims=('cm', 30, 75, 1),
         price=(59, 189), capacity=True),
    dict(prefix='CP', noun=('Saucepan', 'Kochtopf', 'Casserole'), category='cookware',
         axes=('size',), weight=('g', 600, 1800, 0), dims=('m', 0.14, 0.32, 2),
         price=(24, 99), material=True, capacity=True),
]


def rounded(low, high, digits):
    value = rng.uniform(low, high)
    return round(value, digits) if digits else float(int(value))


def ean13(number):
    digits = '%012d' % number
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def with_language(lang):
    return Transaction().set_context(language=lang)


# ---------------------------------------------------------------- company
def setup_company():
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    eur, = Currency.create([{
        'name': 'Euro', 'code': 'EUR', 'symbol': '€',
        'rounding': Decimal('0.01'), 'digits': 2}])
    party, = Party.create([{'name': 'Ferry Outfitters GmbH'}])
    company, = Company.create([{'party': party.id, 'currency': eur.id}])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})
    return company


# ---------------------------------------------------------------- structure
_uoms = {}


def uom(symbol):
    if symbol not in _uoms:
        Uom = pool.get('product.uom')
        _uoms[symbol], = Uom.search([('symbol', '=', symbol)])
    return _uoms[symbol]


def create_categories():
    Category = pool.get('product.category')
    by_key = {}
    for key, parent, en, de, fr in CATEGORIES:
        values = {'name': en}
        if parent:
            values['parent'] = by_key[parent].id
        record, = Category.create([values])
        by_key[key] = record
    for lang, col in (('de', 3), ('fr', 4)):
        with with_language(lang):
            args_ = []
            for row in CATEGORIES:
                args_ += [[Category(by_key[row[0]].id)], {'name': row[col]}]
            Category.write(*args_)
    summary['categories'] = len(by_key)
    return by_key


def create_attributes():
    Attribute = pool.get('product.attribute')
    AttributeSet = pool.get('product.attribute.set')
    specs = [
        ('color', 'selection', ('Color', 'Farbe', 'Couleur'),
         [(c[0], c[1], c[2], c[3]) for c in COLORS]),
        ('size', 'selection', ('Size', 'Größe', 'Taille'),
         [(s[0], s[1], s[1], s[1]) for s in SIZES]),
        ('material', 'char', ('Material', 'Material', 'Matière'), None),
        ('waterproof', 'boolean', ('Waterproof', 'Wasserdicht', 'Imperméable'), None),
        ('capacity', 'numeric', ('Capacity (l)', 'Fassungsvermögen (l)', 'Capacité (l)'), None),
    ]
    records = {}
    for name, type_, labels, selection in specs:
        values = {'name': name, 'type_': type_, 'string': labels[0]}
        if selection:
            values['selection'] = '\n'.join('%s:%s' % (s[0], s[1]) for s in selection)
        if type_ == 'numeric':
            values['digits'] = 1
        record, = Attribute.create([values])
        records[name] = record
    for lang, col in (('de', 1), ('fr', 2)):
        with with_language(lang):
            for name, type_, labels, selection in specs:
                values = {'string': labels[col]}
                if selection:
                    values['selection'] = '\n'.join(
                        '%s:%s' % (s[0], s[col + 1]) for s in selection)
                Attribute.write([Attribute(records[name].id)], values)
    attribute_set, = AttributeSet.create([{
        'name': 'Catalogue',
        'attributes': [('add', [r.id for r in records.values()])]}])
    summary['attributes'] = len(records)
    return records, attribute_set


# ---------------------------------------------------------------- templates
def build_catalogue(company, categories, attribute_set, min_variants):
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    unit = uom('u')
    template_values, variant_plans, translations = [], [], []
    serial = 0
    ean_base = 400638000000
    total_variants = 0
    round_ = 0
    while True:
        for adjective_index, adjective in enumerate(ADJECTIVES):
            for line_index, line in enumerate(LINES):
                serial += 1
                code = '%s-%s%s' % (line['prefix'], adjective[0][:3].upper(),
                    '' if round_ == 0 else '%03d' % round_)
                names = tuple('%s %s' % (a, n) if round_ == 0 else '%s %s %d' % (a, n, round_ + 1)
                    for a, n in zip(adjective, line['noun']))
                values = {
                    'name': names[0], 'code': code, 'type': 'goods',
                    'default_uom': unit.id, 'attribute_set': attribute_set.id,
                    'categories': [('add', [categories[line['category']].id])],
                    # Exact decimals with all four of Tryton's price digits in use.
                    'list_price': Decimal(str(rng.randint(*line['price']))) + Decimal(rng.choice(['0.9900', '0.5000', '0.1234', '0'])),
                }
                w_unit, w_low, w_high, w_digits = line['weight']
                values.update(weight=rounded(w_low, w_high, w_digits), weight_uom=uom(w_unit).id)
                if line['dims']:
                    d_unit, d_low, d_high, d_digits = line['dims']
                    for dim in ('length', 'width', 'height'):
                        values[dim] = rounded(d_low, d_high, d_digits)
                        values[dim + '_uom'] = uom(d_unit).id
                template_values.append(values)
                # Which languages get a translation: most get de+fr; every
                # seventh template fr only (de falls back silently).
                langs = ['fr'] if serial % 7 == 0 else ['de', 'fr']
                translations.append((names, langs))
                axes = [COLORS[:4] if 'color' in line['axes'] else [None],
                        SIZES[1:5] if 'size' in line['axes'] else [None]]
                plan = []
                for color in axes[0]:
                    for size in axes[1]:
                        attributes = {}
                        suffix = []
                        if color:
                            attributes['color'] = color[0]
                            suffix.append(color[0][:3].upper())
                        if size:
                            attributes['size'] = size[0]
                            suffix.append(size[1])
                        if line.get('material'):
                            attributes['material'] = rng.choice(MATERIALS)
                        if line.get('waterproof'):
                            attributes['waterproof'] = rng.random() < 0.5
                        if line.get('capacity'):
                            attributes['capacity'] = str(Decimal(rng.randint(5, 650)) / 10)
                        ean_base += 1
                        plan.append({
                            'suffix_code': '-' + '-'.join(suffix) if suffix else '-STD',
                            'attributes': attributes,
                            'identifiers': [('create', [{'type': 'ean', 'code': ean13(ean_base)}])],
                            'color': color, 'size': size,
                        })
                variant_plans.append(plan)
                total_variants += len(plan)
                if min_variants and total_variants >= min_variants:
                    break
            if min_variants and total_variants >= min_variants:
                break
        round_ += 1
        if total_variants >= min_variants:
            break

    with Transaction().set_context(company=company.id, default_products=False):
        templates = Template.create(template_values)
    product_values = []
    owners = []
    for template, plan, (names, langs) in zip(templates, variant_plans, translations):
        for variant in plan:
            values = {k: v for k, v in variant.items() if k not in ('color', 'size')}
            values['template'] = template.id
            product_values.append(values)
            owners.append((template, variant, names, langs))
    products = Product.create(product_values)

    # Translations are stored the way Tryton's Translation.set_ids stores them (one
    # ir.translation row per record, field and language, src = the source text), but
    # created in one bulk call: set_ids per record is quadratic on 10,000 variants.
    Translation = pool.get('ir.translation')
    rows = []
    for template, (names, langs) in zip(templates, translations):
        for lang, col in (('en', 0), ('de', 1), ('fr', 2)):
            if lang == 'en' or lang in langs:
                rows.append({'name': 'product.template,name', 'lang': lang, 'type': 'model',
                    'res_id': template.id, 'src': names[0], 'value': names[col], 'fuzzy': False})
    # Variant descriptions for color variants of T-shirts and jackets only.
    Product_ = pool.get('product.product')
    descriptions = []
    for product, (template, variant, names, langs) in zip(products, owners):
        if not (template.code.startswith(('TS-', 'JK-')) and variant['color']):
            continue
        size = variant['size'][1] if variant['size'] else ''
        texts = {
            'en': '%s in %s, size %s.' % (names[0], variant['color'][1].lower(), size),
            'de': '%s in %s, Größe %s.' % (names[1], variant['color'][2], size),
            'fr': '%s en %s, taille %s.' % (names[2], variant['color'][3].lower(), size),
        }
        descriptions.append((product.id, texts['en']))
        for lang in ['en'] + langs:
            rows.append({'name': 'product.product,description', 'lang': lang, 'type': 'model',
                'res_id': product.id, 'src': texts['en'], 'value': texts[lang], 'fuzzy': False})
    # The source text lives in the record's own column; written in one SQL update per
    # record would bump write_date, which these never-edited variants must not have.
    cursor = Transaction().connection.cursor()
    table = Product_.__table__()
    for product_id, text in descriptions:
        cursor.execute(*table.update([table.description], [text], where=table.id == product_id))
    Translation.create(rows)
    Translation._translation_cache.clear()
    summary['templates'] += len(templates)
    summary['variants'] += len(products)
    return templates, products


def create_service(company, categories):
    Template = pool.get('product.template')
    with Transaction().set_context(company=company.id):
        template, = Template.create([{
            'name': 'Bike Repair Hour', 'code': 'SRV-REPAIR', 'type': 'service',
            'default_uom': uom('h').id, 'list_price': Decimal('65.0000'),
            'categories': [('add', [categories['services'].id])],
            'products': [('create', [{'suffix_code': ''}])],
        }])
    summary['templates'] += 1
    summary['variants'] += 1
    return template


def archive_one(products):
    Product = pool.get('product.product')
    target = next(p for p in products if p.code.startswith('JK-') and p.code.endswith('-S'))
    Product.write([target], {'active': False})
    summary['archived'] = target.code


def edit_template_after_variants(templates):
    Template = pool.get('product.template')
    target = next(t for t in templates if t.code.startswith('TN-'))
    Template.write([Template(target.id)], {'weight': round(target.weight + 0.5, 2)})
    summary['editedTemplate'] = target.code


def load_adventureworks(directory, company):
    """AdventureWorks finished goods (header-less TSV, see COLUMNS.txt beside the data):
    one template per ProductModel, one variant per Product, colours and sizes as the
    selection attributes aw_color / aw_size, weights in lb or g, list prices, the
    category tree under an "AdventureWorks" root, and the model descriptions in en and fr
    as variant descriptions (ar, he, th and zh are not loaded: Tryton 6.0 lacks ar/he/th)."""
    Template = pool.get('product.template')
    Category = pool.get('product.category')
    Attribute = pool.get('product.attribute')
    Translation = pool.get('ir.translation')
    Product = pool.get('product.product')
    unit = uom('u')
    csv.field_size_limit(10 ** 8)

    def rows(name, **fmt):
        with open(os.path.join(directory, name), encoding='utf-8-sig', newline='') as handle:
            for row in csv.reader(handle, **(fmt or {'delimiter': '\t', 'quotechar': '"'})):
                if row:
                    yield [c.strip() for c in row]

    def int_id(text):
        return text.split('.')[0] if text else ''

    def slug(text):
        return ''.join(c if c.isalnum() else '_' for c in text.lower()).strip('_')

    root, = Category.create([{'name': 'AdventureWorks'}])
    top = {}
    for row in rows('ProductCategory.csv'):
        top[int_id(row[0])], = Category.create([{'name': row[1], 'parent': root.id}])
    subcategories = {}
    for row in rows('ProductSubcategory.csv'):
        parent = top.get(int_id(row[1]), root)
        subcategories[int_id(row[0])], = Category.create([{'name': row[2], 'parent': parent.id}])
    # ProductModel.csv is comma-separated with ^-quoted XML fields.
    models = {int_id(r[0]): r[1] for r in rows('ProductModel.csv', delimiter=',', quotechar='^') if len(r) > 1}
    texts = {int_id(r[0]): r[1] for r in rows('ProductDescription.csv') if len(r) > 1}
    descriptions = {}
    for row in rows('ProductModelProductDescriptionCulture.csv'):
        if row[2] in ('en', 'fr') and int_id(row[1]) in texts:
            descriptions.setdefault(int_id(row[0]), {})[row[2]] = texts[int_id(row[1])]

    groups = {}
    for row in rows('Product.csv'):
        if len(row) < 20 or row[4] != '1' or not int_id(row[19]):
            continue  # finished goods with a model only
        groups.setdefault(int_id(row[19]), []).append(row)
    colors = sorted({r[5] for g in groups.values() for r in g if r[5]})
    sizes = sorted({r[10] for g in groups.values() for r in g if r[10]}, key=lambda s: (not s.isdigit(), s.zfill(4)))
    for name, label, values in (('aw_color', 'Color (AW)', colors), ('aw_size', 'Size (AW)', sizes)):
        Attribute.create([{'name': name, 'type_': 'selection', 'string': label,
            'selection': '\n'.join('%s:%s' % (slug(v), v) for v in values)}])

    values = []
    plans = []
    for model, items in sorted(groups.items(), key=lambda kv: int(kv[0])):
        numbers = [r[2] for r in items]
        prefix = os.path.commonprefix(numbers)
        if len(items) == 1 or '-' not in prefix:
            prefix = numbers[0].rsplit('-', 1)[0] if len(items) > 1 else numbers[0]
        prefix = prefix.rstrip('-') if len(items) > 1 else prefix
        first = items[0]
        template = {
            'name': models.get(model, first[1]), 'code': prefix, 'type': 'goods',
            'default_uom': unit.id, 'list_price': Decimal(first[9] or '0'),
        }
        sub = int_id(first[18])
        if sub in subcategories:
            template['categories'] = [('add', [subcategories[sub].id])]
        weight_unit = first[12].lower()
        if first[13] and weight_unit in ('lb', 'g') and float(first[13]) > 0:
            template['weight'] = round(float(first[13]), 2)
            template['weight_uom'] = uom(weight_unit).id
        values.append(template)
        plans.append((model, prefix, items))
    with Transaction().set_context(company=company.id, default_products=False):
        created = Template.create(values)
    product_values, owners = [], []
    for template, (model, prefix, items) in zip(created, plans):
        for r in items:
            attributes = {}
            if r[5]:
                attributes['aw_color'] = slug(r[5])
            if r[10]:
                attributes['aw_size'] = slug(r[10])
            product_values.append({'template': template.id, 'suffix_code': r[2][len(prefix):],
                'attributes': attributes})
            owners.append(model)
    products = Product.create(product_values)
    cursor = Transaction().connection.cursor()
    table = Product.__table__()
    rows_ = []
    for product, model in zip(products, owners):
        texts_ = descriptions.get(model, {})
        if 'en' not in texts_:
            continue
        cursor.execute(*table.update([table.description], [texts_['en']], where=table.id == product.id))
        for lang, text in texts_.items():
            rows_.append({'name': 'product.product,description', 'lang': lang, 'type': 'model',
                'res_id': product.id, 'src': texts_['en'], 'value': text, 'fuzzy': False})
    Translation.create(rows_)
    Translation._translation_cache.clear()
    summary['adventureworks'] = {'templates': len(created), 'variants': len(products)}


def main():
    started = time.time()
    with Transaction().start(DB, 0, context={'language': 'en'}) as transaction:
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        transaction.commit()
    with Transaction().start(DB, admin.id, context={'language': 'en'}) as transaction:
        company = setup_company()
        if args.seed == 'none':
            transaction.commit()
            summary['company'] = company.id
            return
        categories = create_categories()
        _, attribute_set = create_attributes()
        templates, products = build_catalogue(company, categories, attribute_set, args.variants)
        create_service(company, categories)
        if args.adventureworks and os.path.isdir(args.adventureworks):
            load_adventureworks(args.adventureworks, company)
        transaction.commit()
        company_id = company.id
        template_ids = [t.id for t in templates]
        product_ids = [p.id for p in products]
    # Later transactions: their timestamps are strictly after the creation's.
    time.sleep(0.05)
    with Transaction().start(DB, admin.id, context={'language': 'en'}) as transaction:
        Product = pool.get('product.product')
        archive_one(Product.browse(product_ids))
        transaction.commit()
    time.sleep(0.05)
    with Transaction().start(DB, admin.id, context={'language': 'en', 'company': company_id}) as transaction:
        Template = pool.get('product.template')
        edit_template_after_variants(Template.browse(template_ids))
        transaction.commit()
    summary['company'] = company_id
    summary['seconds'] = round(time.time() - started, 2)


main()
json.dump(summary, sys.stdout)
sys.stdout.write('\n')
