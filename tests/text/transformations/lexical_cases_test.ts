// Table-lookup and WordNet transformations: fixed-seed input/output cases (at least five per operation).
// Expected outputs were produced by the implementation and checked by hand; they pin
// the text module's own random stream (not Python's), see src/text/rng.ts.
import { sentenceCases } from "../_cases.ts";
import { AmericanizeBritishize } from "../../../src/text/transformations/americanize_britishize.ts";
import { CommonMisspellings } from "../../../src/text/transformations/common_misspellings.ts";
import { WeekdayMonthAbbreviation } from "../../../src/text/transformations/weekday_month_abbreviation.ts";
import { Emojify } from "../../../src/text/transformations/emojify.ts";
import { SentimentEmoji } from "../../../src/text/transformations/sentiment_emoji.ts";
import { ReplaceAcronyms } from "../../../src/text/transformations/replace_acronyms.ts";
import { CountryStateAbbreviation } from "../../../src/text/transformations/country_state_abbreviation.ts";
import { GenderSwap } from "../../../src/text/transformations/gender_swap.ts";
import { NameSubstitution } from "../../../src/text/transformations/name_substitution.ts";
import { ColorTransformation } from "../../../src/text/transformations/color_transformation.ts";
import { SynonymSubstitution } from "../../../src/text/transformations/synonym_substitution.ts";
import { AntonymSubstitution } from "../../../src/text/transformations/antonym_substitution.ts";
import { SynonymInsertion } from "../../../src/text/transformations/synonym_insertion.ts";

sentenceCases(AmericanizeBritishize, [
  [{}, "My favourite Color is gray.", ["My favorite Colour is grey."]],
  [{ "direction": "to_british" }, "We analyzed the center of the theater.", [
    "We analysed the centre of the theatre.",
  ]],
  [{ "direction": "to_american" }, "The organisation travelled to the centre.", [
    "The organization traveled to the center.",
  ]],
  [{ "direction": "to_british" }, "COLOR and colour", ["COLOUR and colour"]],
  [{}, "Nothing to convert.", ["Nothing to convert."]],
]);

sentenceCases(CommonMisspellings, [
  [{ "prob": 1 }, "I definitely believe it.", ["I definately beleive it."]],
  [{ "prob": 1 }, "Receive the Separate package tomorrow", [
    "Recieve the Seperate package tommorow",
  ]],
  [{ "seed": 1 }, "The government will definitely accommodate the committee", [
    "The government will definitely accomodate the commitee",
  ]],
  [{ "prob": 1 }, "WHICH friend?", ["WICH freind?"]],
  [{ "prob": 1 }, "All spelled fine.", ["All spelled fine."]],
]);

sentenceCases(WeekdayMonthAbbreviation, [
  [{}, "See you Monday, 3 September.", ["See you Mon., 3 Sept."]],
  [{ "direction": "expand" }, "Due Fri. 3 Jan.", ["Due Friday 3 January."]],
  [{}, "We march in March and may meet in May.", ["We march in Mar. and may meet in May."]],
  [{}, "MONDAY AND FRIDAY", ["MON. AND FRI."]],
  [{ "direction": "expand" }, "Tues. or Thurs. or Sept. 5", ["Tuesday or Thursday or September 5"]],
]);

sentenceCases(Emojify, [
  [{}, "I love pizza and my dog!", ["I ❤️ 🍕 and my 🐶!"]],
  [{}, "The sun and the moon", ["The ☀️ and the 🌙"]],
  [{ "prob": 0.5, "seed": 1 }, "coffee, tea, beer or wine", ["☕, tea, beer or 🍷"]],
  [{}, "Dogs and cats", ["🐶 and 🐱"]],
  [{}, "nothing to see", ["nothing to see"]],
]);

sentenceCases(SentimentEmoji, [
  [{}, "What a wonderful day", ["What a wonderful day 😊"]],
  [{ "seed": 1 }, "This is terrible and awful", ["This is terrible and awful 😡"]],
  [{ "seed": 2 }, "The meeting is at noon", ["The meeting is at noon 😶"]],
  [{ "seed": 3, "count": 2 }, "I love it", ["I love it 😊😍"]],
  [{ "seed": 4 }, "   ", ["   "]],
]);

