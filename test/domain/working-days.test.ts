import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  bankHolidays,
  chaseDueOn,
  easterSunday,
  isBankHoliday,
  isDueAChase,
  isWorkingDay,
  londonDate,
  workingDaysBetween,
} from '../../src/domain/working-days.js';

const dates = (year: number) => bankHolidays(year).map((h) => h.date);

describe('bank holidays in England and Wales', () => {
  // As published on https://www.gov.uk/bank-holidays
  it('match the published 2025 list', () => {
    expect(dates(2025)).toEqual([
      '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
    ]);
  });

  it('match the published 2026 list, with Boxing Day moved to Monday 28 December', () => {
    expect(bankHolidays(2026)).toEqual([
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-04-03', name: 'Good Friday' },
      { date: '2026-04-06', name: 'Easter Monday' },
      { date: '2026-05-04', name: 'Early May bank holiday' },
      { date: '2026-05-25', name: 'Spring bank holiday' },
      { date: '2026-08-31', name: 'Summer bank holiday' },
      { date: '2026-12-25', name: 'Christmas Day' },
      { date: '2026-12-28', name: 'Boxing Day' },
    ]);
  });

  it('give substitute days when Christmas falls on a weekend', () => {
    expect(dates(2027)).toEqual([
      '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
    ]);
    // Christmas on a Sunday: Boxing Day keeps the Monday, Christmas moves to Tuesday.
    expect(dates(2022).slice(-2)).toEqual(['2022-12-26', '2022-12-27']);
    // New Year's Day on a Saturday.
    expect(dates(2022)[0]).toBe('2022-01-03');
    expect(dates(2023)[0]).toBe('2023-01-02');
  });

  it('include the one-off changes', () => {
    expect(dates(2020)).toContain('2020-05-08');
    expect(dates(2020)).not.toContain('2020-05-04');
    expect(dates(2022)).toEqual([
      '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19',
      '2022-12-26', '2022-12-27',
    ]);
    expect(dates(2023)).toEqual([
      '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25',
      '2023-12-26',
    ]);
  });

  it('compute Easter for any year', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2038)).toBe('2038-04-25');
    expect(easterSunday(2285)).toBe('2285-03-22');
    expect(dates(2100)).toHaveLength(8);
  });
});

describe('working days', () => {
  it('skip weekends and bank holidays', () => {
    expect(isWorkingDay('2025-04-17')).toBe(true);
    expect(isWorkingDay('2025-04-18')).toBe(false);
    expect(isWorkingDay('2025-04-19')).toBe(false);
    expect(isBankHoliday('2025-04-21')).toBe(true);
    // Thursday before Easter + 1 working day is the Tuesday after Easter Monday.
    expect(addWorkingDays('2025-04-17', 1)).toBe('2025-04-22');
    expect(addWorkingDays('2025-12-24', 1)).toBe('2025-12-29');
    expect(addWorkingDays('2025-03-03', 5)).toBe('2025-03-10');
    expect(addWorkingDays('2025-03-10', -5)).toBe('2025-03-03');
    expect(addWorkingDays('2025-03-08', 0)).toBe('2025-03-08');
  });

  it('count the days between two dates, the first not counted', () => {
    expect(workingDaysBetween('2025-03-03', '2025-03-10')).toBe(5);
    expect(workingDaysBetween('2025-03-10', '2025-03-03')).toBe(-5);
    expect(workingDaysBetween('2025-03-03', '2025-03-03')).toBe(0);
    expect(workingDaysBetween('2025-12-19', '2026-01-02')).toBe(7);
    for (const n of [0, 1, 5, 17, 300]) expect(workingDaysBetween('2026-05-01', addWorkingDays('2026-05-01', n))).toBe(n);
  });

  it('use the date in London for instants', () => {
    // 23:30 UTC on 31 March 2025 is already 1 April in London (BST).
    expect(londonDate('2025-03-31T23:30:00Z')).toBe('2025-04-01');
    expect(londonDate(new Date('2025-01-31T23:30:00Z'))).toBe('2025-01-31');
    expect(() => londonDate('yesterday')).toThrow(/not a date/);
    expect(() => addWorkingDays('2025-02-30', 1)).toThrow(/not a real date/);
  });
});

describe('isDueAChase', () => {
  it('is due after five working days by default, bank holidays skipped', () => {
    const sent = '2025-04-14T10:00:00Z'; // Monday before Easter
    expect(chaseDueOn(sent)).toBe('2025-04-23');
    expect(isDueAChase(sent, '2025-04-22T16:00:00Z')).toBe(false);
    expect(isDueAChase(sent, '2025-04-23T08:00:00Z')).toBe(true);
    expect(isDueAChase(sent, '2025-04-16T08:00:00Z', 2)).toBe(true);
    expect(isDueAChase(sent, new Date('2025-04-15T08:00:00Z'), 2)).toBe(false);
  });

  it('counts from the London date of a late-evening email', () => {
    // 23:30 UTC on Thursday 26 June 2025 is 00:30 on Friday in London (BST).
    expect(chaseDueOn('2025-06-26T23:30:00Z', 1)).toBe('2025-06-30');
    expect(chaseDueOn('2025-06-26T22:30:00Z', 1)).toBe('2025-06-27');
    expect(chaseDueOn('2025-06-26T20:00:00Z', 5)).toBe('2025-07-03');
  });
});
