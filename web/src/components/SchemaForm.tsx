/**
 * A form generated from a JSON Schema (a config section's zod schema as the server converts it):
 * each property gets its input by type, its help text from the schema's description, required
 * fields marked and checked. Secret keys are write-only: a stored one shows "stored", a typed
 * value is kept apart (`typed`) and never put in the section's values.
 */
import { Accordion, JsonInput, NumberInput, PasswordInput, Select, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { choicesOf, fieldKind, isStoredSecret, labelOf, splitFields, type JsonSchema } from '../schema-form';

interface Props {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  typed: Record<string, string>;
  onType: (path: string, value: string) => void;
  errors: Record<string, string>;
  /** Key path prefix of this section in ferry.yaml (`erp`), for the inputs' names and errors. */
  prefix: string;
  /** Inside the section (nested objects). */
  path?: string;
}

function Field({ name, schema, required, props }: { name: string; schema: JsonSchema; required: boolean; props: Props }) {
  const { value, onChange, typed, onType, errors } = props;
  const path = props.path ? `${props.path}.${name}` : name;
  const full = `${props.prefix}.${path}`;
  const current = value[name];
  const set = (v: unknown) => onChange({ ...value, [name]: v });
  const common = {
    label: labelOf(name),
    description: schema.description,
    withAsterisk: required,
    error: errors[full],
    name: full,
    'data-key': full,
  };
  const kind = fieldKind(name, schema);
  switch (kind) {
    case 'secret': {
      const stored = isStoredSecret(current);
      return (
        <PasswordInput
          {...common}
          autoComplete="new-password"
          placeholder={stored ? 'stored: type a new value to replace it' : ''}
          value={typed[path] ?? (stored ? '' : typeof current === 'string' ? current : '')}
          onChange={(e) => onType(path, e.currentTarget.value)}
        />
      );
    }
    case 'text':
      return <TextInput {...common} placeholder={schema.default !== undefined ? String(schema.default) : ''} value={typeof current === 'string' ? current : current === undefined ? '' : String(current)} onChange={(e) => set(e.currentTarget.value)} />;
    case 'number':
      return (
        <NumberInput
          {...common}
          placeholder={schema.default !== undefined ? String(schema.default) : ''}
          value={typeof current === 'number' ? current : ''}
          onChange={(v) => set(typeof v === 'number' ? v : undefined)}
          {...(schema.minimum !== undefined ? { min: schema.minimum } : {})}
          {...(schema.maximum !== undefined && schema.maximum < 1e15 ? { max: schema.maximum } : {})}
        />
      );
    case 'boolean':
      return <Switch {...common} label={labelOf(name)} checked={typeof current === 'boolean' ? current : schema.default === true} onChange={(e) => set(e.currentTarget.checked)} />;
    case 'select':
      return <Select {...common} data={choicesOf(schema)} placeholder={schema.default !== undefined ? String(schema.default) : 'choose'} value={current === undefined ? null : String(current)} onChange={(v) => set(v ?? undefined)} clearable={!required} />;
    case 'list':
      return <TagsInput {...common} value={Array.isArray(current) ? current.map(String) : []} onChange={(v) => set(v)} placeholder="type and press Enter" />;
    case 'object':
      return (
        <Accordion variant="contained">
          <Accordion.Item value={name}>
            <Accordion.Control>{labelOf(name)}</Accordion.Control>
            <Accordion.Panel>
              <SchemaForm {...props} schema={schema} value={(current as Record<string, unknown>) ?? {}} onChange={(v) => set(v)} path={path} />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      );
    case 'const':
      return null;
    default:
      return (
        <JsonInput
          {...common}
          description={`${schema.description ?? ''} (JSON; the same structure as in ferry.yaml)`}
          autosize
          minRows={2}
          formatOnBlur
          defaultValue={current === undefined ? '' : JSON.stringify(current, null, 2)}
          onChange={(text) => {
            if (text.trim() === '') return set(undefined);
            try {
              set(JSON.parse(text));
            } catch {
              // Kept as typed until it parses; the save shows the problem.
            }
          }}
        />
      );
  }
}

export function SchemaForm(props: Props) {
  const { schema } = props;
  const required = new Set(schema.required ?? []);
  const { main, more } = splitFields(schema);
  const field = (key: string) => <Field key={key} name={key} schema={schema.properties![key]!} required={required.has(key)} props={props} />;
  return (
    <Stack gap="sm">
      {main.map(field)}
      {more.length > 0 && (
        <Accordion variant="separated">
          <Accordion.Item value="more">
            <Accordion.Control>More settings ({more.length})</Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">{more.map(field)}</Stack>
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      )}
    </Stack>
  );
}
