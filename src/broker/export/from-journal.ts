// A transcript drawn from a data folder's journal: the offline CLI and the broker's export route
// both come here, and both read the journal through readRecords.
import { needsFirstPass, taggedEnquiries, transcriptCollector, type Transcript, type TranscriptSelection } from '../../domain/transcript.js';
import { readRecords, type RecordsRead } from '../journal/read-records.js';

/**
 * Reads the journal once for an enquiry, twice for a case (which enquiries were ever tagged with
 * it can only be known at the end). The second pass stops where the first did, so a journal
 * growing meanwhile cannot make the two disagree. Null when the journal has nothing selected.
 */
export async function transcriptFromJournal(
  dataDir: string,
  selection: TranscriptSelection,
  { throughSeq, now = () => new Date() }: { throughSeq?: number; now?: () => Date } = {},
): Promise<Transcript | null> {
  let ids: ReadonlySet<string> = new Set('enquiry' in selection ? [selection.enquiry] : []);
  let first: RecordsRead | undefined;
  if (needsFirstPass(selection)) {
    const tagged = taggedEnquiries(selection.case);
    first = await readRecords(dataDir, tagged.add, { throughSeq });
    if (tagged.ids.size === 0) return null;
    ids = tagged.ids;
  }
  const collector = transcriptCollector(selection, ids);
  const second = await readRecords(dataDir, collector.add, { throughSeq: first?.headSeq ?? throughSeq });
  // A torn tail is past where the second pass stops, so only the first can have seen it.
  return collector.build({ ...second, notes: first?.notes ?? second.notes }, now());
}
