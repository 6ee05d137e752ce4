import { useId } from 'react';

export interface SegmentedOption<T extends string> {
  value: T;
  label: string;
  title?: string;
  testId?: string;
}

/** A row of mutually exclusive choices drawn as joined buttons: real radio inputs, so keyboard and screen readers get a radio group. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  /** What the group chooses, for assistive technology. */
  label: string;
  value: T;
  options: readonly SegmentedOption<T>[];
  onChange(value: T): void;
}) {
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend className="sr-only">{label}</legend>
      {options.map((o) => (
        <label key={o.value} className={value === o.value ? 'active' : ''} title={o.title} data-testid={o.testId}>
          <input
            type="radio"
            className="sr-only"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
