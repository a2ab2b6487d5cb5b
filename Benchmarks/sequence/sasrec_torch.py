"""SASRec in PyTorch: the speed peer and the known-answer fixture for the Swift sequence model.

What this is
------------
A PyTorch implementation of exactly the self-attentive sequential recommender that the Swift
`SequenceModel` implements: SASRec (Kang & McAuley 2018, "Self-Attentive Sequential Recommendation",
ICDM) with pre-LayerNorm blocks, trained with the full softmax cross-entropy over all items instead of
SASRec's sampled binary cross-entropy (Klenitskiy & Vasilev 2023, "Turning Dross Into Gold Loss: is
BERT4Rec really better than SASRec?", RecSys), optionally with item text vectors projected into the
item embedding.  It is used

  1. as a speed peer, run side by side with the Swift trainer on the same data and settings, and
  2. to write the known-answer test fixture Tests/SequenceModelTests/Fixtures/sasrec_tiny.json
     (forward output, loss, gradients and scores of a tiny float64 model).

Command lines
-------------
    PY=/root/.tokenizer-parity-venv/bin/python      # torch 2.x (CPU) + numpy
    $PY Benchmarks/sequence/sasrec_torch.py fixture --out Tests/SequenceModelTests/Fixtures/sasrec_tiny.json
    $PY Benchmarks/sequence/sasrec_torch.py bench --train /work/shared/datasets/seq-beauty/train.jsonl \
        --epochs 3 --batch 128 --dimension 64 --blocks 2 --heads 1 --max-length 50 --dropout 0.2 \
        --lr 0.001 --threads 2 --seed 1 \
        [--test /work/shared/datasets/seq-beauty/test.jsonl --lists /tmp/sasrec-lists.jsonl]
    # then score the lists: (cd /work/shared/peers && PY evaluate_lists.py seq-beauty /tmp/sasrec-lists.jsonl)

The model (row-major, y = x·W with W of shape [in, out])
--------------------------------------------------------
Hyper-parameters: n items (dense 0..n-1), dimension d, heads H (dh = d/H), blocks L, max length N,
text dimension m (0 = no text).  FFN hidden size = d.  LayerNorm eps 1e-5, biased variance.

Parameters (the names used in the fixture): item [n,d]; textProjection [m,d] (only if m > 0);
position [N,d]; per block b `blocks.b.` + ln1.gamma, ln1.beta, wq, bq, wk, bk, wv, bv, wo, bo,
ln2.gamma, ln2.beta, w1, b1, w2, b2; lnf.gamma, lnf.beta.  The item text vectors text [n,m] are an input.

  e_i = item[i] + text[i]·textProjection      (shared by the input and the output layer)
  A batch is B sequences right-aligned in T columns (T = longest in the batch, T <= N), left-padded
  with item -1.  Column t uses position[N - T + t], so the most recent item always gets row N-1.
  x_t = e[s_t] + position[N - T + t] for real columns, 0 for padding; x = dropout(x)
  per block:  h = LN1(x); q,k,v = h·wq+bq, h·wk+bk, h·wv+bv
              per head: softmax over keys j <= t that are not padding of q_t·k_j/sqrt(dh);
                        a row with no allowed key (a padding query) gets o_t = 0
              x = x + dropout(o·wo + bo)
              x = x + dropout(relu(LN2(x)·w1 + b1)·w2 + b2)
  y = LNf(x); logits[t, i] = y_t · e_i
  loss = mean over the real columns that have a target of the full softmax cross-entropy over all n items.
Shared efficiency: the output layer is computed only at target positions (rows of y gathered by a mask),
and every batch is trimmed to its longest sequence.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

LN_EPS = 1e-5


# ---------------------------------------------------------------------------------------------- model
def parameter_shapes(n, d, L, N, m):
    """(name, shape, kind) of every parameter in the fixture's order; kind picks the initialisation."""
    spec = [("item", (n, d), "embedding")]
    if m > 0:
        spec.append(("textProjection", (m, d), "matrix"))
    spec.append(("position", (N, d), "embedding"))
    for b in range(L):
        p = f"blocks.{b}."
        spec += [(p + "ln1.gamma", (d,), "gamma"), (p + "ln1.beta", (d,), "beta")]
        for w in ("q", "k", "v", "o"):
            spec += [(p + "w" + w, (d, d), "matrix"), (p + "b" + w, (d,), "bias")]
        spec += [(p + "ln2.gamma", (d,), "gamma"), (p + "ln2.beta", (d,), "beta"),
                 (p + "w1", (d, d), "matrix"), (p + "b1", (d,), "bias"),
                 (p + "w2", (d, d), "matrix"), (p + "b2", (d,), "bias")]
    spec += [("lnf.gamma", (d,), "gamma"), ("lnf.beta", (d,), "beta")]
    return spec


