import type { Code } from './codes.ts';

/**
 * SR content items in dcmjs's naturalised form (PS3.3 C.17.3). One builder per value type, so every
 * item carries the attributes its type requires and nothing else.
 */
export type ContentItem = Record<string, unknown>;
export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'HAS ACQ CONTEXT' | 'INFERRED FROM';

export function codeItem(c: Code): Record<string, string> {
  return { CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning };
}

function item(relationship: Relationship | undefined, valueType: string, name: Code | undefined, rest: ContentItem): ContentItem {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: valueType,
    ...(name ? { ConceptNameCodeSequence: [codeItem(name)] } : {}),
    ...rest,
  };
}

export function container(relationship: Relationship | undefined, name: Code, children: ContentItem[], templateId?: string): ContentItem {
  return item(relationship, 'CONTAINER', name, {
    ContinuityOfContent: 'SEPARATE',
    ...(templateId ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }] } : {}),
    ContentSequence: children,
  });
}

export function code(relationship: Relationship, name: Code, value: Code): ContentItem {
  return item(relationship, 'CODE', name, { ConceptCodeSequence: [codeItem(value)] });
}

/** TEXT content is plain text: control characters other than tab and line breaks become spaces, so no peer mis-renders them. */
export function text(relationship: Relationship, name: Code, value: string): ContentItem {
  const clean = Array.from(value, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d ? ' ' : ch;
  }).join('');
  return item(relationship, 'TEXT', name, { TextValue: clean });
}

export function uidRef(relationship: Relationship, name: Code, uid: string): ContentItem {
  return item(relationship, 'UIDREF', name, { UID: uid });
}

/** A number with its unit: NumericValue (DS, ≤16 characters) and the exact double in FloatingPointValue. */
export function num(relationship: Relationship, name: Code, value: number, unit: Code): ContentItem {
  return item(relationship, 'NUM', name, {
    MeasuredValueSequence: [
      { NumericValue: decimalString(value), FloatingPointValue: value, MeasurementUnitsCodeSequence: [codeItem(unit)] },
    ],
  });
}

export function image(relationship: Relationship, name: Code | undefined, sopClassUid: string, sopInstanceUid: string): ContentItem {
  return item(relationship, 'IMAGE', name, {
    ReferencedSOPSequence: [{ ReferencedSOPClassUID: sopClassUid, ReferencedSOPInstanceUID: sopInstanceUid }],
  });
}

/** A DS value of at most 16 characters (PS3.5 6.2), as precise as fits. */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  for (let digits = 10; digits >= 1; digits--) {
    const s = Number(value.toPrecision(digits)).toString();
    if (s.length <= 16) return s;
  }
  return value.toExponential(6);
}
