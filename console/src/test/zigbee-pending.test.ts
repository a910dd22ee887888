import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ZigbeePending from '../components/ZigbeePending.svelte';

/** The admin piece of issue 18: a hub's pending Zigbee devices offered, confirmed to a household. */
const offer = {
  hubId: 'z2mhub-abc', ieee: '0x00158d0001a2b3c4', friendlyName: 'bedroom_button', vendor: 'Heiman', model: 'HS1EB/HS1EB-E',
  description: 'Smart emergency button', hubHouseholdId: 'h-1', suggestedKind: 'sos_button', suggestedAck: null,
};

function serve(registerStatus = 201) {
  let pending = [offer];
  const calls: Array<{ url: string; method: string; body: unknown }> = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ url: String(url), method, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (method === 'GET') return new Response(JSON.stringify({ items: pending, total: pending.length }), { status: 200 });
    if (registerStatus !== 201) return new Response(JSON.stringify({ error: { code: 'already_registered', message: 'already registered as …' } }), { status: registerStatus });
    pending = [];
    return new Response(JSON.stringify({ deviceId: `${offer.hubId}/${offer.ieee}`, householdId: 'h-1', kind: 'sos_button', heartbeatS: 28800 }), { status: 201 });
  }));
  return calls;
}

afterEach(() => { vi.unstubAllGlobals(); });

describe('ZigbeePending', () => {
  it('offers the device with vendor and model and the suggested kind; confirming registers it by IEEE address', async () => {
    const calls = serve();
    render(ZigbeePending, { households: [] });
    expect(await screen.findByText('bedroom_button')).toBeTruthy();
    expect(screen.getByText('Heiman HS1EB/HS1EB-E')).toBeTruthy();
    expect((screen.getByRole('combobox', { name: '设备类型' }) as HTMLSelectElement).value).toBe('sos_button');
    await fireEvent.input(screen.getByRole('textbox', { name: '安装位置' }), { target: { value: '卧室' } });
    await fireEvent.click(screen.getByRole('button', { name: /确认登记/ }));
    expect(await screen.findByText(`已登记：${offer.hubId}/${offer.ieee}`)).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe(`/api/v1/hubs/${offer.hubId}/zigbee/${offer.ieee}/register`);
    expect(post.body).toEqual({ householdId: 'h-1', room: '卧室', kind: 'sos_button' });
    expect(await screen.findByText('没有待确认的 Zigbee 设备')).toBeTruthy();
  });

  it('says in words what to do when the server refuses', async () => {
    serve(409);
    render(ZigbeePending, { households: [] });
    await screen.findByText('bedroom_button');
    await fireEvent.input(screen.getByRole('textbox', { name: '安装位置' }), { target: { value: '卧室' } });
    await fireEvent.click(screen.getByRole('button', { name: /确认登记/ }));
    expect((await screen.findByRole('alert')).textContent).toBe('该设备已登记；如需重新登记请先停用原设备。');
  });
});