sentenceCases(ReplaceAcronyms, [
  [{}, "Send the PDF as soon as possible.", ["Send the portable document format ASAP."]],
  [{ "direction": "contract" }, "The United Nations and the European Union met.", [
    "The UN and the EU met.",
  ]],
  [{ "direction": "expand" }, "Ask HR about the CEO and the UN.", [
    "Ask human resources about the chief executive officer and the United Nations.",
  ]],
  [{}, "un and it stay lower case", ["un and it stay lower case"]],
  [{}, "Natural language processing with a GPU", ["NLP with a graphics processing unit"]],
]);

sentenceCases(CountryStateAbbreviation, [
  [{}, "From Texas to the United Kingdom.", ["From TX to the UK."]],
  [{ "direction": "expand" }, "Austin, TX and the UK", ["Austin, Texas and the United Kingdom"]],
  [{}, "George Washington lived in Virginia.", ["George Washington lived in VA."]],
  [{ "direction": "expand" }, "Send to Salem, OR 97301 or ME", [
    "Send to Salem, Oregon 97301 or ME",
  ]],
  [{}, "New York and New Jersey", ["NY and NJ"]],
]);

sentenceCases(GenderSwap, [
  [{}, "He gave her his book; the king thanked him.", [
    "She gave him her book; the queen thanked her.",
  ]],
  [{}, "She and her sister met their father.", ["He and his brother met their mother."]],
  [{}, "The actress thanked the waiter.", ["The actor thanked the waitress."]],
  [{}, "MY HUSBAND IS HERE", ["MY WIFE IS HERE"]],
  [{}, "It was hers, not his.", ["It was his, not hers."]],
]);

sentenceCases(NameSubstitution, [
  [{ "seed": 5 }, "Mary met John. Mary's cat likes John.", [
    "Helsa met Bartram. Helsa's cat likes Bartram.",
  ]],
  [{ "seed": 1 }, "Will May and Rose come?", ["Will May and Rose come?"]],
  [{ "seed": 2 }, "Alice and Bob went to Paris.", ["Mimi and Hodge went to Paris."]],
  [{ "seed": 3, "keepGender": false }, "Emma called David", ["Trudey called Arlinda"]],
  [{ "seed": 4 }, "JOHN SHOUTED", ["JOHN SHOUTED"]],
]);

sentenceCases(ColorTransformation, [
  [{}, "A red car", ["A yellow car"]],
  [{ "seed": 1 }, "The sky is Blue and the grass is GREEN", [
    "The sky is Pink and the grass is YELLOW",
  ]],
  [{ "seed": 2, "prob": 0.5 }, "red, white and blue", ["red, gray and violet"]],
  [{ "seed": 3 }, "no colours", ["no colours"]],
  [{ "seed": 4, "maxOutputs": 3 }, "a black cat", [
    "a green cat",
    "a scarlet cat",
    "a turquoise cat",
  ]],
]);

sentenceCases(SynonymSubstitution, [
  [{ "prob": 1 }, "The car is fast.", ["The auto is fast."]],
  [{ "prob": 1 }, "The movie was really good and the actors didn't disappoint me.", [
    "The flick was really good and the role players didn't let down me.",
  ]],
  [{ "seed": 1 }, "Mary quickly bought a red car.", ["Mary quickly bought a reddish machine."]],
  [{ "prob": 1 }, "Dogs chase cats.", ["Dogs dog cats."]],
  [{ "prob": 1 }, "NASA is great", ["NASA is great"]],
]);

sentenceCases(AntonymSubstitution, [
  [{}, "A good film, I was happy.", ["A bad film, I was unhappy."]],
  [{}, "Prices increase quickly when demand is high.", [
    "Prices decrease slowly when demand is low.",
  ]],
  [{}, "The old man walked slowly.", ["The old man walked quickly."]],
  [{ "prob": 0.5, "seed": 3 }, "It is cheap, clean and safe.", [
    "It is cheap, dirty and dangerous.",
  ]],
  [{}, "Cats and dogs.", ["Cats and dogs."]],
]);

sentenceCases(SynonymInsertion, [
  [{ "prob": 1 }, "The car is fast.", ["The car auto is fast."]],
  [{ "seed": 1, "prob": 0.5 }, "The movie was really good and the actors were great.", [
    "The movie motion-picture show was really good and the actors players were great.",
  ]],
  [{ "prob": 1 }, "Dogs chase cats.", ["Dogs chase dog cats."]],
  [{ "seed": 2, "prob": 0.5 }, "Mary quickly bought a red car.", [
    "Mary quickly chop-chop bought a red car machine.",
  ]],
  [{ "prob": 1 }, "the of and", ["the of and"]],
]);
