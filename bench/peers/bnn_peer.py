"""JAX peer of bench/bnn_bench.ts: the same wide-BNN sampling work, on the GPU.

A 784 -> width -> 10 GELU network in NTK parameterization on 256 synthetic regression points
(inputs and one-hot-minus-0.1 targets from the same xorshift32 stream as the Deno bench), 8
chains, the reference's Metropolis-adjusted underdamped Langevin sampler (google/wide_bnn_sampling
`samplers.hmc` with one leapfrog step, refresh 0.01: partial momentum refresh, leapfrog, MH,
momentum flip on rejection), jit-compiled with lax.scan, f32 with full-precision matmuls
("highest", no TF32: the WGSL matmul is plain f32). Prints, for each width:

  jax_bnn_w{W}_leapfrog_steps_per_s   sampler steps (all 8 chains) per second, fixed step size
  jax_bnn_w{W}_standard_ess_per_s     median bulk-ESS of the test outputs per second of sampling
  jax_bnn_w{W}_standard_ess_per_gradient

ESS: rank-normalized split chains (Vehtari et al. 2021) fed to numpyro's
`effective_sample_size` (Geyer's initial monotone sequence), as the Deno side computes it.
Usage: python3 bench/peers/bnn_peer.py [--big] [--warmup N] [--steps N]
"""

import argparse
import math
import time

import numpy as np

N_TRAIN, N_TEST, DIM, CHAINS, NOISE, REFRESH, THIN = 256, 16, 784, 8, 0.1, 0.01, 4


def hash_stream(seed):
    s = (seed * 2654435761 + 12345) & 0xFFFFFFFF or 1
    while True:
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        yield s / 4294967296


def synthetic(n, seed):
    r = hash_stream(seed)
    x = np.zeros((n, DIM), np.float32)
    y = np.full((n, 10), -0.1, np.float32)
    for i in range(n):
        for j in range(DIM):
            x[i, j] = (next(r) - 0.5) * math.sqrt(12)
        y[i, int(next(r) * 10)] = 0.9
    return x, y


