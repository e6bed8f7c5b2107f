"""Peer of bench/optim_bench.ts: particle-steps per second of PES meta-training in JAX.

One iteration = one antithetic PES truncation of K = 10 steps for every particle (persistent
states and perturbation accumulators, resets at episode ends as in learned_optimization's
truncated_pes) plus an SGD update of theta, jitted as a whole (vmap over particles, lax.scan over
steps). Two inner problems, the same as the gpusci bench:
- influence balancing (n = 23, 10 positive influences, 1,000 particles, sigma 0.1);
- a sinusoid-regression MLP (1 -> 32 tanh -> 1, SGD on 32-point minibatches, lr schedule
  exp(theta0) (T - t)/T + exp(theta1) t/T, T = 100, 1,000 particles).
Also the per-parameter MLP learned optimizer update (learned_optimization's MLPLOpt: 19 features
-> 32 -> 32 -> 2, momentum decays 0.1 .. 0.9999, per-tensor second-moment normalization, tanh
step embedding) on one tensor of 2^20 parameters with fixed gradients, jitted:
`jax_lopt_update_params_per_s`.
Iterations run back to back; the clock stops at block_until_ready after a chunk, chunks growing
until one lasts at least --seconds (default 1). Prints `jax_pes_influence_particle_steps_per_s`
and `jax_pes_mlp_particle_steps_per_s`.
Usage: python3 bench/peers/optim_peer.py [--big] [--seconds S]
"""
import time

from _peer import emit, seconds_arg

K = 10


