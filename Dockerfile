# Custom SDK container for Dataflow (and any portable runner): `--sdk_container_image`.
#
# Beam's own Python 3.11 SDK image (its boot entrypoint must stay), plus ffmpeg and the project with the media
# extra: decord, torch/torchvision (2.14.1 from PyPI is a CUDA build that also runs on CPU, so one image serves CPU
# and GPU workers; Dataflow's `install-nvidia-driver` provides the driver), open_clip, transformers, webdataset.
#
#   docker build -t REGION-docker.pkg.dev/PROJECT/REPO/ykcurate:0.1.0 .
#   docker push REGION-docker.pkg.dev/PROJECT/REPO/ykcurate:0.1.0
#   ykcurate curate ... --runner DataflowRunner --sdk_container_image REGION-docker.pkg.dev/PROJECT/REPO/ykcurate:0.1.0
#
# Text phase only (no ffmpeg, no torch): build with --build-arg EXTRAS= for a much smaller image.
FROM apache/beam_python3.11_sdk:2.77.0

ARG EXTRAS=media
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/ykcurate
COPY setup.py README.md ./
COPY pipeline pipeline
COPY filters filters
COPY transforms transforms
COPY schemas schemas
COPY jobs jobs
COPY bench bench
COPY configs configs
COPY models models
COPY training training
RUN pip install --no-cache-dir ".${EXTRAS:+[$EXTRAS]}" \
    && python -c "import pipeline.build, transforms.media, transforms.shards"
ENV HF_HUB_OFFLINE=1 PYTHONHASHSEED=0

# Keep Beam's boot program as the entrypoint: the runner starts the SDK harness through it.
ENTRYPOINT ["/opt/apache/beam/boot"]
