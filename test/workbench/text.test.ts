import { describe, expect, it } from 'vitest';
import { cleanLine, cleanText, fit, textWidth, truncate, wrap } from '../../src/workbench/text.js';

describe('cleanLine', () => {
  it('removes escape sequences and control bytes a customer could use to disturb the screen', () => {
    expect(cleanLine('hi\x1b[2J\x1b[31mthere\x07\x1b]0;title\x07!')).toBe('hithere!');
  });
  it('makes line breaks and tabs single spaces', () => {
    expect(cleanLine('  one\r\ntwo\tthree  ')).toBe('one two three');
  });
});

describe('cleanText', () => {
  it('keeps line breaks but drops other controls', () => {
    expect(cleanText('a\r\nb\x00c\x1b[1md')).toBe('a\nbcd');
  });
});

describe('textWidth and truncate', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('👍')).toBe(2);
  });
  it('cuts to the width with an ellipsis, never over', () => {
    expect(truncate('Hello world', 8)).toBe('Hello w…');
    expect(truncate('Hello', 8)).toBe('Hello');
    expect(truncate('日本語テキスト', 5)).toBe('日本…');
    expect(textWidth(truncate('日本語テキスト', 6))).toBeLessThanOrEqual(6);
    expect(truncate('Hello', 0)).toBe('');
  });
  it('fit pads or cuts to exactly the width', () => {
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(textWidth(fit('日本語', 5))).toBe(5);
  });
});

describe('wrap', () => {
  it('breaks at spaces and keeps every line within the width', () => {
    const lines = wrap('the quick brown fox jumps over the lazy dog', 10);
    expect(lines).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']);
  });
  it('splits a word longer than a line', () => {
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
  it('keeps the text own line breaks', () => {
    expect(wrap('one\ntwo', 10)).toEqual(['one', 'two']);
  });
  it('uses a different width after the first line', () => {
    expect(wrap('aaa bbb ccc ddd', 3, 7)).toEqual(['aaa', 'bbb ccc', 'ddd']);
  });
});
