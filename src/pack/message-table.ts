/**
 * The RT_MESSAGETABLE resource every exe carries, so the service's Event Log source can name the
 * exe itself as its `EventMessageFile` and Event Viewer shows the reported text instead of "The
 * description for Event ID … cannot be found". Pure: builds the bytes `mc.exe` would compile.
 *
 * Layout (winnt.h), all little-endian:
 *   MESSAGE_RESOURCE_DATA   DWORD NumberOfBlocks, then NumberOfBlocks blocks
 *   MESSAGE_RESOURCE_BLOCK  DWORD LowId, DWORD HighId, DWORD OffsetToEntries (from the resource start)
 *   MESSAGE_RESOURCE_ENTRY  WORD Length (whole entry, padded), WORD Flags (1: UTF-16), Text NUL-terminated,
 *                           zero-padded to a multiple of 4 bytes
 * A block covers consecutive IDs with one entry each, in order.
 */
import { EVENT_IDS } from '../../runtime-shim/logging/event-ids';

export const RT_MESSAGETABLE = 11;
/** FormatMessage and the Event Log look up message table 1. */
export const MESSAGE_TABLE_ID = 1;
/**
 * LANG_NEUTRAL: the messages contain no words, and the resource loader tries the neutral language
 * first when FormatMessage is given language 0 and falls back to it for any specific language, so
 * Event Viewer finds the table whatever its UI language.
 */
export const MESSAGE_TABLE_LANG = 0;

/** Each event's message: its one insertion string, ended with CR LF as mc.exe ends messages. */
export const EVENT_MESSAGE_TEXT = '%1\r\n';

const MESSAGE_RESOURCE_UNICODE = 1;

export interface Message {
  id: number;
  text: string;
}

/** Byte length of a UTF-16 entry for `text`: header, text, NUL, padded to 4. */
function entryLength(text: string): number {
  return (4 + 2 * (text.length + 1) + 3) & ~3;
}

/**
 * Encodes `messages` as MESSAGE_RESOURCE_DATA (UTF-16 entries). Throws on a duplicate ID, an ID
 * that is not a DWORD, a text containing NUL, or a text too long for an entry's 16-bit length.
 */
export function buildMessageTable(messages: readonly Message[]): Buffer {
  const sorted = [...messages].sort((a, b) => a.id - b.id);
  const blocks: Message[][] = [];
  for (const m of sorted) {
    if (!Number.isInteger(m.id) || m.id < 0 || m.id > 0xffffffff) throw new Error(`message ID ${m.id} is not a DWORD`);
    if (m.text.includes('\0')) throw new Error(`message ${m.id} contains NUL`);
    if (entryLength(m.text) > 0xffff) throw new Error(`message ${m.id} is too long for a message table entry`);
    const last = blocks.at(-1);
    const previous = last?.at(-1);
    if (previous?.id === m.id) throw new Error(`duplicate message ID ${m.id}`);
    if (last && previous && previous.id + 1 === m.id) last.push(m);
    else blocks.push([m]);
  }

  const headerSize = 4 + 12 * blocks.length;
  const size = headerSize + sorted.reduce((sum, m) => sum + entryLength(m.text), 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(blocks.length, 0);
  let offset = headerSize;
  blocks.forEach((block, i) => {
    out.writeUInt32LE(block[0]!.id, 4 + 12 * i);
    out.writeUInt32LE(block.at(-1)!.id, 8 + 12 * i);
    out.writeUInt32LE(offset, 12 + 12 * i);
    for (const m of block) {
      const length = entryLength(m.text);
      out.writeUInt16LE(length, offset);
      out.writeUInt16LE(MESSAGE_RESOURCE_UNICODE, offset + 2);
      out.write(m.text, offset + 4, 'utf16le'); // NUL and padding: already zero
      offset += length;
    }
  });
  return out;
}

/** The message table svcpack writes into every exe: each Event Log event ID → `%1`. */
export function eventMessageTable(): Buffer {
  return buildMessageTable(EVENT_IDS.map((id) => ({ id, text: EVENT_MESSAGE_TEXT })));
}
