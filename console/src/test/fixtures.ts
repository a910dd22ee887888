import type { Alert, HouseholdItem } from '../lib/types';

export const T0 = Date.parse('2026-11-24T03:00:00+08:00');

export function alert(over: Partial<Alert> & Pick<Alert, 'id'>): Alert {
  return {
    kind: 'sos', severity: 'critical', state: 'notified', householdId: 'h1', level: 0,
    firstSignalAt: new Date(T0).toISOString(), acceptedBy: null, acceptedAt: null, onSiteAt: null, closedAt: null,
    household: { unit: '1单元101室', buildingName: '鹿山新村1栋', gridName: '第1网格' },
    ...over,
  };
}

export function household(id: string, over: Partial<HouseholdItem> = {}): HouseholdItem {
  return {
    id, unit: '1单元101室', address: '南京市建邺区鹿山路18号', buildingId: 'b1', buildingName: '鹿山新村1栋',
    gridId: 'g1', gridName: '第1网格', residents: ['韩秀芳'], lastActivityAt: null, devicesOnline: 4, devicesTotal: 4, openAlerts: 0,
    ...over,
  };
}
