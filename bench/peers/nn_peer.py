"""Peer of bench/nn_bench.ts: Adam steps per second of the same ReLU MLP in torch eager.

784 -> width -> width -> 10, softmax cross-entropy, fixed random batch, torch.optim.Adam
(lr 1e-3, defaults otherwise), f32 with TF32 off. Steps run back to back; the clock stops at a
CUDA synchronize after a chunk of steps, chunks growing until one lasts at least --seconds
(default 1), as in the gpusci bench. Prints `torch_mlp_w{width}_b{batch}_steps_per_s` lines.
Usage: python3 bench/peers/nn_peer.py [--big] [--seconds S]
"""
import time

from _peer import emit, seconds_arg, torch_cuda


def main():
    torch = torch_cuda()
    if torch is None:
        return
    dev = "cuda"
    min_seconds = seconds_arg(1.0)
    print(f"# torch {torch.__version__} device {torch.cuda.get_device_name(0)}")

    for width, batch in [(256, 128), (256, 1024), (1024, 128), (1024, 1024)]:
        torch.manual_seed(width * 7 + batch)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, width),
            torch.nn.ReLU(),
            torch.nn.Linear(width, width),
            torch.nn.ReLU(),
            torch.nn.Linear(width, 10),
        ).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(batch, 784, device=dev)
        y = (torch.arange(batch, device=dev) * 7) % 10
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        for _ in range(5):
            step()
        torch.cuda.synchronize()
        n, rate = 2, 0.0
        while True:
            t0 = time.perf_counter()
            for _ in range(n):
                loss = step()
            loss_value = loss.item()  # one readback, like the gpusci bench
            sec = time.perf_counter() - t0
            if loss_value != loss_value:
                raise RuntimeError("loss became NaN")
            rate = n / sec
            if sec >= min_seconds:
                break
            n = min(n * 4, max(n * 2, int(min_seconds / sec * n * 1.2) + 1))
        emit(f"torch_mlp_w{width}_b{batch}_steps_per_s", rate, "steps/s")


if __name__ == "__main__":
    main()
