// The three forms a transcript is exported in, by name, with what each is sent as over HTTP.
import type { Transcript } from '../../domain/transcript.js';
import { HTML_POLICY, renderHtml } from './html.js';
import { renderText } from './text.js';

export const EXPORT_FORMATS = ['json', 'text', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function renderTranscript(t: Transcript, format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(t, null, 2)}\n`;
  return format === 'text' ? renderText(t) : renderHtml(t);
}

/** Response headers: the type, and for HTML the same policy the page carries, so a browser opening it from the broker loads nothing either. */
export function exportHeaders(format: ExportFormat): Record<string, string> {
  if (format === 'json') return { 'content-type': 'application/json; charset=utf-8' };
  if (format === 'text') return { 'content-type': 'text/plain; charset=utf-8' };
  return { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': HTML_POLICY };
}
