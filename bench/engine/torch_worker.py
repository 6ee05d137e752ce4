# PyTorch side of bench/engine: loads the same safetensors weights into torchvision's DenseNet-121
# and answers timing requests on stdin, one JSON line each, so the Node side can interleave runs.
import json, os, sys, time
import torch, torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from torch_safetensors import load_safetensors  # noqa: E402

def main():
    weights, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    sd = load_safetensors(weights)
    classes = sd['classifier.weight'].shape[0]
    model = torchvision.models.densenet121(num_classes=classes)
    model.load_state_dict(sd, strict=False)
    model.eval()
    variants = {'eager': model}
    with torch.no_grad():
        traced = torch.jit.trace(model, torch.randn(1, 3, 224, 224))
        variants['tuned'] = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        m = variants[req['variant']]
        x = torch.randn(req['batch'], 3, 224, 224)
        with torch.no_grad():
            for _ in range(req.get('warmup', 1)):
                m(x)
            t0 = time.perf_counter()
            for _ in range(req['iters']):
                m(x)
            dt = (time.perf_counter() - t0) / req['iters']
        print(json.dumps({'seconds': dt}), flush=True)

main()
