# PyTorch side of bench/batch: the same PNG/JPEG files through a DataLoader (decode, centre crop,
# 224² bilinear resize, ImageNet normalisation in a worker process) and torchvision's DenseNet-121
# with the same safetensors weights, batch 8. Prints one JSON line: images, seconds, peak RSS.
# DICOM is left out: this Python has no codecs for most of the corpus's transfer syntaxes.
import json, os, resource, struct, sys, time
import torch, torchvision
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from torch_safetensors import load_safetensors  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)

class Studies(torch.utils.data.Dataset):
    def __init__(self, files):
        self.files = files
    def __len__(self):
        return len(self.files)
    def __getitem__(self, i):
        img = Image.open(self.files[i]).convert('L')
        w, h = img.size
        s = min(w, h)
        img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize((224, 224), Image.BILINEAR)
        x = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).float().div(255).view(1, 224, 224).expand(3, 224, 224)
        return (x - MEAN) / STD

def main():
    weights, threads, listing = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    files = [l for l in open(listing).read().splitlines() if l]
    torch.set_num_threads(threads)
    model = torchvision.models.densenet121(num_classes=load_safetensors(weights)['classifier.weight'].shape[0])
    model.load_state_dict(load_safetensors(weights), strict=False)
    model.eval()
    loader = torch.utils.data.DataLoader(Studies(files), batch_size=8, num_workers=1)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
        t0 = time.perf_counter()
        n = 0
        for batch in loader:
            torch.sigmoid(model(batch))
            n += batch.shape[0]
        dt = time.perf_counter() - t0
    print(json.dumps({'images': n, 'seconds': dt, 'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)

main()
