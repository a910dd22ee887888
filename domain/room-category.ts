/** What kind of room a device's free-text room is ("bathroom", "卫生间", "master_bedroom"): only the gist matters. */
export type RoomCategory = 'bedroom' | 'bathroom' | 'kitchen' | 'living' | 'entrance' | 'other';

const ROOM_PATTERNS: [RoomCategory, RegExp][] = [
  ['bathroom', /bath|toilet|wc|restroom|washroom|卫生间|浴室|厕所/i],
  ['kitchen', /kitchen|厨房/i],
  ['bedroom', /bed|卧室|睡/i],
  ['living', /living|lounge|sitting|客厅|起居/i],
  ['entrance', /entr|door|hall|porch|foyer|玄关|门/i],
];

export function roomCategory(room: string | null | undefined): RoomCategory {
  if (!room) return 'other';
  for (const [cat, re] of ROOM_PATTERNS) if (re.test(room)) return cat;
  return 'other';
}

/** Room names for explanations, zh-CN and en. */
export const ROOM_LABEL: Record<RoomCategory, { zh: string; en: string }> = {
  bedroom: { zh: '卧室', en: 'the bedroom' }, bathroom: { zh: '卫生间', en: 'the bathroom' },
  kitchen: { zh: '厨房', en: 'the kitchen' }, living: { zh: '客厅', en: 'the living room' },
  entrance: { zh: '入户门', en: 'the front door' }, other: { zh: '家中', en: 'the home' },
};
