"""The demo API's catalog: realistic, deterministic ImagesVo dictionaries.

Paths follow the scheme public material shows for the real platform
(`registry/dcu/admin/base/name:tag`), across DTK, CUDA and Python versions,
accelerators, image types, access levels, preset and community images.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

# Paths quoted verbatim in scnet-openapi-notes.md: the demo serves each of them.
KNOWN_PATHS = (
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.1.0-ubuntu20.04-dtk24.04.1-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.1.0-centos7.6-dtk24.04-py310",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.3.0-ubuntu22.04-dtk24.04.3-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.4.1-ubuntu22.04-dtk25.04-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:1.13.1-centos7.6-dtk23.10-py38",
    "image.sourcefind.cn:5000/dcu/admin/base/pytorch:1.10.0-centos7.6-dtk-22.10-py38-latest",
    "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.8.5-ubuntu22.04-dtk25.04.1-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/jupyterlab-pytorch:2.1.0-ubuntu20.04-dtk24.04.1-py3.10-scnet",
    "image.sourcefind.cn:5000/dcu/admin/base/jupyterlab-pytorch:2.9.0-ubuntu22.04-dtk26.04-py3.11-devel",
    "image.sourcefind.cn:5000/dcu/admin/base/migraphx:5.0.0-ubuntu22.04-dtk25.04.1-py3.10",
    "image.sourcefind.cn:5000/dcu/admin/base/migraphx:4.0.0-centos7.6-dtk23.04.1-py38-latest",
    "image.sourcefind.cn:5000/dcu/admin/base/jax:0.4.23-ubuntu20.04-dtk24.04-py310",
    "image.sourcefind.cn:5000/dcu/admin/base/custom:fastdeploy2.0.0-kylinv10-dtk25.04-py3.10",
    "harbor.sourcefind.cn:5443/dcu/admin/base/pytorch:2.7.1-ubuntu22.04-dtk26.04-py3.10",
    "harbor.sourcefind.cn:5443/dcu/admin/base/vllm:0.11.0-ubuntu22.04-dtk26.04-py3.10",
    "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",
)

DCU_REGISTRIES = ("image.sourcefind.cn:5000", "harbor.sourcefind.cn:5443")
GPU_REGISTRY = "10.0.35.26:5000"
COMMUNITY_REGISTRY = "appstore.scnet.cn:5000"

# (framework, versions, image type) for the DCU families.
DCU_FAMILIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("pytorch", ("1.10.0", "1.13.1", "2.1.0", "2.3.0", "2.4.1", "2.5.1", "2.7.1"), "Base"),
    ("vllm", ("0.6.2", "0.7.2", "0.8.5", "0.9.2", "0.11.0"), "Base"),
    ("jupyterlab-pytorch", ("1.13.1", "2.1.0", "2.4.1", "2.9.0"), "JupyterLab"),
    ("migraphx", ("4.0.0", "4.2.0", "5.0.0"), "Base"),
    ("jax", ("0.4.23", "0.4.30"), "Base"),
    ("tensorflow", ("2.9.0", "2.13.1"), "Base"),
    ("paddlepaddle", ("2.5.1", "2.6.1", "3.0.0"), "Base"),
    ("lmdeploy", ("0.6.4", "0.7.1"), "Base"),
    ("deepspeed", ("0.14.2", "0.15.4"), "Base"),
    ("onnxruntime", ("1.15.0", "1.19.2"), "Base"),
    ("jupyterlab-tensorflow", ("2.13.1",), "JupyterLab"),
)
DTK_BY_ERA = (
    ("23.04.1", "centos7.6", "py38"),
    ("23.10", "centos7.6", "py38"),
    ("24.04", "ubuntu20.04", "py3.10"),
    ("24.04.1", "ubuntu20.04", "py3.10"),
    ("24.04.3", "ubuntu22.04", "py3.10"),
    ("25.04", "ubuntu22.04", "py3.10"),
    ("25.04.1", "ubuntu22.04", "py3.10"),
    ("25.04.2", "ubuntu22.04", "py3.10"),
    ("26.04", "ubuntu22.04", "py3.11"),
)
GPU_IMAGES = (
    ("pytorch", ("1.13.1", "2.1.0", "2.4.1", "2.7.1"), ("cuda11.8", "cuda12.1", "cuda12.4"), "Base"),
    ("tensorflow", ("2.13.1", "2.15.0"), ("cuda11.8", "cuda12.1"), "Base"),
    ("vllm", ("0.8.5", "0.11.0"), ("cuda12.1", "cuda12.4"), "Base"),
    ("jupyterlab-pytorch", ("2.1.0", "2.4.1"), ("cuda12.1",), "JupyterLab"),
)
CPU_IMAGES = (
    ("jupyter", ("4.4-py3.7-cpu", "4.0.11-py3.10-cpu", "4.2.5-py3.11-cpu"), "JupyterLab"),
    ("ubuntu", ("20.04", "22.04", "24.04"), "Base"),
    ("python", ("3.8-slim", "3.10-slim", "3.11-slim", "3.12-slim"), "Base"),
    ("r-base", ("4.3.3", "4.4.1"), "Base"),
)
COMMUNITY_USERS = ("zhangwei", "liuyang", "chenjing", "wangfang", "lab-nlp", "hpc-team")
COMMUNITY_IMAGES = (
    ("llama-factory", "0.9.1-dtk24.04.1-py3.10"),
    ("chatglm3-6b", "v1-dtk24.04-py3.10"),
    ("qwen2.5-infer", "7b-dtk25.04-vllm0.8.5"),
    ("stable-diffusion-webui", "1.9.4-dtk24.04.1"),
    ("alphafold2", "2.3.2-dtk24.04-py3.10"),
    ("gromacs", "2023.3-dtk24.04"),
    ("mmdetection", "3.3.0-dtk24.04.1-py3.10"),
    ("whisper-asr", "large-v3-dtk25.04"),
    ("deepseek-r1-distill", "32b-dtk25.04.1-vllm"),
    ("openfold", "1.0.1-dtk24.04.3"),
)
DESCRIPTIONS = {
    "pytorch": "PyTorch 深度学习框架 (deep learning framework)",
    "vllm": "vLLM 大模型推理引擎 (LLM inference)",
    "jupyterlab-pytorch": "JupyterLab 交互式开发环境 + PyTorch",
    "migraphx": "MIGraphX 图推理引擎",
    "jax": "JAX 数值计算",
}

_START = datetime(2021, 6, 1, 9, 0, 0)
_END = datetime(2026, 10, 31, 18, 0, 0)
_SPAN_SECONDS = int((_END - _START).total_seconds())
_DTK = re.compile(r"dtk-?(\d\d)\.(\d\d)")


def _item(
    rng: random.Random,
    path: str,
    accelerator: str,
    image_type: str,
    *,
    access: str = "public",
    user: str = "admin",
    preset: bool = True,
) -> dict[str, Any]:
    version = path.rsplit("/", 1)[-1]
    name, tag = version.rsplit(":", 1)
    created = _created(rng, tag)
    item: dict[str, Any] = {
        "acceleratorType": accelerator,
        "access": access,
        "appIcon": "/global_resource/appIcon/appicon_jupyter.png"
        if image_type == "JupyterLab"
        else "/global_resource/appIcon/appicon_base.png",
        "createTime": created.strftime("%Y-%m-%d %H:%M:%S"),
        "id": f"{rng.getrandbits(128):032x}",
        "imageId": f"sha256:{rng.getrandbits(256):064x}",
        "isPresetImage": preset,
        "name": name,
        "path": path,
        "tag": tag,
        "type": image_type,
        "user": user,
        "version": version,
    }
    if name in DESCRIPTIONS:
        item["description"] = DESCRIPTIONS[name]
    if rng.random() < 0.5:
        # Fields of the newer paginated call; the details pane shows them as extras.
        item["imageSize"] = str(rng.randrange(3, 40) * 1024**3 + rng.randrange(1024**3))
        item["status"] = "Completed"
    return item


def _created(rng: random.Random, tag: str) -> datetime:
    """DTK versions are release dates (yy.mm): an image appears in the months after its DTK."""
    match = _DTK.search(tag)
    if match is None:
        return _START + timedelta(seconds=rng.randrange(_SPAN_SECONDS))
    released = datetime(2000 + int(match.group(1)), int(match.group(2)), 1, 8, 0, 0)
    created = released + timedelta(seconds=rng.randrange(300 * 86400))
    return min(created, _END - timedelta(seconds=rng.randrange(86400 * 20)))


def _accelerator_of(path: str) -> str:
    return "gpu,cpu" if path.endswith("-cpu") else "dcu"


def demo_catalog(seed: int = 2024) -> list[dict[str, Any]]:
    """The default demo catalog: about 300 images, the same on every run."""
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(path: str, *args: Any, **kwargs: Any) -> None:
        if path not in seen:
            seen.add(path)
            items.append(_item(rng, path, *args, **kwargs))

    for path in KNOWN_PATHS:
        kind = "JupyterLab" if "/jupyter" in path else "Base"
        add(path, _accelerator_of(path), kind)

    for name, versions, image_type in DCU_FAMILIES:
        for index, version in enumerate(versions):
            # Newer framework versions ship on newer DTK releases.
            first = min(len(DTK_BY_ERA) - 3, index * len(DTK_BY_ERA) // max(1, len(versions)))
            for dtk, os_name, py in DTK_BY_ERA[first : first + 5]:
                registry = DCU_REGISTRIES[1] if dtk.startswith("26") else DCU_REGISTRIES[0]
                suffix = rng.choice(("", "", "", "-latest", "-devel"))
                path = f"{registry}/dcu/admin/base/{name}:{version}-{os_name}-dtk{dtk}-{py}{suffix}"
                add(path, "dcu", image_type)

    for name, versions, cudas, image_type in GPU_IMAGES:
        for version in versions:
            for cuda in cudas:
                os_name = "ubuntu22.04" if cuda >= "cuda12" else "ubuntu20.04"
                for py in ("py3.10", "py3.11") if version >= "2.4" else ("py3.8", "py3.10"):
                    path = f"{GPU_REGISTRY}/gpu/admin/base/{name}:{version}-{os_name}-{cuda}-{py}"
                    add(path, "gpu", image_type)

    for name, tags, image_type in CPU_IMAGES:
        for tag in tags:
            add(f"{GPU_REGISTRY}/cpu/admin/base/{name}:{tag}", "cpu", image_type)

    for user in COMMUNITY_USERS:
        for name, tag in rng.sample(COMMUNITY_IMAGES, 8):
            path = f"{COMMUNITY_REGISTRY}/aihub/dcu/{user}/{name}:{tag}"
            access = "private" if rng.random() < 0.5 else "public"
            add(path, "dcu", "Base", access=access, user=user, preset=False)

    items.sort(key=lambda item: item["createTime"], reverse=True)
    return items


def regional(images: list[dict[str, Any]], region: Any, *, extras: bool = True) -> list[dict[str, Any]]:
    """What one region (a `DemoRegion`) serves of `images`: every n-th and the well-known ones
    (every region has those, under its own registry when it has one: the same name:tag, another
    path), and (`extras`: with the demo catalog) those it alone has."""
    known = set(KNOWN_PATHS)
    chosen = [item for index, item in enumerate(images) if index % region.every == 0 or item.get("path") in known]
    if region.registry:
        chosen = [_rehosted(item, region.registry) for item in chosen]
    if extras and region.only:
        rng = random.Random(region.cluster_id)
        chosen = chosen + [_item(rng, path, "dcu", "Base") for path in region.only]
    return chosen


def _rehosted(item: dict[str, Any], registry: str) -> dict[str, Any]:
    host, _, rest = str(item.get("path", "")).partition("/")
    return {**item, "path": f"{registry}/{rest}"} if host in DCU_REGISTRIES else item


def synthetic_catalog(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """A large catalog for benchmarks: `count` distinct images built from the demo ones."""
    base = demo_catalog()
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    for index in range(count):
        template = base[index % len(base)]
        build = index // len(base)
        tag = f"{template['tag']}-b{build}" if build else template["tag"]
        name = template["name"]
        path = template["path"].rsplit(":", 1)[0] + f":{tag}"
        item = dict(template)
        item.update(
            id=f"{rng.getrandbits(128):032x}",
            tag=tag,
            path=path,
            version=f"{name}:{tag}",
            createTime=(_START + timedelta(seconds=rng.randrange(_SPAN_SECONDS))).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
        )
        items.append(item)
    return items