class SASRec(torch.nn.Module):
    """The model above.  `self.p` maps the fixture's parameter names to the torch Parameters."""

    def __init__(self, params, heads, max_length, dropout=0.0):
        super().__init__()
        self.p = OrderedDict()
        for name, value in params.items():
            par = torch.nn.Parameter(value)
            self.register_parameter(name.replace(".", "_"), par)  # torch forbids dots in names
            self.p[name] = par
        self.n, self.d = self.p["item"].shape
        self.H, self.N, self.dropout = heads, max_length, dropout
        self.L = sum(1 for k in self.p if k.endswith(".wq"))
        assert self.d % self.H == 0, "dimension must be a multiple of heads"

    def embeddings(self, text=None):
        """e [n, d]: ID embedding plus the projected item text (when the model has a text projection)."""
        e = self.p["item"]
        if "textProjection" in self.p:
            e = e + text @ self.p["textProjection"]
        return e

    def _drop(self, x):
        return F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x

    def forward(self, inputs, e):
        """inputs [B, T] long (-1 = padding), e [n, d]  ->  y [B, T, d] (padding rows included)."""
        B, T = inputs.shape
        d, H = self.d, self.H
        dh = d // H
        real = inputs >= 0                                                    # [B, T]
        x = e[inputs.clamp(min=0)] + self.p["position"][self.N - T:]          # [B, T, d]
        x = x * real.unsqueeze(-1).to(x.dtype)                                # padding columns = 0
        x = self._drop(x)
        # allowed[b, t, j]: key j is at or before query t and is a real column
        causal = torch.ones(T, T, dtype=torch.bool, device=inputs.device).tril()
        allowed = (causal.unsqueeze(0) & real.unsqueeze(1)).unsqueeze(1)      # [B, 1, T, T]
        has_key = allowed.any(-1, keepdim=True)                               # [B, 1, T, 1]
        scale = 1.0 / math.sqrt(dh)
        for b in range(self.L):
            P = lambda k: self.p[f"blocks.{b}.{k}"]                           # noqa: E731
            h = F.layer_norm(x, (d,), P("ln1.gamma"), P("ln1.beta"), LN_EPS)
            # [B, T, d] -> [B, H, T, dh]; head h owns columns h*dh ..< (h+1)*dh
            q = (h @ P("wq") + P("bq")).view(B, T, H, dh).transpose(1, 2)
            k = (h @ P("wk") + P("bk")).view(B, T, H, dh).transpose(1, 2)
            v = (h @ P("wv") + P("bv")).view(B, T, H, dh).transpose(1, 2)
            s = (q @ k.transpose(-1, -2)) * scale                             # [B, H, T, T]
            s = s.masked_fill(~allowed, float("-inf"))
            s = s.masked_fill(~has_key, 0.0)          # rows with no key: finite, zeroed just below
            w = torch.softmax(s, dim=-1) * has_key.to(s.dtype)               # such rows: o_t = 0
            o = (w @ v).transpose(1, 2).reshape(B, T, d)
            x = x + self._drop(o @ P("wo") + P("bo"))
            h2 = F.layer_norm(x, (d,), P("ln2.gamma"), P("ln2.beta"), LN_EPS)
            x = x + self._drop(torch.relu(h2 @ P("w1") + P("b1")) @ P("w2") + P("b2"))
        return F.layer_norm(x, (d,), self.p["lnf.gamma"], self.p["lnf.beta"], LN_EPS)


def sasrec_loss(y, e, inputs, targets):
    """Mean full-softmax cross-entropy over the real columns with a target; logits only at those rows."""
    mask = (inputs >= 0) & (targets >= 0)
    logits = y[mask] @ e.t()                                                  # [P, n]
    return F.cross_entropy(logits, targets[mask])


# -------------------------------------------------------------------------------------------- fixture
def fixture_parameters(rng, n, d, L, N, m):
    """Drawn in parameter_shapes order from one numpy Generator: matrices and embeddings normal(0, 0.5),
    gammas 1 + normal(0, 0.1), betas and biases normal(0, 0.1)."""
    out = OrderedDict()
    for name, shape, kind in parameter_shapes(n, d, L, N, m):
        if kind in ("embedding", "matrix"):
            out[name] = rng.normal(0.0, 0.5, shape)
        elif kind == "gamma":
            out[name] = 1.0 + rng.normal(0.0, 0.1, shape)
        else:
            out[name] = rng.normal(0.0, 0.1, shape)
    return out


