import { parsePairs } from "./parse_pairs.ts";

/**
 * American -> British spelling pairs (own list of regular differences: -or/-our,
 * -er/-re, -ize/-ise, -yze/-yse, -ense/-ence, doubled l, -og/-ogue, ae/oe; see
 * Wikipedia, "American and British English spelling differences"). Words whose
 * variant depends on the sense (check/cheque, tire/tyre, meter/metre, program)
 * are left out.
 *
 * @example
 * ```ts
 * import { SPELLING_VARIANTS } from "./spelling_variants.ts";
 * console.log(SPELLING_VARIANTS.find(([us]) => us === "color")?.[1]); // "colour"
 * ```
 */
export const SPELLING_VARIANTS: readonly (readonly [string, string])[] = parsePairs(`
color|colour
colors|colours
colored|coloured
colorful|colourful
favorite|favourite
favorites|favourites
flavor|flavour
flavors|flavours
honor|honour
honored|honoured
humor|humour
labor|labour
neighbor|neighbour
neighbors|neighbours
neighborhood|neighbourhood
rumor|rumour
behavior|behaviour
behaviors|behaviours
harbor|harbour
odor|odour
vapor|vapour
armor|armour
endeavor|endeavour
savior|saviour
center|centre
centers|centres
centered|centred
theater|theatre
theaters|theatres
liter|litre
liters|litres
fiber|fibre
caliber|calibre
somber|sombre
defense|defence
offense|offence
pretense|pretence
analyze|analyse
analyzed|analysed
analyzing|analysing
paralyze|paralyse
organize|organise
organized|organised
organizing|organising
organization|organisation
organizations|organisations
realize|realise
realized|realised
realizing|realising
recognize|recognise
recognized|recognised
apologize|apologise
apologized|apologised
criticize|criticise
criticized|criticised
emphasize|emphasise
summarize|summarise
prioritize|prioritise
memorize|memorise
minimize|minimise
maximize|maximise
optimize|optimise
optimized|optimised
optimization|optimisation
utilize|utilise
categorize|categorise
characterize|characterise
civilization|civilisation
globalization|globalisation
modernize|modernise
standardize|standardise
traveled|travelled
traveling|travelling
traveler|traveller
travelers|travellers
canceled|cancelled
canceling|cancelling
labeled|labelled
labeling|labelling
modeled|modelled
modeling|modelling
fueled|fuelled
jewelry|jewellery
catalog|catalogue
dialog|dialogue
analog|analogue
gray|grey
aluminum|aluminium
mom|mum
pajamas|pyjamas
plow|plough
skeptical|sceptical
mustache|moustache
fulfill|fulfil
enroll|enrol
skillful|skilful
willful|wilful
aging|ageing
judgment|judgement
acknowledgment|acknowledgement
maneuver|manoeuvre
pediatric|paediatric
encyclopedia|encyclopaedia
anemia|anaemia
anesthesia|anaesthesia
leukemia|leukaemia
diarrhea|diarrhoea
fetus|foetus
cozy|cosy
donut|doughnut
`);
