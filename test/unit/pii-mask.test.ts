import { describe, expect, test } from 'vitest';
import { maskAddress, maskIdNumber, maskPhone } from '../../domain/pii-mask.js';

describe('maskPhone', () => {
  test('a mainland mobile keeps its first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
  test('spaces, dashes and a country code are handled', () => {
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('+86 138-1234-5678')).toBe('+86138****5678');
  });
  test('short numbers (landline extensions) keep only the last two', () => {
    expect(maskPhone('84561234')).toBe('******34');
    expect(maskPhone('12')).toBe('**');
  });
  test('null stays null', () => {
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone(undefined)).toBeNull();
  });
  test('the masked value never contains the middle digits', () => {
    expect(maskPhone('13900001111')).not.toContain('0000');
  });
});

describe('maskIdNumber', () => {
  test('an 18-character resident ID hides the birth date', () => {
    expect(maskIdNumber('32010219450101123X')).toBe('3201**********123X');
  });
  test('short values are hidden entirely', () => {
    expect(maskIdNumber('A12345')).toBe('******');
  });
  test('null stays null', () => {
    expect(maskIdNumber(null)).toBeNull();
  });
});

describe('maskAddress', () => {
  test('keeps city, district and subdistrict; hides street and number', () => {
    expect(maskAddress('南京市鼓楼区宁海路街道芦山路18号')).toBe('南京市鼓楼区宁海路街道****');
  });
  test('province-level prefixes are kept too', () => {
    expect(maskAddress('江苏省南京市江宁区东山街道上元大街1号')).toBe('江苏省南京市江宁区东山街道****');
  });
  test('a housing estate (小区) is not a district', () => {
    expect(maskAddress('南京市鼓楼区芦山小区3栋2单元301室')).toBe('南京市鼓楼区****');
  });
  test('an address with no known area is hidden entirely', () => {
    expect(maskAddress('测试路1号')).toBe('****');
    expect(maskAddress('12 Baker Street')).toBe('****');
  });
  test('a bare area keeps as it is (nothing to hide)', () => {
    expect(maskAddress('南京市鼓楼区')).toBe('南京市鼓楼区');
  });
  test('a street name containing 市 is not mistaken for a city', () => {
    expect(maskAddress('南京市鼓楼区市府路5号')).toBe('南京市鼓楼区****');
  });
  test('null stays null', () => {
    expect(maskAddress(null)).toBeNull();
  });
});
