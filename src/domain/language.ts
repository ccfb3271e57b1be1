// A court user who writes in Welsh is answered in Welsh, so when a channel does not say which
// language a message is in we guess from the words. The guess only routes the enquiry to a
// Welsh-speaking agent, who can see the text; it needs to be right for ordinary short messages,
// not for every sentence.
//
// The rule: each word scores for Welsh if it is a common Welsh word and for English if it is a
// common English word; words only Welsh uses (diolch, llys, gwrandawiad…) count double, short ones
// English text also throws up (yn, fy, mae, y…) count once, and so do Welsh contractions ending in
// 'n or 'r (mae'n, i'r). Greetings and phrases such as "bore da" and "os gwelwch yn dda" add
// three, since "bore" alone is English too. Words with ŵ or ŷ are Welsh. Welsh wins only with the
// higher score: a tie, an empty text or a text of names and numbers is English.
import type { Language } from './events.js';

const WELSH_STRONG = (
  'diolch dydw ydw ydych ydi ydy ydyn rydw rydych dw dwi rwy roeddwn llys achos achosion gwrandawiad dydd ddydd helo eisiau isio ' +
  'ddim gwelwch dda croeso annwyl hawliad hawlydd diffynnydd cymraeg saesneg gyda wedi hefyd iawn fawr angen ' +
  'gallwch allwch gallaf allaf pryd beth sut pam rhif ffurflen gwybodaeth cymorth llythyr nesaf heddiw yfory ' +
  'ddoe wythnos mis blwyddyn llun mawrth mercher iau gwener sadwrn sul arian talu dyddiad amser bod oes ' +
  'nhw chdi ti fy mod fod gael cael gennyf gennych ynglyn ynglŷn ddiolch rhaid efallai unrhyw'
).split(' ');

const WELSH_WEAK = 'mae yn ac y yr os ni chi fi ond dim ar am i\'r i\'n o\'r fe hi\'n nid na'.split(' ');

const ENGLISH = (
  'the and is are was were be been am my me i you your we our they their it its in on at for to of from with ' +
  'please thanks thank hello hi dear good morning afternoon court case hearing claim what when where why how ' +
  'can could would will should have has had do does did not no yes this that there about date number need ' +
  'want help send sent received letter judge order form money pay paid today tomorrow week still any an a ' +
  'just if so but or as by get got know been'
).split(' ');

const PHRASES = ['bore da', 'prynhawn da', 'noswaith dda', 'nos da', 'os gwelwch yn dda', 'diolch yn fawr', 'shwmae', 'sut mae'];

// What each listed word is, in one table: one lookup per word, where three sets took three.
const STRONG = 1;
const WEAK = 2;
const IN_ENGLISH = 4;
/** The first word of a phrase: only a text with one of these can hold a phrase. */
const STARTS_PHRASE = 8;
const KINDS = new Map<string, number>();
const mark = (words: Iterable<string>, kind: number) => {
  for (const word of words) KINDS.set(word, (KINDS.get(word) ?? 0) | kind);
};
mark(WELSH_STRONG, STRONG);
mark(WELSH_WEAK, WEAK);
mark(ENGLISH, IN_ENGLISH);
mark(
  PHRASES.map((phrase) => phrase.split(' ')[0]!),
  STARTS_PHRASE,
);
const SPACED_PHRASES = PHRASES.map((phrase) => ` ${phrase} `);

export function guessLanguage(text: string): Language {
  const lower = text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  const words = lower.match(/[\p{L}]+(?:'[\p{L}]+)*/gu) ?? [];
  let welsh = 0;
  let english = 0;
  let phraseStarts = false;
  // String tests, not a regular expression per word: intake guesses for every enquiry posted.
  for (const word of words) {
    const kind = KINDS.get(word) ?? 0;
    if (kind & STRONG || word.includes('ŵ') || word.includes('ŷ')) welsh += 2;
    else if (kind & WEAK || isWelshContraction(word)) welsh += 1;
    if (kind & IN_ENGLISH) english += 1;
    if (kind & STARTS_PHRASE) phraseStarts = true;
  }
  // Joining the words to look for phrases cost more than all the rest; most texts have none to find.
  if (phraseStarts) {
    const spaced = ` ${words.join(' ')} `;
    for (const phrase of SPACED_PHRASES) if (spaced.includes(phrase)) welsh += 3;
  }
  return welsh > english ? 'cy' : 'en';
}

/** Ends in 'n or 'r (mae'n, i'r). */
function isWelshContraction(word: string): boolean {
  const last = word[word.length - 1];
  return word[word.length - 2] === "'" && (last === 'n' || last === 'r');
}
