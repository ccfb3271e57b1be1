// A morning at a civil and family contact centre, written to look and read like the real thing:
// the enquiries people actually send, in English and Welsh, across channels, naming case numbers
// in every format agents meet. Names and numbers are invented (phone numbers are Ofcom drama range).
import type { Channel, Language } from '../domain/events.js';

export interface DemoEnquiry {
  channel: Channel;
  from: string;
  name: string | null;
  language: Language;
  text: string;
}

/** What had already happened before the demo opened: minutes ago, then what agents did since. */
export interface SeededEnquiry extends DemoEnquiry {
  minutesAgo: number;
  history?: Array<
    | { minutesAgo: number; kind: 'claim'; agent: string }
    | { minutesAgo: number; kind: 'reply'; agent: string; text: string }
    | { minutesAgo: number; kind: 'customer'; text: string }
    | { minutesAgo: number; kind: 'note'; agent: string; text: string }
    | { minutesAgo: number; kind: 'tag'; caseNumber: string; format: 'civil' | 'mcol' | 'ccd' | 'unverified' }
  >;
}

export const SEEDED: SeededEnquiry[] = [
  {
    minutesAgo: 74,
    channel: 'web',
    from: 'mfitzgerald@fitzgerald-law.example',
    name: 'Mark Fitzgerald (Fitzgerald & Co)',
    language: 'en',
    text: 'We act for the defendant in 1712-3456-7890-1238. We filed the directions questionnaire on 10 November and the portal still shows it as outstanding. Please confirm it has been received and referred to a judge.',
  },
  {
    minutesAgo: 66,
    channel: 'whatsapp',
    from: '447700900184',
    name: 'Sheena Nelson',
    language: 'en',
    text: 'Hi, I have a small claims hearing at Birmingham on Thursday and I still haven’t had the hearing notice with the time on it. Claim number 305JE126',
  },
  {
    minutesAgo: 58,
    channel: 'sms',
    from: '+447700900731',
    name: null,
    language: 'cy',
    text: 'Bore da, anfonais fy amddiffyniad i’r llys bythefnos yn ôl ond does neb wedi cadarnhau ei fod wedi cyrraedd. Rhif yr hawliad yw K9QZ4A21. Diolch',
  },
  {
    minutesAgo: 51,
    channel: 'web',
    from: 'p.okafor@example.org',
    name: 'Patricia Okafor',
    language: 'en',
    text: 'My mother needs help filling in the form for her claim, she does not use computers. Can someone phone her or send her a paper form?',
    history: [
      { minutesAgo: 44, kind: 'claim', agent: 'bob' },
      { minutesAgo: 40, kind: 'reply', agent: 'bob', text: 'Thank you Patricia. We can post a paper N1 form to your mother, or she can call 0300 123 7050 for assisted digital help. What address should we use?' },
    ],
  },
  {
    minutesAgo: 39,
    channel: 'whatsapp',
    from: '447700900412',
    name: 'Dewi Pritchard',
    language: 'cy',
    text: 'Helo, mae gen i wrandawiad yn Llys Sirol Caerdydd fore yfory ac rydw i yn yr ysbyty. Sut ydw i’n gofyn am ohirio’r gwrandawiad? Rhif yr achos 142MC305',
  },
  {
    minutesAgo: 33,
    channel: 'web',
    from: 'tbarker@example.org',
    name: 'Tom Barker',
    language: 'en',
    text: 'I got a letter saying I have to pay the hearing fee by Friday or my claim will be struck out. How do I pay it and can I get help with fees?',
    history: [{ minutesAgo: 21, kind: 'customer', text: 'Also the letter says claim F3QZ7K12 but my original claim number was different, is that right?' }],
  },
  {
    minutesAgo: 27,
    channel: 'sms',
    from: '+447700900955',
    name: 'Jade Kowalski',
    language: 'en',
    text: 'The bailiffs came today but I already paid the judgment in full last month. Ref on their letter is 7NQ20011. What do I do?',
    history: [
      { minutesAgo: 25, kind: 'claim', agent: 'bob' },
      { minutesAgo: 24, kind: 'tag', caseNumber: '7NQ20011', format: 'unverified' },
      { minutesAgo: 22, kind: 'note', agent: 'bob', text: 'Enforcement query — checking whether a certificate of satisfaction was filed.' },
    ],
  },
  {
    minutesAgo: 19,
    channel: 'web',
    from: 'priya.shah@example.org',
    name: 'Priya Shah',
    language: 'en',
    text: 'Is there step-free access at Lancaster Courthouse? I use a wheelchair and my hearing is on the 28th.',
  },
  {
    minutesAgo: 12,
    channel: 'whatsapp',
    from: '447700900266',
    name: 'Siân Roberts',
    language: 'cy',
    text: 'Ydych chi’n gallu dweud wrtha i a oes dyddiad wedi ei osod ar gyfer fy ngwrandawiad? Cyfeirnod 1638 1234 5678 9013',
  },
  {
    minutesAgo: 6,
    channel: 'sms',
    from: '+447700900318',
    name: 'Gareth Lloyd',
    language: 'en',
    text: 'Received a claim form today for a debt I don’t recognise. What do I do and how long have I got to reply?',
  },
];

/** Arrives live while the demo runs, one every few seconds. `followUpOf` names a seeded enquiry by its index. */
export const STREAM: Array<DemoEnquiry | { followUpOf: number; text: string }> = [
  {
    channel: 'web',
    from: 'kelly.moss@example.org',
    name: 'Kelly Moss',
    language: 'en',
    text: 'URGENT — my possession hearing is tomorrow at 10am and I have only just found the notice. Can I ask for more time? Case 305JE126',
  },
  { followUpOf: 1, text: 'Hello? Is anyone there? The hearing is in 2 days' },
  {
    channel: 'whatsapp',
    from: '447700900577',
    name: 'Aled Hughes',
    language: 'cy',
    text: 'Diolch am eich help ddoe. Rwyf wedi anfon y dogfennau i’r llys heddiw — sut fydda i’n gwybod eu bod wedi cyrraedd?',
  },
  {
    channel: 'sms',
    from: '+447700900842',
    name: null,
    language: 'en',
    text: 'I need to withdraw my claim A1QZ1234, we have settled. What form do I use?',
  },
  { followUpOf: 5, text: 'Sorry, forgot to say I am on Universal Credit' },
  {
    channel: 'web',
    from: 'b.achterberg@example.org',
    name: 'Bernard Achterberg',
    language: 'en',
    text: 'Can I get a copy of the judgment from my hearing at Birmingham last month? Reference 1554 9876 5432 1013',
  },
  {
    channel: 'whatsapp',
    from: '447700900693',
    name: 'Nia Evans',
    language: 'cy',
    text: 'Mae’r llys wedi anfon llythyr yn Saesneg ond hoffwn gael pob gohebiaeth yn Gymraeg os gwelwch yn dda. Rhif hawliad 210LL447',
  },
  {
    channel: 'sms',
    from: '+447700900129',
    name: 'Ray Dunmore',
    language: 'en',
    text: 'My hearing at Lancaster was adjourned but nobody told me the new date. Claim 611LA902',
  },
  { followUpOf: 7, text: 'Also is there parking nearby? Thanks' },
  {
    channel: 'web',
    from: 'court-desk@citizens-advice.example',
    name: 'Citizens Advice (on behalf of client)',
    language: 'en',
    text: 'Our client has a hearing within 48 hours and the court has not acknowledged the N244 application sent a week ago. Please can this be escalated to the hearing centre.',
  },
];
