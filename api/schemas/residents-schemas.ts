import { Type, type Static } from '@sinclair/typebox';
import { Nullable, NullableDateTime, StringEnum } from './common-schemas.js';
import { PhoneText } from './places-schemas.js';

/** Residents and contacts of a household (issue 17). */
export const ResidentParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
export type ResidentParams = Static<typeof ResidentParams>;

const residentFields = {
  gender: Type.Optional(Nullable(StringEnum(['female', 'male'] as const))),
  birthYear: Type.Optional(Nullable(Type.Integer({ minimum: 1900, maximum: 2100 }))),
  phone: Type.Optional(Nullable(PhoneText)),
  idNumber: Type.Optional(Nullable(Type.String({ minLength: 15, maxLength: 18, pattern: '^[0-9]{15}([0-9]{2}[0-9Xx])?$' }))),
  conditions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 30, description: 'Health conditions (身体状况)' })),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'Care notes (照护说明)' }))),
};
const Name = Type.String({ minLength: 1, maxLength: 64 });

export const CreateResidentBody = Type.Object({ name: Name, ...residentFields }, { additionalProperties: false });
export type CreateResidentBody = Static<typeof CreateResidentBody>;
export const PatchResidentBody = Type.Object({ name: Type.Optional(Name), ...residentFields }, { additionalProperties: false, minProperties: 1 });
export type PatchResidentBody = Static<typeof PatchResidentBody>;
export const ResidentRecordSchema = Type.Object({
  id: Type.Integer(), householdId: Type.String(), name: Type.String(), gender: Nullable(Type.String()), birthYear: Nullable(Type.Integer()),
  phone: Nullable(Type.String()), idNumber: Nullable(Type.String()), conditions: Type.Array(Type.String()), notes: Nullable(Type.String()), retiredAt: NullableDateTime,
});

const contactFields = {
  relation: Type.String({ minLength: 1, maxLength: 32, description: 'son, 女儿, 邻居…' }),
  phone: PhoneText,
  priority: Type.Integer({ minimum: 1, maximum: 99, description: 'Order to call in (1 first); default: after the others' }),
};
export const CreateContactBody = Type.Object({ name: Name, relation: contactFields.relation, phone: contactFields.phone, priority: Type.Optional(contactFields.priority) }, { additionalProperties: false });
export type CreateContactBody = Static<typeof CreateContactBody>;
export const PatchContactBody = Type.Object({
  name: Type.Optional(Name), relation: Type.Optional(contactFields.relation), phone: Type.Optional(contactFields.phone), priority: Type.Optional(contactFields.priority),
}, { additionalProperties: false, minProperties: 1 });
export type PatchContactBody = Static<typeof PatchContactBody>;
export const ContactRecordSchema = Type.Object({
  id: Type.Integer(), householdId: Type.String(), name: Type.String(), relation: Type.String(), phone: Type.String(), priority: Type.Integer(),
});
