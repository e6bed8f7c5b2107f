import { parsePairs } from "./parse_pairs.ts";

/**
 * Correct word -> common misspelling (own selection from Wikipedia, "Lists of
 * common misspellings/For machines"; the idea follows NL-Augmenter's
 * `replace_spelling`, which draws from a larger misspelling corpus).
 *
 * @example
 * ```ts
 * import { MISSPELLINGS } from "./misspellings.ts";
 * console.log(MISSPELLINGS.find(([w]) => w === "receive")?.[1]); // "recieve"
 * ```
 */
export const MISSPELLINGS: readonly (readonly [string, string])[] = parsePairs(`
accommodate|accomodate
achieve|acheive
across|accross
address|adress
apparently|apparantly
argument|arguement
basically|basicly
beautiful|beatiful
because|becuase
beginning|begining
believe|beleive
believed|beleived
business|buisness
calendar|calender
cemetery|cemetary
colleague|collegue
coming|comming
committee|commitee
completely|completly
conscious|concious
definitely|definately
different|diffrent
disappoint|dissapoint
efficient|efficent
embarrass|embarass
environment|enviroment
existence|existance
experience|experiance
february|febuary
finally|finaly
foreign|foriegn
forty|fourty
friend|freind
friends|freinds
government|goverment
grammar|grammer
guarantee|garantee
happened|happend
harass|harrass
immediately|immediatly
independent|independant
interesting|intresting
knowledge|knowlege
library|libary
maintenance|maintainance
medicine|medecine
millennium|millenium
necessary|neccessary
noticeable|noticable
occasion|occassion
occasionally|occasionaly
occurred|occured
occurrence|occurence
persistent|persistant
piece|peice
possession|posession
preferred|prefered
privilege|priviledge
probably|probaly
professional|proffesional
publicly|publically
really|realy
receive|recieve
received|recieved
recommend|reccomend
referred|refered
relevant|relevent
religious|religous
remember|rember
restaurant|restaraunt
rhythm|rythm
schedule|schedual
separate|seperate
successful|succesful
surprise|suprise
their|thier
tomorrow|tommorow
truly|truely
until|untill
wednesday|wensday
weird|wierd
which|wich
writing|writting
`);