def main():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        print("# jax not importable; skipping")
        return
    min_seconds = seconds_arg(1.0)
    print(f"# jax {jax.__version__} devices {jax.devices()}")

    def make_pes(step, fresh, horizon, particles, dim, sigma, lr):
        """A jitted PES iteration over `particles` unrolls (particles/2 antithetic pairs)."""
        n = particles // 2

        @jax.jit
        def iteration(theta, states, acc, t, key):
            eps = jax.random.normal(key, (n, dim)) * sigma
            thetas = jnp.concatenate([theta + eps, theta - eps])
            tt = jnp.concatenate([t, t])
            pidx = jnp.concatenate([jnp.arange(n), jnp.arange(n)])

            def body(carry, _):
                s, tc = carry
                s2, loss = jax.vmap(step)(thetas, s, tc, pidx)
                tn = tc + 1
                done = tn == horizon
                s2 = jax.tree_util.tree_map(
                    lambda a, b: jnp.where(done.reshape((-1,) + (1,) * (a.ndim - 1)), a, b),
                    jax.vmap(fresh)(s2, pidx), s2)
                return (s2, jnp.where(done, 0, tn)), (loss, done)

            (states, tt), (losses, dones) = jax.lax.scan(body, (states, tt), None, length=K)
            diff = losses[:, :n] - losses[:, n:]                       # [K, n]
            done_p = dones[:, :n]
            finished = (jnp.cumsum(done_p, axis=0) - done_p) > 0       # steps after the end
            pre = jnp.sum(diff * (1 - finished), axis=0) / K
            post = jnp.sum(diff * finished, axis=0) / K
            g = (pre @ (acc + eps) + post @ eps) / (2 * sigma**2 * n)
            ended = jnp.any(done_p, axis=0)[:, None]
            acc = jnp.where(ended, eps, acc + eps)
            return theta - lr * g, states, acc, tt[:n], jnp.mean(losses)

        return iteration

    # ---- influence balancing ----------------------------------------------------------
    ns, npos = 23, 10
    A = 0.5 * jnp.eye(ns) + 0.5 * jnp.eye(ns, k=1)
    sign = jnp.where(jnp.arange(ns) < npos, 1.0, -1.0)

    def infl_step(theta, s, t, pidx):
        s2 = A @ s + theta[0] * sign
        return s2, 0.5 * (s2[0] - 1.0) ** 2

    def infl_fresh(s, pidx):
        return jnp.ones_like(s)

    # ---- sinusoid MLP -----------------------------------------------------------------
    H, B, T = 32, 32, 100
    base = jax.random.PRNGKey(7)

    def mlp_init(pkey):
        k1, k2, k3 = jax.random.split(pkey, 3)
        amp = jax.random.uniform(k1, (), minval=0.1, maxval=5.0)
        phase = jax.random.uniform(k2, (), minval=0.0, maxval=jnp.pi)
        g = jax.random.normal(k3, (2, H))
        params = (g[0], jnp.zeros(H), g[1] / jnp.sqrt(H), jnp.zeros(()))
        return (params, amp, phase, pkey)

    def mlp_step(theta, st, t, pidx):
        params, amp, phase, pkey = st
        x = jax.random.uniform(jax.random.fold_in(pkey, t), (B,), minval=-5.0, maxval=5.0)
        y = amp * jnp.sin(x - phase)

        def mse(p):
            w1, b1, w2, b2 = p
            h = jnp.tanh(x[:, None] * w1 + b1)
            return jnp.mean((h @ w2 + b2 - y) ** 2)

        loss, g = jax.value_and_grad(mse)(params)
        tf = t.astype(jnp.float32)
        lr = jnp.exp(theta[0]) * (T - tf) / T + jnp.exp(theta[1]) * tf / T
        params = jax.tree_util.tree_map(lambda a, b: a - lr * b, params, g)
        return (params, amp, phase, pkey), loss

    def mlp_fresh(st, pidx):
        return mlp_init(jax.random.fold_in(st[3], 1))

    cases = [
        ("pes_influence", 1000, infl_step, infl_fresh, 10**9, 1, 0.1, 1e-5,
         lambda P: jnp.ones((P, ns)), jnp.array([0.5])),
        ("pes_mlp", 1000, mlp_step, mlp_fresh, T, 2, 0.1, 1e-4,
         lambda P: jax.vmap(mlp_init)(jax.random.split(base, P // 2)), jnp.array([-3.0, -3.0])),
    ]
    for name, P, step, fresh, horizon, dim, sigma, lr, init, theta in cases:
        it = make_pes(step, fresh, horizon, P, dim, sigma, lr)
        half = init(P)
        states = jax.tree_util.tree_map(lambda a: jnp.concatenate([a, a]), half) \
            if name == "pes_mlp" else init(P)
        acc = jnp.zeros((P // 2, dim))
        t = jnp.zeros((P // 2,), jnp.int32)
        key = jax.random.PRNGKey(0)
        i = 0
        for _ in range(3):
            theta, states, acc, t, loss = it(theta, states, acc, t, jax.random.fold_in(key, i))
            i += 1
        loss.block_until_ready()
        n, rate = 4, 0.0
        while True:
            t0 = time.perf_counter()
            for _ in range(n):
                theta, states, acc, t, loss = it(theta, states, acc, t, jax.random.fold_in(key, i))
                i += 1
            loss.block_until_ready()
            sec = time.perf_counter() - t0
            rate = n * P * K / sec
            if sec >= min_seconds:
                break
            n = min(n * 4, max(n * 2, int(min_seconds / sec * n * 1.2) + 1))
        if not bool(jnp.isfinite(loss)):
            print(f"# {name}: loss became {loss}")
        emit(f"jax_{name}_particle_steps_per_s", rate, "particle-steps/s")

    lopt_update(jax, jnp, min_seconds)


def lopt_update(jax, jnp, min_seconds):
    """MLPLOpt updates of one 2^20-parameter tensor, the same work as lopt_update in gpusci."""
    n, hidden = 1 << 20, 32
    decays = jnp.array([0.1, 0.5, 0.9, 0.99, 0.999, 0.9999])
    scales = jnp.array([1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000], jnp.float32)
    sizes = [19, hidden, hidden, 2]
    keys = jax.random.split(jax.random.PRNGKey(0), len(sizes))
    weights = [(jax.random.truncated_normal(keys[i], -2.0, 2.0, (sizes[i], sizes[i + 1]))
                / jnp.sqrt(sizes[i]), jnp.zeros(sizes[i + 1])) for i in range(len(sizes) - 1)]

    @jax.jit
    def update(p, m, g, it):
        m = decays[:, None] * m + (1 - decays[:, None]) * g[None, :]
        raw = jnp.concatenate([g[None], p[None], m], 0)  # [8, n]
        feats = raw * jax.lax.rsqrt(1e-5 + jnp.mean(raw * raw, axis=1, keepdims=True))
        tau = jnp.tanh(it / scales - 1.0)
        x = jnp.concatenate([feats.T, jnp.broadcast_to(tau, (n, tau.shape[0]))], 1)
        for i, (w, b) in enumerate(weights):
            x = x @ w + b
            if i < len(weights) - 1:
                x = jax.nn.relu(x)
        step = x[:, 0] * jnp.exp(x[:, 1] * 0.001) * 0.001
        return p - step, m

    k1, k2 = jax.random.split(jax.random.PRNGKey(1))
    g = jax.random.normal(k1, (n,))
    p = jax.random.normal(k2, (n,))
    m = jnp.zeros((6, n))
    it = jnp.float32(0)
    for _ in range(3):
        p, m = update(p, m, g, it)
    p.block_until_ready()
    k, rate = 4, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(k):
            p, m = update(p, m, g, it)
        p.block_until_ready()
        sec = time.perf_counter() - t0
        rate = k * n / sec
        if sec >= min_seconds:
            break
        k = min(k * 4, max(k * 2, int(min_seconds / sec * k * 1.2) + 1))
    emit("jax_lopt_update_params_per_s", rate, "params/s")


if __name__ == "__main__":
    main()
