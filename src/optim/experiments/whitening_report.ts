/**
 * Tables, charts, metrics and notes of `whitening-generalization` from its evaluation rows
 * (split from the experiment so that the run and its report each fit in one file).
 *
 * @module
 */
import * as aq from "arquero";
import type { ExperimentResult, MetricValue, ResultChart } from "../../report/experiment.ts";
import type { WhiteningGeneralizationConfig } from "./whitening_generalization.ts";

const CLASSES = 10;
const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const key = (v: number) => String(v);

/** One evaluation: a model, a condition, a training-set size and a step count. */
export interface Row {
  model: string;
  method: string;
  condition: string;
  setting: number;
  n: number;
  steps: number;
  test_acc: number;
  test_mse: number;
  train_mse: number;
  lr: number;
  groups: number;
}

/** Final (last checkpoint) and best (highest test accuracy over checkpoints) row per run. */
interface Cell {
  model: string;
  method: string;
  condition: string;
  setting: number;
  n: number;
  final: Row;
  best: Row;
}

function cellsOf(rows: Row[]): Cell[] {
  const byRun = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.model}|${r.condition}|${r.n}`;
    byRun.set(k, [...(byRun.get(k) ?? []), r]);
  }
  return [...byRun.values()].map((rs) => {
    const final = rs.reduce((a, b) => (b.steps > a.steps ? b : a));
    const best = rs.reduce((a, b) => (b.test_acc > a.test_acc ? b : a));
    const { model, method, condition, setting, n } = final;
    return { model, method, condition, setting, n, final, best };
  });
}

function label(r: { condition: string; method: string; setting: number }): string {
  if (r.condition === "raw") return "raw";
  if (r.method === "gd") return r.setting === 0 ? "whitened (reg 0)" : `whitened, reg ${r.setting}`;
  if (r.method === "newton") {
    return r.setting === 0 ? "Newton, undamped" : `Newton, damping ${r.setting}`;
  }
  return `Gauss-Newton, damping ${r.setting}`;
}

export function summarize(
  c: WhiteningGeneralizationConfig,
  rows: Row[],
  info: { d: number; majority: number; seconds: number },
): ExperimentResult {
  const { d } = info;
  const chance = 1 / CLASSES;
  const groupSize = c.whitenFit === "train+test" ? c.testGroupSize : 0;
  const cells = cellsOf(rows);
  const le = (n: number) => n <= d, gt = (n: number) => n > d;
  const regime = (n: number) => n + groupSize <= d;
  const accOf = (
    model: string,
    condition: string,
    pick: (n: number) => boolean,
    which: "final" | "best" = "final",
  ) =>
    mean(
      cells.filter((x) => x.model === model && x.condition === condition && pick(x.n))
        .map((x) => x[which].test_acc),
    );
  const metrics: Record<string, MetricValue> = {
    d,
    chance_acc: chance,
    majority_acc: info.majority,
    whiten_fit: c.whitenFit,
    test_group_size: groupSize || c.testSize,
    primary_model: c.models[0],
  };
  const full = c.whitenRegs.length ? `whiten_reg_${key(Math.min(...c.whitenRegs))}` : "";
  for (const model of c.models) {
    const p = `${model}_`;
    const put = (k: string, v: number) => (metrics[p + k] = v);
    put("acc_raw_n_le_d", accOf(model, "raw", le));
    put("acc_raw_n_gt_d", accOf(model, "raw", gt));
    put("acc_raw_n_le_d_best", accOf(model, "raw", le, "best"));
    put("acc_raw_n_gt_d_best", accOf(model, "raw", gt, "best"));
    for (const r of c.whitenRegs) {
      put(`acc_whiten_reg_${key(r)}_n_le_d`, accOf(model, `whiten_reg_${key(r)}`, le));
      put(`acc_whiten_reg_${key(r)}_n_gt_d`, accOf(model, `whiten_reg_${key(r)}`, gt));
    }
    if (!full) continue;
    put("acc_whitened_n_le_d", accOf(model, full, le));
    put("acc_whitened_n_gt_d", accOf(model, full, gt));
    put("acc_whitened_n_le_d_best", accOf(model, full, le, "best"));
    put("acc_whitened_n_gt_d_best", accOf(model, full, gt, "best"));
    if (groupSize) {
      put("acc_whitened_theorem_regime", accOf(model, full, regime));
      put("acc_raw_theorem_regime", accOf(model, "raw", regime));
    }
    put("whitening_gap_n_le_d", accOf(model, "raw", le) - accOf(model, full, le));
    put("whitening_gap_n_gt_d", accOf(model, "raw", gt) - accOf(model, full, gt));
  }
  for (
    const k of [
      "acc_raw_n_le_d",
      "acc_raw_n_gt_d",
      "acc_whitened_n_le_d",
      "acc_whitened_n_gt_d",
      "acc_whitened_theorem_regime",
      "acc_raw_theorem_regime",
      "whitening_gap_n_le_d",
      "whitening_gap_n_gt_d",
    ]
  ) {
    const v = metrics[`${c.models[0]}_${k}`];
    if (v !== undefined) metrics[k] = v;
  }
  // Second order sweeps: the best test accuracy along each trajectory (what the optimizer could
  // use while training, an oracle stopping time shared by all methods) and the final one.
  const sweep = (model: string, prefix: string, dampings: number[], out: string) => {
    const by = dampings.map((l) => ({
      l,
      best: accOf(model, `${prefix}_${key(l)}`, le, "best"),
      final: accOf(model, `${prefix}_${key(l)}`, le),
      gtBest: accOf(model, `${prefix}_${key(l)}`, gt, "best"),
    }));
    for (const b of by) {
      metrics[`${out}_damping_${key(b.l)}_n_le_d`] = b.best;
      metrics[`${out}_damping_${key(b.l)}_n_le_d_final`] = b.final;
      metrics[`${out}_damping_${key(b.l)}_n_gt_d`] = b.gtBest;
    }
    const top = by.reduce((a, b) => (b.best > a.best ? b : a));
    return { by, top };
  };
  if (c.models.includes("linear") && c.newtonDampings.length) {
    const { by, top } = sweep("linear", "newton_damping", c.newtonDampings, "acc_newton");
    const und = by.find((b) => b.l === 0);
    metrics.acc_newton_undamped = und ? und.best : NaN;
    metrics.acc_newton_undamped_final = und ? und.final : NaN;
    metrics.acc_newton_best_damping = top.best;
    metrics.best_damping = top.l;
    metrics.acc_gd_linear_n_le_d = accOf("linear", "raw", le, "best");
    metrics.acc_gd_linear_n_le_d_final = accOf("linear", "raw", le);
  }
  if (c.models.includes("mlp") && c.gnSteps > 0 && c.gnDampings.length) {
    const { top } = sweep("mlp", "gn_damping", c.gnDampings, "mlp_acc_gn");
    metrics.mlp_acc_gn_best_damping = top.best;
    metrics.mlp_best_gn_damping = top.l;
  }
  metrics.compute_seconds = info.seconds;

  const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const axisN = {
    field: "n",
    type: "quantitative",
    scale: { type: "log", nice: false, padding: 16 },
    axis: { values: sizes },
    title: "Training-set size n (log)",
  };
  const marks = (xField: string) => [
    {
      data: { values: [{ [xField]: d }] },
      mark: { type: "rule", strokeDash: [6, 4], color: "black" },
      encoding: { x: { field: xField, type: "quantitative" } },
    },
    {
      data: { values: [{ [xField]: d, acc: 0.97, label: `n = d = ${d}` }] },
      mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#444" },
      encoding: {
        x: { field: xField, type: "quantitative" },
        y: { field: "acc", type: "quantitative" },
        text: { field: "label" },
      },
    },
  ];
  const chanceRule = {
    data: { values: [{ acc: chance }] },
    mark: { type: "rule", strokeDash: [2, 2], color: "gray" },
    encoding: { y: { field: "acc", type: "quantitative" } },
  };
  const yAcc = {
    field: "acc",
    type: "quantitative",
    scale: { domain: [0, 1] },
    title: "Test accuracy",
  };
  const color = { field: "condition", type: "nominal", title: "", legend: { labelLimit: 300 } };
  // The raw-input gradient-descent baseline is dashed so that overlapping curves stay visible.
  const dash = {
    field: "line",
    type: "nominal",
    scale: { domain: ["baseline", "other"], range: [[6, 3], [1, 0]] },
    legend: null,
  };
  const vsN = (name: string, title: string, data: Cell[], which: "final" | "best") => {
    const point = (x: Cell) => ({ n: x.n, acc: x[which].test_acc, condition: label(x) });
    return {
      name,
      title,
      spec: {
        layer: [
          {
            data: { values: data.filter((x) => x.condition !== "raw").map(point) },
            mark: { type: "line", point: true },
            encoding: { x: axisN, y: yAcc, color },
          },
          // the raw-input baseline on top, dashed and wider, so that overlaps stay visible
          {
            data: { values: data.filter((x) => x.condition === "raw").map(point) },
            mark: { type: "line", point: true, strokeDash: [6, 3], strokeWidth: 3 },
            encoding: { x: axisN, y: yAcc, color },
          },
          ...marks("n"),
          chanceRule,
        ],
      },
    };
  };
  const charts: ResultChart[] = c.models.map((m) =>
    vsN(
      `accuracy-vs-n-${m}`,
      `${m === "linear" ? "Linear model" : `Two-layer MLP (width ${c.width})`}: test accuracy ` +
        `after training vs n, raw vs whitened inputs (dashed: n = d; dotted: chance)`,
      cells.filter((x) => x.model === m && x.method === "gd"),
      "final",
    )
  );
  if (c.models.includes("linear") && c.newtonDampings.length) {
    charts.push(vsN(
      "newton-damping",
      "Linear model, best test accuracy along training: gradient descent on raw inputs vs " +
        "damped Newton (dashed: n = d; dotted: chance)",
      cells.filter((x) => x.model === "linear" && (x.method === "newton" || x.condition === "raw")),
      "best",
    ));
    // Trajectories at every n <= d, one panel per size.
    const traj = rows.filter((r) =>
      r.model === "linear" && r.n <= d &&
      (r.method === "newton" || r.condition === "raw" || r.condition === full)
    );
    charts.push({
      name: "linear-trajectories",
      title: "Linear model, n <= d: test accuracy during training (gradient descent on raw and " +
        "whitened inputs, damped Newton on raw inputs; the baseline dashed)",
      spec: {
        data: {
          values: traj.map((r) => ({
            n: r.n,
            steps: r.steps,
            acc: r.test_acc,
            condition: label(r),
            line: r.condition === "raw" ? "baseline" : "other",
          })),
        },
        mark: { type: "line", point: true },
        encoding: {
          column: { field: "n", type: "ordinal", title: "Training-set size n" },
          x: {
            field: "steps",
            type: "quantitative",
            scale: { type: "log", nice: false },
            title: "Steps (log)",
          },
          y: yAcc,
          color,
          strokeDash: dash,
        },
        width: 220,
        height: 220,
      },
    });
  }
  if (c.models.includes("mlp") && c.gnSteps > 0) {
    charts.push(vsN(
      "gauss-newton-damping",
      "MLP, best test accuracy along training: gradient descent on raw inputs vs damped " +
        "Gauss-Newton (dashed: n = d; dotted: chance)",
      cells.filter((x) =>
        x.model === "mlp" && (x.method === "gauss-newton" || x.condition === "raw")
      ),
      "best",
    ));
  }
  const runs = [...new Set(cells.map((x) => `${x.model}|${x.condition}`))];
  const summaryRows = runs.map((k) => {
    const [model, condition] = k.split("|");
    const xs = cells.filter((x) => x.model === model && x.condition === condition);
    return {
      model,
      condition: label(xs[0]),
      acc_n_le_d: accOf(model, condition, le),
      acc_n_gt_d: accOf(model, condition, gt),
      acc_n_le_d_best: accOf(model, condition, le, "best"),
      acc_n_gt_d_best: accOf(model, condition, gt, "best"),
      acc_theorem_regime: groupSize ? accOf(model, condition, regime) : NaN,
      final_train_mse: mean(xs.map((x) => x.final.train_mse)),
    };
  });
  const perSize = cells.map((x) => ({
    model: x.model,
    condition: label(x),
    n: x.n,
    steps: x.final.steps,
    test_acc: x.final.test_acc,
    test_mse: x.final.test_mse,
    train_mse: x.final.train_mse,
    best_test_acc: x.best.test_acc,
    best_at_step: x.best.steps,
    lr: x.final.lr,
    groups: x.final.groups,
  }));
  return {
    metrics,
    tables: [
      {
        name: "summary",
        title: `Mean test accuracy over training sizes n <= d and n > d (d = ${d}): after ` +
          `training, and best along training`,
        table: aq.from(summaryRows),
      },
      {
        name: "accuracy",
        title: "Per model, condition and training-set size: after training and best along it",
        table: aq.from(perSize),
      },
      {
        name: "checkpoints",
        title: "Every evaluation (test accuracy and squared errors at each checkpoint)",
        table: aq.from(rows.map((r) => ({ ...r, condition: label(r) }))),
      },
    ],
    charts,
    notes: notes(c, metrics, d, groupSize, cells),
  };
}

export function notes(
  c: WhiteningGeneralizationConfig,
  m: Record<string, MetricValue>,
  d: number,
  groupSize: number,
  cells: Cell[],
): string[] {
  const f = (v: MetricValue | undefined) => (typeof v === "number" ? v.toFixed(3) : String(v));
  const num = (k: string) => (typeof m[k] === "number" ? (m[k] as number) : NaN);
  const sizes = [...new Set(c.trainSizes)].sort((a, b) => a - b);
  const full = c.whitenRegs.length ? `whiten_reg_${key(Math.min(...c.whitenRegs))}` : "";
  const trainMse = (model: string, condition: string) =>
    mean(
      cells.filter((x) => x.model === model && x.condition === condition)
        .map((x) => x.final.train_mse),
    ).toExponential(1);
  const out: string[] = [];
  out.push(
    `Data: MNIST centre-cropped to ${c.crop}x${c.crop} and average-pooled by ${c.pool}: d = ${d} ` +
      `features, one global scale (mean squared feature 1 on the training pool), not centred. ` +
      `Training sizes ${sizes.join(", ")}; ${c.testSize} test digits; targets one-hot minus 0.1, ` +
      `squared loss. Models: ${c.models.join(" and ")}, trained by full-batch gradient descent ` +
      `with lr = scale / (largest eigenvalue of the training inputs' second moment): linear ` +
      `model ${c.linearSteps} steps (scale ${c.linearLrScale}; iterates computed exactly by ` +
      `repeated squaring), MLP (width ${c.width}, ${c.activation}) ${c.mlpSteps} steps (scale ` +
      `${c.mlpLrScale}, heavy-ball momentum ${c.mlpMomentum}). "After training" is the last ` +
      `step; "best along training" the best test accuracy over checkpoints (an oracle stopping ` +
      `time, the same for every condition). Chance accuracy 0.1 (test majority class ` +
      `${f(m.majority_acc)}).`,
  );
  out.push(
    c.whitenFit === "train+test"
      ? `Whitening protocol: as in the paper's theorem, the transform is fitted on the training ` +
        `inputs together with the test inputs, in groups of ${groupSize} test points (one ` +
        `transform and one trained model per group). Sizes with n + ${groupSize} <= d (` +
        `${sizes.filter((n) => n + groupSize <= d).join(", ") || "none"}) are the theorem's ` +
        `regime, where whitened test points are exactly orthogonal to every training point.`
      : `Whitening protocol: one transform fitted on the training inputs alone, applied to the ` +
        `test inputs (not the theorem's setting: test points keep their projection on the ` +
        `training span, which reg = 0 keeps and a small reg > 0 swamps with the amplified ` +
        `out-of-span component).`,
  );
  for (const model of c.models) {
    const p = `${model}_`;
    const raw = num(`${p}acc_raw_n_le_d`), wh = num(`${p}acc_whitened_n_le_d`);
    const rawGt = num(`${p}acc_raw_n_gt_d`), whGt = num(`${p}acc_whitened_n_gt_d`);
    if (!Number.isFinite(wh)) continue;
    const reg = num(`${p}acc_whitened_theorem_regime`);
    const reproduced = wh - 0.1 < 0.1 && raw - wh > 0.1;
    const shrinks = Number.isFinite(rawGt - whGt) && rawGt - whGt < raw - wh;
    out.push(
      `${model}, after training, mean test accuracy over n <= d: raw ${f(raw)}, fully whitened ` +
        `${f(wh)}` + (Number.isFinite(reg) ? ` (theorem regime: ${f(reg)})` : "") +
        `; over n > d: raw ${f(rawGt)}, whitened ${f(whGt)} (best along training: raw ` +
        `${f(m[`${p}acc_raw_n_le_d_best`])} / ${f(m[`${p}acc_raw_n_gt_d_best`])}, whitened ` +
        `${f(m[`${p}acc_whitened_n_le_d_best`])} / ${f(m[`${p}acc_whitened_n_gt_d_best`])}). ` +
        (reproduced
          ? "Whitened inputs are near chance for n <= d while raw inputs generalize: the " +
            "claim is reproduced. "
          : "The whitened model is NOT near chance for n <= d, or raw inputs do not generalize " +
            "clearly better: the claim is not reproduced at this scale. ") +
        (shrinks
          ? `The gap shrinks for n > d (${f(raw - wh)} -> ${f(rawGt - whGt)}).`
          : `The gap does not shrink for n > d here (${f(raw - wh)} -> ${f(rawGt - whGt)}).`) +
        ` Final training MSE (mean over sizes): raw ${trainMse(model, "raw")}, whitened ` +
        `${trainMse(model, full)}.` +
        (model === "linear"
          ? " For a linear model trained to convergence the n > d gap vanishes exactly: least " +
            "squares is invariant to invertible input transforms; what remains is training time."
          : ""),
    );
    const regs = c.whitenRegs.filter((r) => r > 0).sort((a, b) => a - b);
    if (regs.length) {
      const accs = regs.map((r) => num(`${p}acc_whiten_reg_${key(r)}_n_le_d`));
      out.push(
        `${model}, regularized whitening (n <= d, after training): ` +
          regs.map((r, i) => `reg ${r}: ${f(accs[i])}`).join(", ") +
          ` (reg 0: ${f(wh)}, raw: ${f(raw)}). ` +
          (accs[accs.length - 1] > wh + 0.02
            ? "Accuracy moves from the whitened toward the raw level as the regularizer grows: " +
              "regularization trades the whitening off."
            : "Regularization does not recover accuracy here."),
      );
    }
  }
  if (Number.isFinite(num("acc_newton_undamped"))) {
    const und = num("acc_newton_undamped"), gd = num("acc_gd_linear_n_le_d");
    const cell = (cond: string, n: number) =>
      cells.find((x) => x.model === "linear" && x.condition === cond && x.n === n);
    const perN = sizes.filter((n) => n <= d).map((n) => {
      const g = cell("raw", n), nt = cell("newton_damping_0", n);
      return g && nt ? `n = ${n}: ${f(g.best.test_acc)} / ${f(nt.best.test_acc)}` : "";
    }).filter(Boolean);
    const unconverged = sizes.filter((n) => {
      const g = cell("raw", n), nt = cell("newton_damping_0", n);
      return g && nt && g.final.train_mse > 10 * nt.final.train_mse + 1e-9;
    });
    out.push(
      `Linear model, damped Newton (steps of size 1) vs gradient descent on raw inputs, best test ` +
        `accuracy along training, mean over n <= d: undamped Newton ${f(und)}, GD ${f(gd)}; best ` +
        `damping ${f(m.best_damping)}: ${f(m.acc_newton_best_damping)}` +
        (perN.length ? ` (GD / undamped Newton per size: ${perN.join(", ")})` : "") +
        `. After ${c.linearSteps} steps: Newton ${f(m.acc_newton_undamped_final)}, GD ` +
        `${f(m.acc_gd_linear_n_le_d_final)}. Newton on a linear model is exactly GD on inputs ` +
        `whitened with the training set (whitening_newton_test.ts): undamped, its first step ` +
        `lands on the interpolant nearest the initialization, which GD on raw inputs reaches only ` +
        `in the limit, so the two agree once GD has converged` +
        (unconverged.length
          ? ` (not yet, after ${c.linearSteps} steps, at n = ${
            unconverged.join(", ")
          }, where the ` +
            `training Gram matrix has eigenvalues below l_max / steps)`
          : "") +
        `. What Newton loses is the path: GD fits the large-eigenvalue directions of the ` +
        `training Gram matrix first and passes through better-generalizing (ridge-like) ` +
        `solutions, most visibly near n = d where the interpolant generalizes worst. ` +
        (und < gd - 0.03
          ? "Undamped Newton's best is below GD's, and damping moves it back: the trade-off is " +
            "reproduced."
          : "Undamped Newton is not clearly worse than GD here."),
    );
  }
  if (Number.isFinite(num("mlp_acc_gn_best_damping"))) {
    const gn = num("mlp_acc_gn_best_damping"), gd = num("mlp_acc_raw_n_le_d_best");
    out.push(
      `MLP, damped Gauss-Newton on raw inputs (${c.gnSteps} steps, ${c.gnCgIterations} CG ` +
        `iterations each), best test accuracy along training, mean over n <= d: ` +
        c.gnDampings.map((l) => `damping ${l}: ${f(m[`mlp_acc_gn_damping_${key(l)}_n_le_d`])}`)
          .join(", ") +
        ` (GD on raw inputs: ${f(gd)}). Unlike Newton on a linear model, exact ` +
        `Gauss-Newton on an over-parameterized network is not gradient descent on whitened ` +
        `inputs: its step in function space is kernel regression with the network's empirical ` +
        `NTK, which still contains the input Gram matrix, so the theorem does not force a loss ` +
        `here. ` +
        (gn >= gd - 0.03
          ? "Measured: the best damping generalizes as well as gradient descent or better."
          : `Measured: it generalizes worse than gradient descent by ${f(gd - gn)}.`),
    );
  }
  return out;
}
