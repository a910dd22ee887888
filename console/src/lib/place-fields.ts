/** A field of the register's place form (PlaceForm.svelte). */
export interface FieldSpec {
  key: string; label: string; type?: 'text' | 'number' | 'select'; required?: boolean; hint?: string;
  options?: Array<{ value: string; label: string }>; step?: string; pattern?: string;
}
