# PyTorch side of bench/finetune: the same optimiser step DenseRay takes in each fine-tuning mode,
# on torchvision's DenseNet-121 with the same weights: BatchNorm in eval mode (running statistics
# frozen), BCEWithLogitsLoss with pos_weight, Adam. Prints one JSON line per mode.
import json, struct, sys, time
import torch, torchvision
import torch.nn.functional as F

def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return {k: torch.frombuffer(bytearray(data[e['data_offsets'][0]:e['data_offsets'][1]]), dtype=torch.float32).reshape(e['shape'])
            for k, e in header.items() if k != '__metadata__'}

def main():
    weights, modes, batch, size, iters, threads = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    sd = load_safetensors(weights)
    model = torchvision.models.densenet121(num_classes=sd['classifier.weight'].shape[0])
    model.load_state_dict(sd, strict=False)
    model.eval()  # frozen BatchNorm: running statistics, as DenseRay trains
    k = sd['classifier.weight'].shape[0]
    pos_weight = torch.full((k,), 2.0)
    side = size // 32
    for mode in modes:
        for p in model.parameters():
            p.requires_grad_(False)
        if mode == 'head':
            params = list(model.classifier.parameters())
            x = torch.randn(batch, 1024)
            fwd = lambda x: model.classifier(x)
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
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        def step():
            opt.zero_grad()
            loss = loss_fn(fwd(x), y)
            loss.backward()
            opt.step()
        step()  # warm-up
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        print(json.dumps({'mode': mode, 'seconds': (time.perf_counter() - t0) / iters, 'torch': torch.__version__, 'threads': threads}), flush=True)

main()
