"""Peer of bench/sde_bench.ts: reverse-SDE (Euler-Maruyama) steps per second and PC-sampler
samples per second with the same score models in torch eager (f32, TF32 off).

Models (as gpusci's scoreMlp): Gaussian Fourier features of t (E/2 frequencies, sin and cos),
h = silu(h W_l + b_l + emb Wt_l) per hidden layer, output h Wo + bo + x * w_skip divided by the
VP marginal std s(t); the 2-D Gaussian mixture's exact score by responsibilities (logsumexp over
components). One EM step: score, then x + (a x - g^2 s) dt + g sqrt(|dt|) z with torch.randn_like.
The clock stops at a CUDA synchronize after a chunk of steps, chunks growing until one lasts at
least --seconds (default 1), as in the gpusci bench. Prints `torch_<metric>` lines with the
gpusci metric names. Usage: python3 bench/peers/sde_peer.py [--big] [--seconds S]
"""
import math
import time

from _peer import emit, seconds_arg, torch_cuda


BETA_MIN, BETA_MAX, N = 0.1, 20.0, 1000
MODELS = {
    "mlp2d": (2, [128, 128, 128], 32),
    "mnist": (784, [512, 512], 64),
    "mnist_h256": (784, [256, 256], 64),
    "mnist_h1024x3": (784, [1024, 1024, 1024], 64),
}


def vp(t):
    beta = BETA_MIN + t * (BETA_MAX - BETA_MIN)
    lmc = -0.25 * t * t * (BETA_MAX - BETA_MIN) - 0.5 * t * BETA_MIN
    return -0.5 * beta, math.sqrt(beta), math.sqrt(-math.expm1(2 * lmc)), math.exp(lmc)


def main():
    torch = torch_cuda()
    if torch is None:
        return
    dev = "cuda"
    min_seconds = seconds_arg(1.0)
    print(f"# torch {torch.__version__} device {torch.cuda.get_device_name(0)}")
    torch.manual_seed(0)

    class ScoreMlp(torch.nn.Module):
        def __init__(self, dim, hidden, embed):
            super().__init__()
            self.register_buffer("fw", torch.randn(embed // 2) * 16.0)
            self.layers = torch.nn.ModuleList()
            self.temb = torch.nn.ModuleList()
            d = dim
            for h in hidden:
                self.layers.append(torch.nn.Linear(d, h))
                self.temb.append(torch.nn.Linear(embed, h, bias=False))
                d = h
            self.out = torch.nn.Linear(d, dim)
            self.skip = torch.nn.Parameter(torch.zeros(dim))  # learned elementwise input skip

        def forward(self, x, t):
            _, _, std, _ = vp(t)
            proj = (2 * math.pi * t) * self.fw
            emb = torch.cat([torch.sin(proj), torch.cos(proj)])[None, :]
            h = x
            for lin, te in zip(self.layers, self.temb):
                h = torch.nn.functional.silu(lin(h) + te(emb))
            return torch.addcmul(self.out(h), x, self.skip) / std

    w = torch.tensor([0.2, 0.3, 0.5], device=dev)
    mu = torch.tensor([[-2.0, 1.0], [2.0, 0.0], [0.0, -2.0]], device=dev)
    cov = torch.tensor([[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.1, 0.0], [0.0, 0.6]]],
                       device=dev)
    eye = torch.eye(2, device=dev)

    def gmm_score(x, t):
        _, _, s, m = vp(t)
        c = m * m * cov + s * s * eye
        p = torch.linalg.inv(c)
        d = x[:, None, :] - m * mu[None]  # [B, K, D]
        pd = torch.einsum("kij,bkj->bki", p, d)
        logits = torch.log(w) - 0.5 * (d * pd).sum(-1) - 0.5 * torch.logdet(c) - math.log(2 * math.pi)
        r = torch.softmax(logits, dim=1)
        return -(r[..., None] * pd).sum(1)

    dt = -1.0 / N

    @torch.no_grad()
    def em_steps(score, x, steps):
        for i in range(steps):
            t = 1 - (i % 999) / 1000
            a, g, _, _ = vp(t)
            s = score(x, t)
            x = x + (a * x - g * g * s) * dt + g * math.sqrt(-dt) * torch.randn_like(x)
        return x

    def steps_per_second(score, dim, batch):
        x0 = torch.randn(batch, dim, device=dev)
        em_steps(score, x0, 3)
        torch.cuda.synchronize()
        n, rate = 4, 0.0
        while True:
            t0 = time.perf_counter()
            em_steps(score, x0, n)
            torch.cuda.synchronize()
            s = time.perf_counter() - t0
            rate = n / s
            if s >= min_seconds or n >= 20000:
                break
            n = min(20000, math.ceil(n * max(2, 1.2 * min_seconds / s)))
        return rate

    @torch.no_grad()
    def pc_sample(score, dim, batch, steps, snr=0.16):
        x = torch.randn(batch, dim, device=dev)
        betas = torch.linspace(BETA_MIN / steps, BETA_MAX / steps, steps).tolist()
        for i in range(steps):
            t = 1 + i * (1e-3 - 1) / (steps - 1)
            idx = min(steps - 1, int(t * (steps - 1) + 1e-9))
            beta = betas[idx]
            alpha = 1 - beta
            # Langevin corrector
            grad = score(x, t)
            noise = torch.randn_like(x)
            gn = torch.linalg.norm(grad.reshape(batch, -1), dim=-1).mean()
            nn_ = torch.linalg.norm(noise.reshape(batch, -1), dim=-1).mean()
            eps = (snr * nn_ / gn) ** 2 * 2 * alpha
            x = x + eps * grad + torch.sqrt(eps * 2) * noise
            # reverse-diffusion predictor
            s = score(x, t)
            x_mean = x - (math.sqrt(alpha) - 1) * x + beta * s  # x - f_i + G_i^2 s
            x = x_mean + math.sqrt(beta) * torch.randn_like(x) if i < steps - 1 else x_mean
        return x

    def pc_samples_per_second(score, dim, batch, steps):
        pc_sample(score, dim, batch, steps).sum().item()
        t0 = time.perf_counter()
        pc_sample(score, dim, batch, steps).sum().item()
        return batch / (time.perf_counter() - t0)

    batches = [1024, 16384]
    for b in batches:
        emit(f"torch_sde_em_steps_per_s_gmm2d_b{b}", steps_per_second(gmm_score, 2, b), "steps/s")
    models = {k: ScoreMlp(*v).to(dev) for k, v in MODELS.items()}
    for b in batches:
        emit(f"torch_sde_em_steps_per_s_mlp2d_b{b}", steps_per_second(models["mlp2d"], 2, b), "steps/s")
    for name in ["mnist", "mnist_h256", "mnist_h1024x3"]:
        for b in batches:
            emit(f"torch_sde_em_steps_per_s_{name}_b{b}", steps_per_second(models[name], 784, b), "steps/s")
    emit("torch_sde_pc1000_samples_per_s_mnist_b1024",
         pc_samples_per_second(models["mnist"], 784, 1024, 1000), "samples/s")


if __name__ == "__main__":
    main()
