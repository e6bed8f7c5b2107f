import { parsePairs } from "./parse_pairs.ts";

/**
 * U.S. states (and D.C.) -> USPS two-letter codes (facts; NL-Augmenter's
 * `country_state_abbreviation_transformation` uses the same mapping).
 *
 * @example
 * ```ts
 * import { US_STATES } from "./geo_abbreviations.ts";
 * console.log(US_STATES.length, US_STATES.find(([s]) => s === "Texas")?.[1]); // 51 "TX"
 * ```
 */
export const US_STATES: readonly (readonly [string, string])[] = parsePairs(`
Alabama|AL
Alaska|AK
Arizona|AZ
Arkansas|AR
California|CA
Colorado|CO
Connecticut|CT
Delaware|DE
District of Columbia|DC
Florida|FL
Georgia|GA
Hawaii|HI
Idaho|ID
Illinois|IL
Indiana|IN
Iowa|IA
Kansas|KS
Kentucky|KY
Louisiana|LA
Maine|ME
Maryland|MD
Massachusetts|MA
Michigan|MI
Minnesota|MN
Mississippi|MS
Missouri|MO
Montana|MT
Nebraska|NE
Nevada|NV
New Hampshire|NH
New Jersey|NJ
New Mexico|NM
New York|NY
North Carolina|NC
North Dakota|ND
Ohio|OH
Oklahoma|OK
Oregon|OR
Pennsylvania|PA
Rhode Island|RI
South Carolina|SC
South Dakota|SD
Tennessee|TN
Texas|TX
Utah|UT
Vermont|VT
Virginia|VA
Washington|WA
West Virginia|WV
Wisconsin|WI
Wyoming|WY
`);

/**
 * Country names -> common abbreviations (facts).
 *
 * @example
 * ```ts
 * import { COUNTRIES } from "./geo_abbreviations.ts";
 * console.log(COUNTRIES.find(([c]) => c === "United Kingdom")?.[1]); // "UK"
 * ```
 */
export const COUNTRIES: readonly (readonly [string, string])[] = parsePairs(`
United States of America|USA
United States|US
United Kingdom|UK
United Arab Emirates|UAE
People's Republic of China|PRC
Democratic Republic of the Congo|DRC
Soviet Union|USSR
New Zealand|NZ
Saudi Arabia|KSA
`);
