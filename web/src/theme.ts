/**
 * The Console's look: Mantine themed to sit next to Akeneo PIM — its purple, the Lato font,
 * its dark-blue text and its 10 / 20 / 40 px rhythm. Colours are chosen for contrast
 * (white on the primary purple is 5:1, grey text on white 4.6:1) so the axe scans stay clean.
 */
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/** Akeneo's purple (#9452ba) at index 6, lighter tints before, darker shades after. */
const akeneoPurple: MantineColorsTuple = [
  '#f6eff9', '#ebdcf2', '#d8bde7', '#c49cdb', '#b07ecf', '#a16bc5', '#9452ba', '#7e3fa3', '#6b3189', '#52267d',
];

/** Akeneo's dark blue-grey for text and borders (grey140 is #11324d). */
const akeneoGrey: MantineColorsTuple = [
  '#f6f7fb', '#f0f1f3', '#e8ebee', '#d9dde2', '#c7cbd4', '#a1a9b7', '#67768a', '#4f5d70', '#11324d', '#0b2236',
];

/** Dark status tones that keep 4.5:1 on white even in small bold badge text. */
const tone = (dark: string, light: string): MantineColorsTuple => [light, light, light, light, light, dark, dark, dark, dark, dark];
const ok = tone('#1e6f32', '#e6f4ea');
const warn = tone('#a14f00', '#fdf0e1');
const bad = tone('#b02a1e', '#fbe9e7');

export const brand = {
  text: '#11324d',
  muted: '#5e6b7e',
  purple: '#9452ba',
  border: '#c7cbd4',
  background: '#f6f7fb',
} as const;

export const theme = createTheme({
  primaryColor: 'akeneo',
  primaryShade: 6,
  colors: { akeneo: akeneoPurple, dark: akeneoGrey, ok, warn, bad },
  black: brand.text,
  fontFamily: 'Lato, "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'Lato, "Helvetica Neue", Arial, sans-serif', fontWeight: '400' },
  fontSizes: { xs: '11px', sm: '13px', md: '15px', lg: '17px', xl: '20px' },
  spacing: { xs: '5px', sm: '10px', md: '20px', lg: '30px', xl: '40px' },
  radius: { xs: '2px', sm: '4px', md: '4px', lg: '16px', xl: '32px' },
  defaultRadius: 'sm',
  components: {
    // Akeneo's buttons are pill-shaped.
    Button: { defaultProps: { radius: 'lg' } },
    // A badge is a word or two: it never shrinks or cuts its word ("REFU…" in a narrow table cell);
    // the table scrolls sideways instead (Table.ScrollContainer).
    Badge: {
      defaultProps: { radius: 'sm', variant: 'outline' },
      styles: { root: { background: 'white', flexShrink: 0, minWidth: 'max-content', overflow: 'visible' }, label: { overflow: 'visible', textOverflow: 'clip' } },
    },
    Anchor: { defaultProps: { underline: 'always' } },
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the message' } } },
    Paper: { defaultProps: { withBorder: true, radius: 'sm', p: 'md' } },
  },
});

/** The colour of each run status, also used by the chart. */
export const statusColor: Record<string, string> = {
  succeeded: 'ok.9',
  rejects: 'warn.9',
  failed: 'bad.9',
  interrupted: 'dark.7',
  running: 'akeneo.8',
  cancelling: 'akeneo.8',
};

/** Mantine's "dimmed" grey is too light on white for WCAG AA; Akeneo's own grey passes (4.9:1). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': brand.muted, '--mantine-color-placeholder': brand.muted },
  dark: {},
});
