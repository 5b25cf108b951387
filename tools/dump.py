"""Print the object stored at an etcd key as YAML: python -m tools.dump --etcd-servers URL KEY.

Values are protobuf behind a magic prefix; this turns one back into the
Kubernetes YAML a person reads (resourceVersion from the key's mod_revision).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import yaml

from apimachinery.scheme import default_scheme
from services.registry import envelope
from services.registry.etcd import Etcd, TLSFiles


async def dump(args: argparse.Namespace) -> int:
    etcd = Etcd(args.etcd_servers.split(","), TLSFiles(args.etcd_cafile, args.etcd_certfile, args.etcd_keyfile))
    try:
        kv, _ = await etcd.get(args.key.encode())
    finally:
        await etcd.close()
    if kv is None:
        print(f"no such key: {args.key}", file=sys.stderr)
        return 1
    obj = envelope.with_resource_version(envelope.decode(kv.value), kv.mod_revision)
    body = default_scheme().object_to_json(obj)
    yaml.safe_dump(body, sys.stdout, sort_keys=False)
    return 0


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m tools.dump", description=__doc__)
    p.add_argument("--etcd-servers", default="http://127.0.0.1:2379")
    p.add_argument("--etcd-cafile", default="")
    p.add_argument("--etcd-certfile", default="")
    p.add_argument("--etcd-keyfile", default="")
    p.add_argument("key")
    return asyncio.run(dump(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
