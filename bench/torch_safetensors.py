# Shared by the PyTorch sides of the benches: float32 safetensors → a torchvision state_dict,
# read directly so the benches need nothing beyond Debian's python3-torch.
import json, struct
import torch

def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, end = e['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32).reshape(e['shape'])
    return out
