import { describe, expect, it } from 'vitest';
import { guessLanguage } from '../../src/domain/language.js';

describe('guessLanguage', () => {
  it.each([
    'Diolch',
    'Diolch yn fawr',
    'Helo, mae gen i wrandawiad yn y llys ddydd Llun. Ydych chi’n gallu helpu?',
    'Bore da, dw i eisiau gwybod am fy achos os gwelwch yn dda',
    'Dydw i ddim wedi cael llythyr gan y llys',
    'Pryd mae’r gwrandawiad?',
    'Bore da',
    'Shwmae, rhif yr hawliad yw 305JE126',
    'Ynglŷn â fy achos',
    'DIOLCH YN FAWR',
    "Mae'n okay", // a contraction ending in 'n decides it
    "Dyma'r swyddfa", // and one ending in 'r
    'Ŵyr', // a word with ŵ
  ])('recognises Welsh: %s', (text) => {
    expect(guessLanguage(text)).toBe('cy');
  });

  it.each([
    'Hello, when is my hearing?',
    'I have not received the letter about my case 305JE126',
    'Thanks',
    'Please can you tell me the date of the hearing at the court',
    'My claim number is A1QZ1234 and I need help',
    'Helo, I need help with my case please', // a Welsh greeting in an English message
    'Mae Smith here, about my case', // Mae as a first name
    'What a bore, still no answer',
    "I can't, it's late", // apostrophes that are not Welsh contractions
  ])('recognises English: %s', (text) => {
    expect(guessLanguage(text)).toBe('en');
  });

  it('defaults to English when there is nothing to go on', () => {
    expect(guessLanguage('')).toBe('en');
    expect(guessLanguage('   ')).toBe('en');
    expect(guessLanguage('305JE126 07700 900123')).toBe('en');
    expect(guessLanguage('👍')).toBe('en');
    expect(guessLanguage('Sian Jones')).toBe('en');
  });

  it('weighs Welsh against English words rather than spotting one Welsh word', () => {
    expect(guessLanguage('diolch')).toBe('cy');
    expect(guessLanguage('Thank you for the update on the hearing, diolch')).toBe('en');
  });

  it('treats straight and curly apostrophes alike', () => {
    expect(guessLanguage("Mae'n iawn")).toBe('cy');
    expect(guessLanguage('Mae’n iawn')).toBe('cy');
  });
});
