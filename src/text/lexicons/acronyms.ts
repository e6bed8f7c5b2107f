import { parsePairs } from "./parse_pairs.ts";

/**
 * Phrases and their acronyms (own list of common English acronyms, after
 * NL-Augmenter's `replace_abbreviation_and_acronyms`). Acronyms that collide with
 * words written in capitals (IT, WHO, US) are left out.
 *
 * @example
 * ```ts
 * import { ACRONYMS } from "./acronyms.ts";
 * console.log(ACRONYMS.find(([p]) => p === "as soon as possible")?.[1]); // "ASAP"
 * ```
 */
export const ACRONYMS: readonly (readonly [string, string])[] = parsePairs(`
as soon as possible|ASAP
for your information|FYI
by the way|BTW
do it yourself|DIY
frequently asked questions|FAQ
to be announced|TBA
to be determined|TBD
end of day|EOD
estimated time of arrival|ETA
point of view|POV
United Nations|UN
European Union|EU
North Atlantic Treaty Organization|NATO
National Aeronautics and Space Administration|NASA
Federal Bureau of Investigation|FBI
Central Intelligence Agency|CIA
artificial intelligence|AI
machine learning|ML
natural language processing|NLP
chief executive officer|CEO
chief financial officer|CFO
chief technology officer|CTO
human resources|HR
public relations|PR
graphical user interface|GUI
application programming interface|API
central processing unit|CPU
graphics processing unit|GPU
random access memory|RAM
personal computer|PC
portable document format|PDF
universal serial bus|USB
uniform resource locator|URL
World Wide Web|WWW
Internet service provider|ISP
short message service|SMS
gross domestic product|GDP
deoxyribonucleic acid|DNA
intelligence quotient|IQ
unidentified flying object|UFO
master of business administration|MBA
doctor of philosophy|PhD
television|TV
`);
