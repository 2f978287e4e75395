# bench/bert_torch.py - the PyTorch side of bench/bert_bench.sh: the same
# BERT-base shape (embeddings + LayerNorm, 12 post-LN encoder layers with
# exact GELU, hidden 768, 12 heads, intermediate 3072) built from stock
# torch modules with random weights, timed in eval/inference mode (torch's
# fused fast path) at batch 1x16 and 64x32 tokens, R runs after a warm-up
# (the same R as bert_bench.c), best and median wall time and best process
# CPU time printed.
# Usage: OPENBLAS_NUM_THREADS=T OMP_NUM_THREADS=T /usr/bin/python3 bert_torch.py T
import sys, time
import torch
from torch import nn

t = int(sys.argv[1])
torch.set_num_threads(t)
torch.manual_seed(0)


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(30522, 768)
        self.pos = nn.Embedding(512, 768)
        self.tok_type = nn.Embedding(2, 768)
        self.ln = nn.LayerNorm(768, eps=1e-12)
        layer = nn.TransformerEncoderLayer(768, 12, 3072, dropout=0.0, activation="gelu",
                                           layer_norm_eps=1e-12, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 12, enable_nested_tensor=False)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.ln(self.word(ids) + self.pos(pos) + self.tok_type(torch.zeros_like(ids)))
        return self.enc(x)[:, 0]


m = Bert().eval()
with torch.inference_mode():
    for b, s in ((1, 16), (64, 32)):
        ids = torch.randint(1000, 21000, (b, s))
        reps = 20 if b == 1 else 3
        m(ids)
        times, cpu = [], 1e30
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            m(ids)
            times.append((time.perf_counter() - t0) * 1e3)
            cpu = min(cpu, (time.process_time() - c0) * 1e3)
        times.sort()
        best, med = times[0], times[reps // 2]
        print("torch threads=%d batch=%dx%d best_ms=%.1f median_ms=%.1f cpu_ms=%.1f tokens/s=%.0f"
              % (t, b, s, best, med, cpu, b * s / (best / 1e3)), flush=True)
