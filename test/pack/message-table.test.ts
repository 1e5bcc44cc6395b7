import { describe, expect, it } from 'vitest';
import { EVENT_IDS, EventId } from '../../runtime-shim/logging/event-ids';
import { buildMessageTable, EVENT_MESSAGE_TEXT, eventMessageTable } from '../../src/pack/message-table';
import { parseMessageTable } from './message-table-reader';

describe('buildMessageTable', () => {
  it('groups consecutive IDs into blocks, entries right after the block headers, in ID order', () => {
    const table = buildMessageTable([
      { id: 11, text: 'eleven' },
      { id: 1, text: 'one' },
      { id: 2, text: 'two\r\n' },
      { id: 10, text: 'ten' },
      { id: 0x80000001, text: 'high' },
    ]);
    const { blocks, entries } = parseMessageTable(table);
    expect(blocks).toEqual([
      { low: 1, high: 2, offset: 4 + 3 * 12 },
      { low: 10, high: 11, offset: 4 + 3 * 12 + 12 + 16 },
      { low: 0x80000001, high: 0x80000001, offset: 4 + 3 * 12 + 12 + 16 + 16 + 16 },
    ]);
    expect(entries.map(({ id, flags, text }) => ({ id, flags, text }))).toEqual([
      { id: 1, flags: 1, text: 'one' },
      { id: 2, flags: 1, text: 'two\r\n' },
      { id: 10, flags: 1, text: 'ten' },
      { id: 11, flags: 1, text: 'eleven' },
      { id: 0x80000001, flags: 1, text: 'high' },
    ]);
    // 'one': 4 header + 8 text+NUL = 12; 'two\r\n': 4 + 12 = 16; 'eleven': 4 + 14 = 18 → 20.
    expect(entries.map((e) => e.length)).toEqual([12, 16, 12, 20, 16]);
    expect(table.length).toBe(4 + 3 * 12 + 12 + 16 + 12 + 20 + 16);
  });

  it('exact bytes of a one-message table', () => {
    expect(buildMessageTable([{ id: 7, text: '%1' }]).toString('hex')).toBe(
      [
        '01000000', // one block
        '07000000', '07000000', '10000000', // ids 7..7, entries at 16
        '0c00', '0100', // length 12, UTF-16
        '2500', '3100', '0000', '0000', // "%1", NUL, padding
      ].join(''),
    );
  });

  it('encodes non-ASCII text as UTF-16', () => {
    const { entries } = parseMessageTable(buildMessageTable([{ id: 1, text: 'Dienst gestartet ✓' }]));
    expect(entries[0]!.text).toBe('Dienst gestartet ✓');
  });

  it('an empty list is a table with no blocks', () => {
    expect(buildMessageTable([]).toString('hex')).toBe('00000000');
  });

  it('rejects duplicate IDs, non-DWORD IDs, NUL and oversized texts', () => {
    expect(() => buildMessageTable([{ id: 1, text: 'a' }, { id: 1, text: 'b' }])).toThrow(/duplicate message ID 1/);
    expect(() => buildMessageTable([{ id: -1, text: 'a' }])).toThrow(/not a DWORD/);
    expect(() => buildMessageTable([{ id: 2 ** 32, text: 'a' }])).toThrow(/not a DWORD/);
    expect(() => buildMessageTable([{ id: 1.5, text: 'a' }])).toThrow(/not a DWORD/);
    expect(() => buildMessageTable([{ id: 1, text: 'a\0b' }])).toThrow(/NUL/);
    expect(() => buildMessageTable([{ id: 1, text: 'x'.repeat(40_000) }])).toThrow(/too long/);
  });
});

describe('eventMessageTable', () => {
  it('defines every event ID as "%1" + CR LF (the text is the insertion string)', () => {
    const { blocks, entries } = parseMessageTable(eventMessageTable());
    expect(entries.map((e) => e.id)).toEqual([...EVENT_IDS]);
    expect(entries.every((e) => e.text === EVENT_MESSAGE_TEXT && e.text === '%1\r\n' && e.flags === 1)).toBe(true);
    expect(blocks).toEqual([
      { low: EventId.Started, high: EventId.Failure, offset: 4 + 2 * 12 },
      { low: EventId.AppWarning, high: EventId.AppError, offset: 4 + 2 * 12 + 4 * 16 },
    ]);
  });
});
