import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ContactList from '../components/ContactList.svelte';
import HouseholdFileScreen from '../screens/HouseholdFile.svelte';
import { session } from '../lib/session.svelte';
import type { HouseholdFile, User } from '../lib/types';

// What the API answers (api/services/households-service.ts masks for responders): the console
// renders it as given and never offers to dial a masked number.
function file(masked: boolean): HouseholdFile {
  const phone = (p: string) => (masked ? `${p.slice(0, 3)}****${p.slice(-4)}` : p);
  return {
    household: {
      id: 'h-1', unit: '1单元101室', address: masked ? '南京市建邺区****' : '南京市建邺区鹿山路18号鹿山新村1栋1单元101室',
      phone: masked ? '025****3515' : '025-57893515', livingSituation: 'alone', inactivityDayS: 21600, inactivityNightS: 43200,
      notes: null, lastActivityAt: null, createdAt: '2026-11-01T00:00:00Z', buildingId: 'b1', buildingName: '鹿山新村1栋',
      gridId: 'g1', gridName: '第1网格', communityId: 'c', communityName: '鹿山社区',
    },
    masked,
    residents: [{ id: 1, name: '韩秀芳', gender: 'female', birthYear: 1942, phone: phone('13812345678'), idNumber: null, conditions: ['高血压'], notes: null }],
    contacts: [{ id: 1, name: '李红梅', relation: '女儿', phone: phone('18827022523'), priority: 1 }],
    devices: [], alerts: [], visits: [], signals: [],
  };
}

function signIn(role: User['role']) {
  session.user = { username: role, role, displayName: null, responderId: role === 'responder' ? 'r-1' : null };
}

function serve(body: unknown) {
  const fetchMock = vi.fn(async (url: string) => {
    if (String(url).includes('/households/')) return new Response(JSON.stringify(body), { status: 200 });
    return new Response(JSON.stringify({ error: { code: 'forbidden', message: 'no' } }), { status: 403 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => { vi.unstubAllGlobals(); session.user = null; });

describe('masking per role (render what the API returns)', () => {
  it('a responder sees masked phones and address, a notice, and no tel: or map links', async () => {
    signIn('responder');
    serve(file(true));
    const { container } = render(HouseholdFileScreen, { id: 'h-1' });
    expect(await screen.findByTestId('masked-notice')).toBeTruthy();
    expect(screen.getByTestId('contact-phone').textContent).toBe('188****2523');
    expect(screen.getByTestId('resident-phone').textContent).toBe('138****5678');
    expect(screen.getByTestId('address').textContent).toBe('南京市建邺区****');
    expect(container.querySelectorAll('a[href^="tel:"]').length).toBe(0);
    expect(container.querySelector('a[href*="uri.amap.com"]')).toBeNull();
  });

  it('an operator sees full numbers with tel: links and a map link', async () => {
    signIn('operator');
    serve(file(false));
    const { container } = render(HouseholdFileScreen, { id: 'h-1' });
    expect(await screen.findByTestId('contact-phone')).toBeTruthy();
    expect(screen.queryByTestId('masked-notice')).toBeNull();
    expect(screen.getByTestId('contact-phone').textContent).toBe('18827022523');
    const tels = [...container.querySelectorAll('a[href^="tel:"]')].map((a) => a.getAttribute('href'));
    expect(tels).toContain('tel:18827022523');
    expect(tels).toContain('tel:025-57893515');
    expect(container.querySelector('a[href*="uri.amap.com"]')).not.toBeNull();
  });

  it('ContactList never dials a masked number', () => {
    const { container } = render(ContactList, { contacts: file(true).contacts, masked: true });
    expect(container.textContent).toContain('188****2523');
    expect(container.querySelector('a[href^="tel:"]')).toBeNull();
  });
});