def ess_bulk(draws):
    """draws: [chains, n]. Bulk ESS: split chains, rank-normalize, Geyer (numpyro or numpy)."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    c, n = draws.shape
    h = n // 2
    split = np.concatenate([draws[:, :h], draws[:, n - h:]], axis=0)
    r = rankdata(split, method="average").reshape(split.shape)
    z = ndtri((r - 0.375) / (split.size + 0.25))
    try:
        from numpyro.diagnostics import effective_sample_size

        return float(effective_sample_size(z))
    except ImportError:
        return float(_ess_numpy(z))


def _ess_numpy(x):
    m, n = x.shape
    f = np.fft.rfft(x - x.mean(1, keepdims=True), n=2 * n)
    acov = np.fft.irfft(f * np.conj(f))[:, :n] / n
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n + (x.mean(1).var(ddof=1) if m > 1 else 0)
    rho = 1 - (mean_var - acov.mean(0)) / var_plus
    rho[0] = 1
    t, s, prev = 0, 0.0, np.inf
    while t + 1 < n:
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        pair = min(pair, prev)
        s += pair
        prev = pair
        t += 2
    return m * n / max(-1 + 2 * s, 1 / math.log10(m * n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    # --big matches bench/bnn_bench.ts --big: chains long enough to measure the standard ESS
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--widths", default="128,1024")
    ap.add_argument("--seconds", type=float, default=1.0)
    a = ap.parse_args()
    a.warmup = a.warmup if a.warmup is not None else (500 if a.big else 300)
    a.steps = a.steps if a.steps is not None else (4000 if a.big else 1200)

    import jax
    import jax.numpy as jnp

    jax.config.update("jax_default_matmul_precision", "highest")
    print(f"# jax {jax.__version__} on {jax.devices()[0].device_kind}", flush=True)
    x_np, y_np = synthetic(N_TRAIN, 1)
    xt_np, _ = synthetic(N_TEST, 2)
    x, y, xt = jnp.asarray(x_np), jnp.asarray(y_np), jnp.asarray(xt_np)

    for width in [int(w) for w in a.widths.split(",")]:
        def embed(p, inp):
            z = inp @ p["w0"] * (math.sqrt(2) / math.sqrt(DIM)) + 0.1 * p["b0"]
            h = jax.nn.gelu(z, approximate=False)
            return jnp.concatenate([h / math.sqrt(width), jnp.full((inp.shape[0], 1), 0.1)], 1)

        def v_one(p):  # likelihood energy of one chain (the prior is added below)
            f = embed(p, x) @ p["readout"]
            return jnp.sum((y - f) ** 2) / (2 * NOISE**2)

        vg = jax.vmap(jax.value_and_grad(v_one))

        def tsum(fn, *ts):
            return sum(jnp.sum(fn(*ls).reshape(CHAINS, -1), 1) for ls in zip(*[jax.tree_util.tree_leaves(t) for t in ts]))

        def step(state, key, eps):
            q, p, v, g = state
            kx, ka = jax.random.split(key)
            leaves, tdef = jax.tree_util.tree_flatten(q)
            ks = jax.random.split(kx, len(leaves))
            xi = jax.tree_util.tree_unflatten(tdef, [jax.random.normal(k, l.shape) for k, l in zip(ks, leaves)])
            e = eps[:, None, None]
            p0 = jax.tree_util.tree_map(lambda m, z: math.sqrt(1 - REFRESH) * m + math.sqrt(REFRESH) * z, p, xi)
            ph = jax.tree_util.tree_map(lambda m, gg, qq: m - 0.5 * e * (gg + qq), p0, g, q)
            q1 = jax.tree_util.tree_map(lambda qq, m: qq + e * m, q, ph)
            v1, g1 = vg(q1)
            p1 = jax.tree_util.tree_map(lambda m, gg, qq: m - 0.5 * e * (gg + qq), ph, g1, q1)
            dh = (v1 - v) + 0.5 * tsum(lambda a1, a0: (a1 - a0) * (a1 + a0), q1, q) \
                + 0.5 * tsum(lambda a1, a0: (a1 - a0) * (a1 + a0), p1, p0)
            prob = jnp.where(jnp.isfinite(dh), jnp.exp(jnp.minimum(-dh, 0.0)), 0.0)
            acc = jax.random.uniform(ka, (CHAINS,)) < prob
            sel = lambda a1, a0: jnp.where(acc[:, None, None], a1, a0)
            new = (jax.tree_util.tree_map(sel, q1, q),
                   jax.tree_util.tree_map(lambda a1, a0: sel(a1, -a0), p1, p0),
                   jnp.where(acc, v1, v),
                   jax.tree_util.tree_map(sel, g1, g))
            return new, prob

        def init(key):
            k = jax.random.split(key, 4)
            q = {"w0": jax.random.normal(k[0], (CHAINS, DIM, width)),
                 "b0": jax.random.normal(k[1], (CHAINS, 1, width)),
                 "readout": jax.random.normal(k[2], (CHAINS, width + 1, 10))}
            p = jax.tree_util.tree_map(lambda t: jax.random.normal(k[3], t.shape), q)
            v, g = vg(q)
            return (q, p, v, g)

        @jax.jit
        def run_fixed(state, key, eps, n_dummy):
            def body(s, k):
                s, prob = step(s, k, eps)
                return s, prob
            return jax.lax.scan(body, state, jax.random.split(key, n_dummy.shape[0]))

        state = init(jax.random.PRNGKey(width))
        eps = jnp.full((CHAINS,), 0.002)
        # steps per second: compile once per chunk length, time the second call
        n, rate = 8, 0.0
        while True:
            dummy = jnp.zeros((n,))
            out = run_fixed(state, jax.random.PRNGKey(1), eps, dummy)
            jax.block_until_ready(out)
            t0 = time.perf_counter()
            out = run_fixed(out[0], jax.random.PRNGKey(2), eps, dummy)
            jax.block_until_ready(out)
            sec = time.perf_counter() - t0
            rate = n / sec
            if sec >= a.seconds or n >= 4096:
                break
            n = min(n * 4, max(n * 2, int(math.ceil(a.seconds / sec * n * 1.2))))
        print(f"jax_bnn_w{width}_leapfrog_steps_per_s {rate:.5g} steps/s", flush=True)

        # ESS/s: dual-averaging warm-up (shared across chains), then sampling with recording.
        @jax.jit
        def warm(state, key):
            mu, gamma, t0, kappa, delta = math.log(10 * 0.1), 0.05, 10.0, 0.75, 0.9

            def body(c, xs):
                s, log_eps, log_eps_bar, hbar = c
                k, t = xs
                s, prob = step(s, k, jnp.full((CHAINS,), jnp.exp(log_eps)))
                w = 1.0 / (t + t0)
                hbar = (1 - w) * hbar + w * (delta - prob.mean())
                log_eps = mu - jnp.sqrt(t) / gamma * hbar
                eta = t ** (-kappa)
                log_eps_bar = eta * log_eps + (1 - eta) * log_eps_bar
                return (s, log_eps, log_eps_bar, hbar), None

            ts = jnp.arange(1, a.warmup + 1, dtype=jnp.float32)
            c0 = (state, jnp.log(0.1), 0.0, 0.0)
            (s, _, leb, _), _ = jax.lax.scan(body, c0, (jax.random.split(key, a.warmup), ts))
            return s, jnp.exp(leb)

        def sample_fn(state, key, eps):
            def outer(s, k):
                def inner(s2, k2):
                    s2, prob = step(s2, k2, eps)
                    return s2, prob
                s, probs = jax.lax.scan(inner, s, jax.random.split(k, THIN))
                f = jax.vmap(lambda pp: embed(pp, xt) @ pp["readout"])(s[0])
                return s, (f.reshape(CHAINS, -1), probs.mean(0))
            return jax.lax.scan(outer, state, jax.random.split(key, a.steps // THIN))

        state = init(jax.random.PRNGKey(width))
        ws, eps_w = warm(state, jax.random.PRNGKey(3))
        jax.block_until_ready(ws)
        epsv = jnp.full((CHAINS,), eps_w)
        sample_c = jax.jit(sample_fn).lower(ws, jax.random.PRNGKey(4), epsv).compile()
        t0 = time.perf_counter()
        _, (rec, probs) = sample_c(ws, jax.random.PRNGKey(4), epsv)
        rec = np.asarray(jax.block_until_ready(rec))
        sec = time.perf_counter() - t0
        draws = np.transpose(rec, (1, 0, 2))  # [chains, draws, outputs]
        ess = float(np.median([ess_bulk(draws[:, :, j]) for j in range(draws.shape[2])]))
        print(f"jax_bnn_w{width}_standard_ess_per_s {ess / sec:.5g} ess/s", flush=True)
        print(f"jax_bnn_w{width}_standard_ess_per_gradient {ess / (a.steps * CHAINS):.5g} ess/grad", flush=True)
        print(f"# w{width} standard: ESS {ess:.1f} in {sec:.2f} s, accept {float(np.asarray(probs).mean()):.3f}, "
              f"step {float(eps_w):.2e}", flush=True)


if __name__ == "__main__":
    main()
