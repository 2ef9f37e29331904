"""Convert nsfwjs's bundled MobileNetV2 (TF.js layers model) into ``models/nsfw_mobilenet_v2/weights.npz``.

Run once, by a maintainer, from the npm package (``npm pack nsfwjs@4.4.0`` fetches it):

    python -m models.convert_nsfwjs --package nsfwjs-4.4.0.tgz --output models/nsfw_mobilenet_v2

nsfwjs ships its models as JavaScript modules (a Keras topology as an object literal, the weights as one base64
string), so Node.js evaluates the two files and hands their contents over as JSON; Node is needed for conversion
only, never at run time. Each weight stays uint8 with its (min, scale), transposed into PyTorch's layout
(quantisation is per tensor, so transposing does not change it). The converter refuses a topology that is not the one
``models.nsfw_classifier.NsfwMobileNetV2`` implements, and any weight left over or missing on either side.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from models.nsfw_classifier import NsfwMobileNetV2, to_torch_layout

MODEL_DIR = "package/dist/models/mobilenet_v2"
_EXTRACT_JS = """
const dir = process.argv[1];
const model = require(dir + "/model.min.js");
const weights = require(dir + "/group1-shard1of1.min.js");
process.stdout.write(JSON.stringify({model: model.default || model, weights: weights.default || weights}));
"""


def read_package(package: Path, workdir: Path) -> tuple[dict, bytes]:
    """(model JSON, weight bytes) of the MobileNetV2 inside an nsfwjs npm tarball."""
    with tarfile.open(package) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(MODEL_DIR + "/") or m.name == "package/LICENSE"]
        tar.extractall(workdir, members=members, filter="data")
    out = subprocess.run(["node", "-e", _EXTRACT_JS, str(workdir / MODEL_DIR)], check=True, capture_output=True)
    bundle = json.loads(out.stdout)
    return bundle["model"], base64.b64decode(bundle["weights"])


def check_topology(model: dict) -> None:
    layers = model["modelTopology"]["model_config"]["config"]["layers"]
    kinds = [layer["class_name"] for layer in layers]
    expected = {"BatchNormalization": 52, "Conv2D": 35, "DepthwiseConv2D": 17, "Dense": 3, "ZeroPadding2D": 5}
    found = {kind: kinds.count(kind) for kind in expected}
    if found != expected:
        raise SystemExit(f"not nsfwjs's MobileNetV2 topology: layer counts {found}, expected {expected}")
    for layer in layers:
        config = layer["config"]
        if layer["class_name"] == "ZeroPadding2D" and config["padding"] != [[0, 1], [0, 1]]:
            raise SystemExit(f"{config['name']}: padding {config['padding']}, expected [[0, 1], [0, 1]]")
        if layer["class_name"] == "BatchNormalization" and abs(config["epsilon"] - 1e-3) > 1e-9:
            raise SystemExit(f"{config['name']}: epsilon {config['epsilon']}, expected 0.001")


def quantised_weights(model: dict, data: bytes) -> dict[str, tuple[np.ndarray, float, float]]:
    """Keras weight name -> (uint8 array in Keras layout, min, scale), walking the manifest in order."""
    out, offset = {}, 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            quant = spec.get("quantization") or {}
            if quant.get("dtype") != "uint8":
                raise SystemExit(f"{spec['name']}: expected uint8 quantisation, found {quant or spec['dtype']}")
            size = int(np.prod(spec["shape"]))
            values = np.frombuffer(data, np.uint8, size, offset).reshape(spec["shape"])
            out[spec["name"]] = (values, float(quant["min"]), float(quant["scale"]))
            offset += size
    if offset != len(data):
        raise SystemExit(f"weight data holds {len(data)} bytes, the manifest describes {offset}")
    return out


def convert(package: Path, output: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        model, data = read_package(package, workdir)
        check_topology(model)
        weights = quantised_weights(model, data)
        names = NsfwMobileNetV2().keras_names()
        state_shapes = {key: tuple(value.shape) for key, value in NsfwMobileNetV2().state_dict().items()
                        if not key.endswith("num_batches_tracked")}
        missing = sorted(set(state_shapes) - set(names))
        unused = sorted(set(weights) - {keras for keras, _ in names.values()})
        if missing or unused:
            raise SystemExit(f"unmapped state-dict keys {missing}; unused nsfwjs weights {unused}")
        arrays = {}
        for key, (keras, layout) in names.items():
            values, minimum, scale = weights[keras]
            values = np.ascontiguousarray(to_torch_layout(values, layout))
            if values.shape != state_shapes[key]:
                raise SystemExit(f"{keras} -> {key}: shape {values.shape}, model expects {state_shapes[key]}")
            arrays[f"q:{key}"] = values
            arrays[f"range:{key}"] = np.array([minimum, scale], np.float64)
        output.mkdir(parents=True, exist_ok=True)
        with (output / "weights.npz").open("wb") as handle:
            np.savez_compressed(handle, **arrays)
        shutil.copyfile(workdir / "package" / "LICENSE", output / "LICENSE")
    return {"package": package.name, "package_sha256": hashlib.sha256(package.read_bytes()).hexdigest(),
            "weights_sha256": hashlib.sha256((output / "weights.npz").read_bytes()).hexdigest(),
            "tensors": len(names)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", required=True, type=Path, help="nsfwjs-4.4.0.tgz from `npm pack nsfwjs@4.4.0`")
    parser.add_argument("--output", required=True, type=Path, help="folder for weights.npz and LICENSE")
    args = parser.parse_args(argv)
    if not args.package.is_file():
        parser.error(f"no such package file: {args.package}")
    if shutil.which("node") is None:
        parser.error("node (Node.js) is needed to read the package's JavaScript model files")
    print(json.dumps(convert(args.package, args.output), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
