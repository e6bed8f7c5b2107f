/**
 * Text augmentation and robustness in a few lines (src/text, after NL-Augmenter):
 * transform sentences, split data with filters, chain them in a pipeline, and measure how much
 * a sentiment model's accuracy drops on perturbed data.
 *
 * Run: deno run -A examples/text_augment.ts
 *
 * @module
 */
import {
  AfinnSentimentModel,
  ButterFingers,
  evaluateRobustness,
  Filter,
  GenderSwap,
  listOperations,
  loadSentimentSentences,
  NamedEntityFilter,
  runPipeline,
  ShuffleWithinSegments,
  SynonymSubstitution,
  type TextExample,
} from "../src/text/mod.ts";

// 1. Transformations: seeded, deterministic, Unicode-safe.
const typos = new ButterFingers({ prob: 0.1, seed: 7, maxOutputs: 2 });
console.log(typos.generateText("Andrew finally returned the French book to Chris."));
console.log(new GenderSwap().generateText("He thanked his sister and the king.")[0]);
console.log(new SynonymSubstitution({ prob: 1 }).generateText("The movie was really good.")[0]);

// Tagging data keeps tokens and tags aligned.
const [tagged] = new ShuffleWithinSegments({ prob: 1, seed: 3 }).generate({
  kind: "tagging",
  tokens: ["She", "met", "John", "Ronald", "Smith", "in", "New", "York"],
  tags: ["O", "O", "B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC"],
});
console.log(tagged);

// 2. The registry: find operations by task, language, keyword or example kind.
const forTagging = listOperations({ type: "transformation", kind: "tagging" }).map((e) =>
  e.info.name
);
console.log(`${listOperations().length} operations; for tagging: ${forTagging.join(", ")}`);

// 3. A pipeline: transform, then keep sentences that mention a named entity.
const data: TextExample[] = [
  { kind: "sentence_and_target", sentence: "Mary loved the hotel in Paris.", target: "positive" },
  { kind: "sentence_and_target", sentence: "The food was cold.", target: "negative" },
];
const { examples, steps } = runPipeline(data, [typos, new NamedEntityFilter()]);
console.log(examples.map((e) => (e as { sentence: string }).sentence));
for (const s of steps) {
  console.log(
    s.type === "filter"
      ? `${s.operation}: kept ${s.kept} of ${s.inputs}`
      : `${s.operation}: ${s.outputs} outputs, perturbation rate ${s.perturbationRate}`,
  );
}

// 4. Robustness: accuracy of the AFINN lexicon model before and after each operation.
const test = loadSentimentSentences({ evalSize: 300 }).eval;
const model = new AfinnSentimentModel();
const original = await model.predict(test.map((e) => e.sentence));
for (const name of ["butter_fingers", "leet_letters", "antonym_substitution", "polarity_filter"]) {
  const entry = listOperations().find((e) => e.info.name === name)!;
  const op = entry.create({ ...entry.exampleOptions });
  const r = await evaluateRobustness(model, test, op, { originalPredictions: original });
  const kind = op instanceof Filter ? "filter" : "transformation";
  console.log(`${name.padEnd(22)} ${kind.padEnd(15)} ${r.summary}`);
}
