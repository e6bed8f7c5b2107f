import { parsePairs } from "./parse_pairs.ts";

/**
 * English contractions and their expansions (own list; NL-Augmenter's
 * `contraction_expansions` uses a similar dictionary). Ambiguous forms take the
 * most frequent reading: "'d" -> "would", "'s" -> "is" (only after pronouns and
 * wh-words, never possessives). "I" forms are stored capitalized.
 *
 * @example
 * ```ts
 * import { CONTRACTIONS } from "./contractions.ts";
 * console.log(CONTRACTIONS.find(([c]) => c === "won't")?.[1]); // "will not"
 * ```
 */
export const CONTRACTIONS: readonly (readonly [string, string])[] = parsePairs(`
aren't|are not
can't|cannot
couldn't|could not
could've|could have
didn't|did not
doesn't|does not
don't|do not
hadn't|had not
hasn't|has not
haven't|have not
he'd|he would
he'll|he will
he's|he is
here's|here is
how'd|how did
how'll|how will
how's|how is
I'd|I would
I'll|I will
I'm|I am
I've|I have
isn't|is not
it'd|it would
it'll|it will
it's|it is
let's|let us
might've|might have
mightn't|might not
must've|must have
mustn't|must not
needn't|need not
shan't|shall not
she'd|she would
she'll|she will
she's|she is
should've|should have
shouldn't|should not
that'd|that would
that's|that is
there'd|there would
there's|there is
they'd|they would
they'll|they will
they're|they are
they've|they have
wasn't|was not
we'd|we would
we'll|we will
we're|we are
we've|we have
weren't|were not
what'll|what will
what're|what are
what's|what is
what've|what have
where'd|where did
where's|where is
who'd|who would
who'll|who will
who's|who is
who've|who have
why's|why is
won't|will not
would've|would have
wouldn't|would not
you'd|you would
you'll|you will
you're|you are
you've|you have
`);
