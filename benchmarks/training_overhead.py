"""How much does `embedlab.train` cost over a bare PyTorch loop doing the same work?

Same model, data, optimizer and epochs; both loops read the loss back every epoch. Each is timed
several times in alternation and the medians are compared. Run with `make bench`.
"""

import statistics
import time

import torch
from torch import nn

from embedlab import load_split, mlp, seed_everything, train

EPOCHS, REPEATS = 1000, 7


def bare_loop(model, X, y):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    losses = []
    for _ in range(EPOCHS):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def embedlab_loop(model, X, y):
    return train(model, X, y, nn.CrossEntropyLoss(), epochs=EPOCHS, lr=1e-3).loss


def timed(loop, split):
    seed_everything(0)
    model = mlp(split.n_features, (100, 100), split.n_classes)
    start = time.perf_counter()
    losses = loop(model, split.X_train, split.y_train)
    return time.perf_counter() - start, losses


def main():
    torch.set_num_threads(1)
    split = load_split("iris", seed=0)
    timed(bare_loop, split)  # warm-up
    bare, ours = [], []
    for _ in range(REPEATS):
        seconds, bare_losses = timed(bare_loop, split)
        bare.append(seconds)
        seconds, our_losses = timed(embedlab_loop, split)
        ours.append(seconds)
    assert bare_losses == our_losses, "the two loops must do exactly the same work"
    ratio = statistics.median(ours) / statistics.median(bare)
    print(
        f"{EPOCHS} full-batch epochs on Iris (4-100-100-3 MLP, Adam, 1 thread), {REPEATS} repeats"
    )
    print(f"bare PyTorch loop: median {statistics.median(bare):.3f} s")
    print(f"embedlab.train:    median {statistics.median(ours):.3f} s")
    print(f"ratio: {ratio:.3f} (goal: at most 1.10)")


if __name__ == "__main__":
    main()
