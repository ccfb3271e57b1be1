// Real files whose writes, syncs and truncations fail on cue, for the journal's fault tests. Every
// call goes to the disk unless a fault is armed for it: the bytes a failed write leaves behind are
// real (a short write really writes its first bytes), so what the store does about them is tested
// against what the disk then holds.
import { diskFiles, type JournalFile, type JournalFiles } from '../../src/broker/journal/file-ops.js';

export type FaultyCall = 'write' | 'datasync' | 'sync' | 'truncate';

interface Fault {
  call: FaultyCall;
  code: string;
  /** Calls of that kind to let through first. */
  skip: number;
  /** How many calls fail once it fires (Infinity: until cleared). */
  times: number;
  /** For writes: write this many bytes for real before failing (a short write then an error). */
  partial?: number;
  /** Only files whose path ends with this. */
  path?: string;
  /** How long the failing call takes, as a struggling disk does. */
  delayMs?: number;
}

export class FaultyFiles implements JournalFiles {
  private faults: Fault[] = [];
  /** Calls made so far, by kind. */
  readonly calls: Record<FaultyCall, number> = { write: 0, datasync: 0, sync: 0, truncate: 0 };

  /** The next matching call(s) fail with `code` (e.g. ENOSPC, EIO). */
  fail(call: FaultyCall, code: string, options: Partial<Omit<Fault, 'call' | 'code'>> = {}): this {
    this.faults.push({ call, code, ...options, skip: options.skip ?? 0, times: options.times ?? 1 });
    return this;
  }

  /** Every call of the kinds given fails until `clear()`, as a full disk does. */
  failAll(calls: FaultyCall[], code: string, path?: string): this {
    for (const call of calls) this.fail(call, code, { times: Infinity, path });
    return this;
  }

  clear(): void {
    this.faults = [];
  }

  async open(path: string, flags: 'r' | 'r+' | 'w', mode?: number): Promise<JournalFile> {
    const real = await diskFiles.open(path, flags, mode);
    const check = async (call: FaultyCall): Promise<Fault | undefined> => {
      const fault = this.take(call, path);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      return fault;
    };
    return {
      read: (buffer, offset, length, position) => real.read(buffer, offset, length, position),
      stat: () => real.stat(),
      close: () => real.close(),
      write: async (buffer, offset, length, position) => {
        const fault = await check('write');
        if (!fault) return real.write(buffer, offset, length, position);
        if (fault.partial) await real.write(buffer, offset, Math.min(fault.partial, length), position);
        throw errno(fault.code, 'write');
      },
      datasync: async () => {
        const fault = await check('datasync');
        if (fault) throw errno(fault.code, 'fdatasync');
        return real.datasync();
      },
      sync: async () => {
        const fault = await check('sync');
        if (fault) throw errno(fault.code, 'fsync');
        return real.sync();
      },
      truncate: async (length) => {
        const fault = await check('truncate');
        if (fault) throw errno(fault.code, 'ftruncate');
        return real.truncate(length);
      },
    };
  }

  private take(call: FaultyCall, path: string): Fault | undefined {
    this.calls[call]++;
    const fault = this.faults.find((f) => f.call === call && f.times > 0 && (!f.path || path.endsWith(f.path)));
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip--;
      return undefined;
    }
    fault.times--;
    return fault;
  }
}

/** A short write that reports success: the kernel took only some of the bytes, as it may. */
export function shortWrites(files: JournalFiles, most: number): JournalFiles {
  return {
    open: async (path, flags, mode) => {
      const real = await files.open(path, flags, mode);
      return { ...bind(real), write: (buffer, offset, length, position) => real.write(buffer, offset, Math.min(length, most), position) };
    },
  };
}

function bind(file: JournalFile): JournalFile {
  return {
    read: file.read.bind(file),
    write: file.write.bind(file),
    datasync: file.datasync.bind(file),
    sync: file.sync.bind(file),
    truncate: file.truncate.bind(file),
    stat: file.stat.bind(file),
    close: file.close.bind(file),
  };
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EIO: 'i/o error', EDQUOT: 'disk quota exceeded' };
  const err = new Error(`${code}: ${messages[code] ?? 'failed'}, ${syscall}`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = syscall;
  return err;
}