def numpy_reference(params, text, inputs, targets, H, N):
    """An independent, loop-by-loop float64 numpy forward pass of the spec (no masking tricks), used to
    cross-check the torch model before the fixture is written.  Returns (y [B,T,d], loss, last [B,n])."""
    def ln(v, g, b):
        mu = v.mean()
        return (v - mu) / math.sqrt(((v - mu) ** 2).mean() + LN_EPS) * g + b

    e = params["item"] + (text @ params["textProjection"] if "textProjection" in params else 0.0)
    n, d = e.shape
    dh = d // H
    L = sum(1 for k in params if k.endswith(".wq"))
    B, T = len(inputs), len(inputs[0])
    y = np.zeros((B, T, d))
    losses, last = [], np.zeros((B, n))
    for r in range(B):
        x = np.zeros((T, d))
        for t in range(T):
            if inputs[r][t] >= 0:
                x[t] = e[inputs[r][t]] + params["position"][N - T + t]
        for b in range(L):
            P = lambda k: params[f"blocks.{b}.{k}"]                            # noqa: E731
            h = np.array([ln(x[t], P("ln1.gamma"), P("ln1.beta")) for t in range(T)])
            q, k, v = h @ P("wq") + P("bq"), h @ P("wk") + P("bk"), h @ P("wv") + P("bv")
            o = np.zeros((T, d))
            for hd in range(H):
                c = slice(hd * dh, (hd + 1) * dh)
                for t in range(T):
                    keys = [j for j in range(t + 1) if inputs[r][j] >= 0]
                    if not keys:
                        continue                                               # o_t = 0
                    sc = np.array([q[t, c] @ k[j, c] / math.sqrt(dh) for j in keys])
                    wt = np.exp(sc - sc.max())
                    wt /= wt.sum()
                    o[t, c] = sum(wt[i] * v[j, c] for i, j in enumerate(keys))
            x = x + o @ P("wo") + P("bo")
            h2 = np.array([ln(x[t], P("ln2.gamma"), P("ln2.beta")) for t in range(T)])
            x = x + np.maximum(h2 @ P("w1") + P("b1"), 0.0) @ P("w2") + P("b2")
        y[r] = np.array([ln(x[t], params["lnf.gamma"], params["lnf.beta"]) for t in range(T)])
        for t in range(T):
            if inputs[r][t] >= 0 and targets[r][t] >= 0:
                lg = e @ y[r, t]
                mx = lg.max()
                losses.append(mx + math.log(np.exp(lg - mx).sum()) - lg[targets[r][t]])
        last[r] = e @ y[r, T - 1]
    return y, float(np.mean(losses)), last


