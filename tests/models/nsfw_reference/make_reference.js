// Reference outputs of the original nsfwjs MobileNetV2 (TF.js, pure-JS CPU backend) for the images beside this
// file, for tests/models/test_nsfw_classifier.py. Run once by a maintainer (Node 20):
//   npm install nsfwjs@4.4.0 @tensorflow/tfjs@4.22.0
//   node make_reference.js <folder with *.rgb files> reference.json
// Each .rgb file is a 224x224x3 uint8 RGB image (raw bytes; the test reads the PNG with the same pixels).
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs");
const nsfwjs = require("nsfwjs");

async function main() {
  await tf.setBackend("cpu");
  const model = await nsfwjs.load("MobileNetV2");
  const dir = process.argv[2];
  const out = {model: "nsfwjs@4.4.0 MobileNetV2", tfjs: tf.version.tfjs, backend: tf.getBackend(),
               classes: ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"], images: {}};
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".rgb")).sort()) {
    const pixels = new Int32Array(fs.readFileSync(path.join(dir, name)));
    const image = tf.tensor3d(pixels, [224, 224, 3], "int32");
    const probs = model.infer(image);  // softmax output, in class-index order
    out.images[name.replace(/\.rgb$/, ".png")] = Array.from(await probs.data());
    image.dispose();
    probs.dispose();
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(out, null, 1) + "\n");  // nsfwjs logs to stdout
}
main();
