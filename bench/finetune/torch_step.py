# PyTorch side of bench/finetune: the optimiser step DenseRay takes in each fine-tuning mode, on
# torchvision's DenseNet-121 with the same weights: BatchNorm in eval mode (running statistics frozen,
# γ/β trained in the trained part), BCEWithLogitsLoss with pos_weight, Adam with weight decay.
# A server: after loading, each stdin line "<steps>" runs that many steps of the mode given on the
# command line and prints {"seconds": [...]}; "rss" prints the peak resident set size in bytes.
import json, resource, sys, time
import torch, torchvision
import torch.nn.functional as F
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__file__), '..'))
from torch_safetensors import load_safetensors


def main():
    weights, mode, batch, size, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    sd = load_safetensors(weights)
    k = sd['classifier.weight'].shape[0]
    model = torchvision.models.densenet121(num_classes=k)
    model.load_state_dict(sd, strict=False)
    model.eval()  # frozen BatchNorm statistics, as DenseRay trains
    for p in model.parameters():
        p.requires_grad_(False)
    side = size // 32
    if mode == 'head':
        params = list(model.classifier.parameters())
        x = torch.randn(batch, 1024)
        fwd = model.classifier
    elif mode == 'last-block':
        params = list(model.features.denseblock4.parameters()) + list(model.features.norm5.parameters()) + list(model.classifier.parameters())
        x = torch.randn(batch, 512, side, side)

        def fwd(x):
            h = F.relu(model.features.norm5(model.features.denseblock4(x)))
            return model.classifier(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))
    else:
        params = list(model.parameters())
        x = torch.randn(batch, 3, size, size)
        fwd = model
    for p in params:
        p.requires_grad_(True)
    y = (torch.rand(batch, k) < 0.3).float()
    opt = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.full((k,), 2.0))

    def step():
        opt.zero_grad()
        loss_fn(fwd(x), y).backward()
        opt.step()

    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == 'rss':
            print(json.dumps({'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}), flush=True)
            continue
        times = []
        for _ in range(int(cmd)):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(json.dumps({'seconds': times}), flush=True)


main()