def run_gradcheck(seed, n, d, H, L, N, m, inputs, targets):
    """torch.autograd.gradcheck of (loss, y) with respect to every parameter (and the text input)."""
    rng = np.random.default_rng(seed)
    params = fixture_parameters(rng, n, d, L, N, m)
    text = torch.tensor(rng.normal(0.0, 1.0, (n, m)), dtype=torch.float64, requires_grad=m > 0)
    names = list(params)
    tensors = [torch.tensor(params[k], dtype=torch.float64, requires_grad=True) for k in names]
    inp, tgt = torch.tensor(inputs), torch.tensor(targets)
    model = SASRec(OrderedDict((k, torch.tensor(v)) for k, v in params.items()), H, N)

    def fn(*args):
        model.p = OrderedDict(zip(names, args[:len(names)]))   # evaluate at gradcheck's tensors
        e = model.embeddings(args[-1] if m > 0 else None)
        y = model(inp, e)
        return sasrec_loss(y, e, inp, tgt), y

    args = tuple(tensors) + ((text,) if m > 0 else ())
    ok = torch.autograd.gradcheck(fn, args, eps=1e-6, atol=1e-7, rtol=1e-5)
    count = sum(t.numel() for t in args)
    print(f"gradcheck n={n} d={d} H={H} L={L} N={N} m={m} B={len(inputs)} T={len(inputs[0])} "
          f"({count} inputs): {'passed' if ok else 'FAILED'}")
    return ok


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def cmd_fixture(args):
    torch.set_default_dtype(torch.float64)
    n, d, H, L, N, m, seed = 7, 8, 2, 2, 6, 4, 7
    inputs = [[0, 3, 1, 4, 2], [-1, -1, 5, 6, 0], [-1, -1, -1, -1, 2]]
    targets = [[3, 1, 4, 2, 6], [-1, -1, 6, 0, 1], [-1, -1, -1, -1, 5]]
    rng = np.random.default_rng(seed)
    params = fixture_parameters(rng, n, d, L, N, m)   # parameters first, in parameter_shapes order,
    text = rng.normal(0.0, 1.0, (n, m))               # then the text vectors, from the same generator

    model = SASRec(OrderedDict((k, torch.tensor(v)) for k, v in params.items()), H, N, dropout=0.0)
    model.eval()
    inp, tgt = torch.tensor(inputs), torch.tensor(targets)
    e = model.embeddings(torch.tensor(text))
    y = model(inp, e)
    loss = sasrec_loss(y, e, inp, tgt)
    loss.backward()
    last = (y[:, -1, :] @ e.t()).detach().numpy()     # sequences are right-aligned: last column = T-1

    # Cross-checks before writing: an independent numpy forward pass, and gradcheck (smaller cases
    # with and without text, and this very configuration).
    ry, rloss, rlast = numpy_reference(params, text, inputs, targets, H, N)
    dy = float(np.abs(ry - y.detach().numpy()).max())
    print(f"numpy reference: max |dy| = {dy:.2e}, |dloss| = {abs(rloss - loss.item()):.2e}, "
          f"max |dscores| = {float(np.abs(rlast - last).max()):.2e}")
    assert dy < 1e-10 and abs(rloss - loss.item()) < 1e-10 and np.abs(rlast - last).max() < 1e-10
    ok = run_gradcheck(3, 5, 4, 2, 2, 4, 3, [[0, 1, 2], [-1, 4, 3]], [[1, 2, 4], [-1, 3, 0]])
    ok &= run_gradcheck(4, 5, 4, 1, 1, 4, 0, [[-1, -1, 2], [0, 1, 3]], [[-1, -1, 1], [1, 3, 4]])
    ok &= run_gradcheck(seed, n, d, H, L, N, m, inputs, targets)
    assert ok

    fixture = OrderedDict()
    fixture["config"] = OrderedDict([("items", n), ("dimension", d), ("heads", H), ("blocks", L),
                                     ("maxLength", N), ("textDimension", m),
                                     ("layerNormEpsilon", LN_EPS)])
    fixture["text"] = flat(text)
    fixture["parameters"] = OrderedDict((k, flat(v)) for k, v in params.items())
    fixture["inputs"] = inputs
    fixture["targets"] = targets
    fixture["output"] = flat(y.detach().numpy())
    fixture["loss"] = float(loss.item())
    fixture["gradients"] = OrderedDict((k, flat(p.grad.numpy())) for k, p in model.p.items())
    fixture["lastScores"] = flat(last)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(fixture, f)   # json writes floats with repr: shortest text that round-trips exactly
        f.write("\n")
    print(f"loss {loss.item():.17g}; wrote {args.out}")


# ---------------------------------------------------------------------------------------------- bench
def read_sequences(path):
    """user -> list of item ids ordered by ts (ties: file order), from the "interaction" lines."""
    events = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            ev = json.loads(line)
            if ev.get("type") != "interaction":
                continue
            events.setdefault(str(ev["user"]), []).append((ev.get("ts", 0), str(ev["item"])))
    # list.sort is stable, so equal timestamps keep the order of the file
    return {u: [i for _, i in sorted(evs, key=lambda p: p[0])] for u, evs in events.items()}


def right_aligned(seqs, width):
    """[len(seqs), width] int64 array, each sequence right-aligned, -1 on the left."""
    out = np.full((len(seqs), width), -1, dtype=np.int64)
    for r, s in enumerate(seqs):
        if len(s):
            out[r, width - len(s):] = s
    return out


def bench_parameters(n, d, L, N, gen):
    """item and position normal(0, 1/sqrt(d)), matrices xavier-uniform, biases 0, gammas 1, betas 0."""
    out = OrderedDict()
    for name, shape, kind in parameter_shapes(n, d, L, N, 0):
        t = torch.empty(shape, dtype=torch.float32)
        if kind == "embedding":
            t.normal_(0.0, 1.0 / math.sqrt(d), generator=gen)
        elif kind == "matrix":
            bound = math.sqrt(6.0 / (shape[0] + shape[1]))
            t.uniform_(-bound, bound, generator=gen)
        elif kind == "gamma":
            t.fill_(1.0)
        else:
            t.zero_()
        out[name] = t
    return out


