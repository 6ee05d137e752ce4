"""Writes the shared-children attack with real torch.save (the reference writer): a whole pickled
module DEPTH levels deep whose `_modules` `a` and `b` are the same object at every level. Pickle
memoises the shared object, so the file stays a few KB while the paths through it number 2**DEPTH.
Prints state_dict()'s keys for small depths. Usage: /usr/bin/python3 make_shared_module.py <out.pth> [depth]"""
import sys

import torch

out = sys.argv[1]
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 40
module = torch.nn.Linear(2, 2)
for _ in range(depth):
    parent = torch.nn.Sequential()
    parent.add_module("a", module)
    parent.add_module("b", module)
    module = parent
torch.save(module, out)
# The reference naming: state_dict() names a shared submodule's tensors under every path to it.
if depth <= 8:
    import json

    print(json.dumps(sorted(module.state_dict().keys())))
