#!/usr/bin/python3
"""Writes an OCI image layout whose single layer holds hand-made tar entries (including ones a
well-behaved tar tool would refuse to create).

  make_oci_image.py OUT_DIR ENTRY...
ENTRY is TYPE:NAME[:ARG]: file:NAME:CONTENT, dir:NAME, symlink:NAME:TARGET, hardlink:NAME:TARGET.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            kind, name, *rest = e.split(":", 2)
            arg = rest[0] if rest else ""
            info = tarfile.TarInfo(name)  # TarInfo keeps the name verbatim ("/x", "../x")
            info.mtime = 0
            info.mode = 0o755 if kind == "dir" else 0o644
            data = None
            if kind == "file":
                data = arg.encode()
                info.size = len(data)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, arg
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, arg
            else:
                sys.exit("unknown entry type " + kind)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def main():
    out, entries = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    tar = layer(entries)
    layer_desc = blob(out, tar)
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
              "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]}}
    config_desc = blob(out, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config_desc),
                "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **layer_desc)]}
    manifest_desc = blob(out, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [dict(
        mediaType="application/vnd.oci.image.manifest.v1+json",
        annotations={"org.opencontainers.image.ref.name": "latest"},
        platform={"architecture": "amd64", "os": "linux"}, **manifest_desc)]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main()
