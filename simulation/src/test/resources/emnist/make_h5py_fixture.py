# Writes h5py_fixture.h5: a tiny federated EMNIST file in TFF's layout, written by h5py (the
# library TFF's files come from), so the Java reader is tested against a real HDF5 producer.
# Run with Debian's python3-h5py: /usr/bin/python3 make_h5py_fixture.py
import h5py
import numpy as np

clients = {"f0000_14": 3, "f0001_41": 2, "f0002_07": 4}
with h5py.File("h5py_fixture.h5", "w") as f:
    examples = f.create_group("examples")
    for k, (cid, n) in enumerate(clients.items()):
        g = examples.create_group(cid)
        i = np.arange(n).reshape(n, 1, 1)
        r = np.arange(28).reshape(1, 28, 1)
        c = np.arange(28).reshape(1, 1, 28)
        pixels = (((i * 7 + r * 28 + c + k) % 256) / 255.0).astype(np.float32)
        labels = ((np.arange(n) + k) % 10).astype(np.int32)
        # one client compressed (chunked + gzip), as large HDF5 files often are
        opts = {"compression": "gzip", "chunks": True} if k == 1 else {}
        g.create_dataset("pixels", data=pixels, **opts)
        g.create_dataset("label", data=labels, **opts)
