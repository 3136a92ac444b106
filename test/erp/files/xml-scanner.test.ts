import { describe, expect, it } from 'vitest';
import { XmlRecordScanner } from '../../../src/erp/files/formats/xml.js';

describe('XML record scanner: long comments and CDATA across many chunks', () => {
  it('keeps a CDATA section and a comment spanning thousands of chunks whole inside a record, with terminators split between chunks', () => {
    const body = 'x]]y]>z-->'.repeat(20_000); // terminator look-alikes everywhere, none complete
    const text = `<root>\n<!-- ${'c-'.repeat(50_000)} -->\n<item id="1"><![CDATA[${body}]]><!-- in ${'-'.repeat(5)}x --></item>\n<item id="2">b</item></root>`;
    for (const size of [1, 2, 3, 1000, 65_536]) {
      const sc = new XmlRecordScanner('item', 'f.xml');
      const got: { text: string; line: number }[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...sc.push(text.slice(i, i + size)));
      sc.end();
      expect(got.map((r) => r.line), `chunk ${size}`).toEqual([3, 4]);
      expect(got[0]!.text, `chunk ${size}`).toBe(`<item id="1"><![CDATA[${body}]]><!-- in -----x --></item>`);
      expect(got[1]!.text).toBe('<item id="2">b</item>');
    }
  });

  it('a file that ends inside a comment or CDATA is truncated', () => {
    const sc = new XmlRecordScanner('item', 'f.xml');
    sc.push(`<root><item><![CDATA[${'a'.repeat(100)}`);
    expect(() => sc.end()).toThrow(/f\.xml:1: the file ends inside a CDATA section: the XML is truncated/);
  });
});