def cmd_bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)                       # dropout masks
    gen = torch.Generator().manual_seed(args.seed)     # parameter init
    rng = np.random.default_rng(args.seed)             # user order each epoch
    N = args.max_length

    t0 = time.perf_counter()
    seqs = read_sequences(args.train)
    index = {}                                         # item id -> dense index, in first-seen order
    for u in seqs:
        for i in seqs[u]:
            index.setdefault(i, len(index))
    ids = list(index)
    n = len(ids)
    dense = {u: [index[i] for i in s] for u, s in seqs.items()}
    train_users = [u for u in dense if len(dense[u]) >= 2]
    windows = [dense[u][-(N + 1):] for u in train_users]     # last N+1 items: N inputs, N targets
    X = right_aligned([w[:-1] for w in windows], N)
    Y = right_aligned([w[1:] for w in windows], N)
    lengths = np.array([len(w) - 1 for w in windows])
    print(f"{len(seqs)} users ({len(train_users)} with >= 2 items), {n} items, "
          f"{int(lengths.sum())} targets; loaded in {time.perf_counter() - t0:.2f} s", flush=True)

    model = SASRec(bench_parameters(n, args.dimension, args.blocks, N, gen), args.heads, N,
                   dropout=args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8,
                           weight_decay=0.0)
    epoch_seconds = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = rng.permutation(len(train_users))
        loss_sum, count = 0.0, 0
        for b0 in range(0, len(order), args.batch):
            rows = order[b0:b0 + args.batch]
            T = int(lengths[rows].max())                # trim to the longest sequence of the batch
            inp = torch.from_numpy(X[rows, N - T:])
            tgt = torch.from_numpy(Y[rows, N - T:])
            e = model.embeddings()
            loss = sasrec_loss(model(inp, e), e, inp, tgt)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            k = int(lengths[rows].sum())
            loss_sum += loss.item() * k
            count += k
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        # mean loss = mean cross-entropy over all target positions of the epoch (position-weighted)
        print(f"epoch {epoch} loss {loss_sum / count:.4f} seconds {seconds:.2f}", flush=True)
    print(json.dumps({"impl": "pytorch", "epochs": [round(s, 3) for s in epoch_seconds],
                      "median_epoch_s": round(statistics.median(epoch_seconds), 3),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)

    if args.test:
        write_lists(model, dense, ids, args.test, args.lists, N, args.top)


@torch.no_grad()
def write_lists(model, dense, ids, test_path, lists_path, N, top, batch=256):
    """Top-`top` items at the last column of each test user's training sequence (last N items),
    the user's training items excluded, as JSON Lines {"user", "items"} for evaluate_lists.py."""
    model.eval()
    users = []
    with open(test_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                users.append(str(json.loads(line)["user"]))
    known = [u for u in users if dense.get(u)]
    e = model.embeddings()
    k = min(top, len(ids))
    with open(lists_path, "w", encoding="utf-8") as f:
        for b0 in range(0, len(known), batch):
            chunk = known[b0:b0 + batch]
            seqs = [dense[u][-N:] for u in chunk]
            T = max(len(s) for s in seqs)
            inp = torch.from_numpy(right_aligned(seqs, T))
            scores = model(inp, e)[:, -1, :] @ e.t()          # [b, n]
            for r, u in enumerate(chunk):
                scores[r, torch.tensor(sorted(set(dense[u])))] = float("-inf")
            best = scores.topk(k, dim=1).indices.tolist()
            for u, row in zip(chunk, best):
                f.write(json.dumps({"user": u, "items": [ids[i] for i in row]}) + "\n")
    print(f"wrote {len(known)} lists to {lists_path} "
          f"({len(users) - len(known)} test users without training items skipped)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    fx = sub.add_parser("fixture", help="write the float64 known-answer fixture")
    fx.add_argument("--out", required=True)
    bn = sub.add_parser("bench", help="train on an event file and time the epochs")
    bn.add_argument("--train", required=True)
    bn.add_argument("--test")
    bn.add_argument("--lists")
    bn.add_argument("--top", type=int, default=10, help="items per list (default 10)")
    bn.add_argument("--epochs", type=int, default=3)
    bn.add_argument("--batch", type=int, default=128)
    bn.add_argument("--dimension", type=int, default=64)
    bn.add_argument("--blocks", type=int, default=2)
    bn.add_argument("--heads", type=int, default=1)
    bn.add_argument("--max-length", type=int, default=50)
    bn.add_argument("--dropout", type=float, default=0.2)
    bn.add_argument("--lr", type=float, default=0.001)
    bn.add_argument("--threads", type=int, default=2)
    bn.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.mode == "fixture":
        cmd_fixture(args)
    else:
        if args.test and not args.lists:
            ap.error("--test needs --lists")
        cmd_bench(args)


if __name__ == "__main__":
    sys.exit(main())
